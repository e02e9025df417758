// Plans with the shadow, on the fixture folder of real-world shapes (test/fixtures/messy-migrations:
// .cjs, .js, .ts and .mjs files; a backfill; a table created and filled in one batch; concurrent
// ivfflat and hnsw builds that cannot run in a transaction; a down() that forgets its index; a
// down() that drops the vector extension with CASCADE). The live side is a real database; the
// shadow is the embedded engine, and a PostgreSQL server when there is one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { StrataConfig } from '../lib/config';
import { makePlan } from '../lib/migrations/plan';
import { StrataMigrationSource } from '../lib/migrations/source';
import { freshTestDatabase } from './harness/db';
import { dropShadowTemplates } from './harness/shadow-templates';

const FIXTURE = path.join(process.cwd(), 'test', 'fixtures', 'messy-migrations');
const NAMES = fs.readdirSync(FIXTURE).sort();
const db = freshTestDatabase();
const { adminUrl } = inject('testDb');

const used: StrataConfig[] = [];
function configFor(source: 'embedded' | 'server', table: string, dir = FIXTURE): StrataConfig {
  const config = { ...db.config, migrationsDir: dir, migrationsTable: table, shadow: { databaseUrl: source === 'server' ? adminUrl! : undefined, timeoutMs: 120_000, maxConcurrent: 2 } };
  used.push(config);
  return config;
}

afterAll(async () => {
  if (adminUrl) await dropShadowTemplates(adminUrl, db.knex, used);
});

let round = 0;
/** A database state of its own for each case: the fixture's tables dropped, a migrations table of its own. */
async function clean(): Promise<void> {
  await db.knex.raw('DROP TABLE IF EXISTS items, docs CASCADE; DROP EXTENSION IF EXISTS vector CASCADE');
}

describe.each(['embedded', 'server'] as const)('with the %s shadow', (source) => {
  beforeEach((ctx) => ctx.skip(source === 'server' && !adminUrl, 'skipped without a PostgreSQL server to make shadow databases on (TEST_DATABASE_URL)'));

  it('previews every pending migration, says where, lints the concurrent indexes, and counts the rows the batch puts in a new table', async () => {
    await clean();
    const config = configFor(source, `plan_up_${source}_${++round}`);
    const plan = await makePlan(db.knex, config, 'up');
    expect(plan.error).toBeNull();
    expect(plan.shadow.info?.kind).toBe(source);
    expect(plan.migrations.map((m) => [m.name, m.previewedOn])).toEqual(NAMES.map((n, i) => [n, i < 4 ? 'live' : 'shadow']));
    expect(plan.migrations[4]!.reason).toMatch(/runs outside a transaction/);
    expect(plan.migrations[6]!.reason).toMatch(/The live dry run stops before 20250101000005_docs_ivfflat_concurrently\.cjs/);
    // The backfill's bound value is shown inlined, not as $1.
    expect(plan.migrations[1]!.statements[0]).toBe(`update "items" set "title" = 'untitled' where "title" is null`);
    // Every migration's schema effect comes from the shadow.
    expect(plan.migrations[4]!.effects).toMatchObject([{ kind: 'index', name: 'docs_embedding_ivfflat', change: 'added' }]);
    expect(plan.migrations[5]!.effects).toMatchObject([{ kind: 'index', name: 'items_embedding_hnsw', change: 'added' }]);
    expect(plan.unseen).toEqual([]);

    const rules = plan.findings.map((f) => `${f.rule} ${f.migration}`);
    expect(rules).toContain('concurrent-index-retry 20250101000005_docs_ivfflat_concurrently.cjs');
    expect(rules).toContain('concurrent-index-retry 20250101000006_items_hnsw_concurrently.js');
    // docs is created and filled with 2,000 rows earlier in this batch: not "little data" for lists = 10.
    expect(plan.findings.filter((f) => f.rule === 'ivfflat-little-data')).toEqual([]);
    // items is new in this batch: an index on it blocks no one.
    expect(rules).not.toContain('index-without-concurrently 20250101000007_items_title_index.ts');

    // The round trip: 007's down() forgets its index, so up() cannot run again; 006's down() takes the extension and its columns.
    const trip = plan.roundTrip!;
    const of = (m: string) => trip.findings.filter((f) => f.migration === m).map((f) => f.rule);
    expect(of('20250101000007_items_title_index.ts')).toEqual(['down-incomplete', 'up-fails-again']);
    expect(trip.findings.find((f) => f.rule === 'down-incomplete' && f.migration.startsWith('20250101000007'))!.message).toMatch(/index items_title_idx on items is left behind/);
    expect(of('20250101000006_items_hnsw_concurrently.js')).toEqual(['down-incomplete', 'up-fails-again']);
    expect(trip.findings.find((f) => f.rule === 'down-incomplete' && f.migration.startsWith('20250101000006'))!.message).toMatch(/extension vector is gone/);
    expect(trip.checked).toEqual(NAMES.slice(0, 5));

    // The plan changed nothing on the live database.
    expect(await db.knex.schema.hasTable('items')).toBe(false);
    expect(await db.knex.schema.hasTable(config.migrationsTable)).toBe(false);
  });

  it('a rollback of the whole batch lists everything it destroys, with the live row counts, including what a CASCADE takes', async () => {
    await clean();
    const config = configFor(source, `plan_down_${source}_${++round}`);
    await db.knex.migrate.latest({ tableName: config.migrationsTable, migrationSource: new StrataMigrationSource(FIXTURE) });
    await db.knex.raw(`INSERT INTO items (title, embedding) SELECT 'item ' || g, '[1,2,3]' FROM generate_series(1, 300) AS g`);
    const plan = await makePlan(db.knex, config, 'down');
    expect(plan.error).toBeNull();
    expect(plan.migrations.map((m) => m.name)).toEqual([...NAMES].reverse());
    // Only the last can run in the live dry run: the next one runs outside a transaction.
    expect(plan.migrations.map((m) => m.previewedOn)).toEqual(['live', 'shadow', 'shadow', 'shadow', 'shadow', 'shadow', 'shadow']);
    expect(plan.unseen).toEqual([]);
    const destroyed = plan.destroys.map((d) => `${d.kind} ${d.kind === 'column' ? `${d.table}.` : ''}${d.name}${d.rows !== null ? ` (${d.rows})` : ''} by ${d.migration!.slice(0, 14)}`);
    expect(destroyed.sort()).toEqual(
      [
        'column docs.embedding (2000) by 20250101000006',
        'column items.embedding (300) by 20250101000006',
        'extension vector by 20250101000006',
        'index docs_embedding_ivfflat by 20250101000006',
        'index items_embedding_hnsw by 20250101000006',
        'rows docs by 20250101000004',
        'table docs (2000) by 20250101000003',
        'table items (300) by 20250101000001',
      ].sort(),
    );
    // docs loses its rows in 004's down() first, which ran only on the shadow: the count is as of now, and says so.
    expect(plan.destroys.find((d) => d.kind === 'table' && d.name === 'docs')!.rowsNote).toMatch(/20250101000004_fill_docs\.mjs deletes rows from it first/);
    expect(plan.destroys.find((d) => d.kind === 'rows')!.rowsNote).toBe('it holds 2,000 now; how many are deleted could be previewed only on the shadow, which has none of the live data');
    expect(plan.roundTrip).toBeNull();

    // Above a million rows the count is the planner's estimate unless an exact count is asked for.
    await db.knex.raw(`UPDATE pg_class SET reltuples = 2000000 WHERE oid = 'items'::regclass`);
    const estimated = await makePlan(db.knex, config, 'down');
    expect(estimated.destroys.find((d) => d.kind === 'table' && d.name === 'items')).toMatchObject({ rows: 2_000_000, rowsEstimated: true });
    const exact = await makePlan(db.knex, config, 'down', { exactCounts: true });
    expect(exact.exactCounts).toBe(true);
    expect(exact.destroys.find((d) => d.kind === 'table' && d.name === 'items')).toMatchObject({ rows: 300, rowsEstimated: false });
  });

  it('a migration that needs an extension the shadow lacks is not previewable, and the reason names the fix', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-noext-'));
    fs.writeFileSync(
      path.join(dir, '20250301000001_postgis.js'),
      `exports.config = { transaction: false };
exports.up = (knex) => knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
exports.down = (knex) => knex.raw('DROP EXTENSION IF EXISTS postgis');`,
    );
    const plan = await makePlan(db.knex, configFor(source, `plan_noext_${source}_${++round}`, dir), 'up');
    expect(plan.error).toBeNull();
    expect(plan.migrations[0]!.previewedOn).toBeNull();
    expect(plan.migrations[0]!.reason).toMatch(
      source === 'embedded'
        ? /failed on the shadow \(the embedded engine .*\): .*extension "postgis" is not available.* The embedded shadow has no extension "postgis" .*set STRATA_SHADOW_DATABASE_URL to a PostgreSQL server that has it\./
        : /failed on the shadow \(the shadow server .*\): .*postgis.* The shadow server has no extension "postgis": install it there, as on the live server\./,
    );
    expect(plan.unseen.map((u) => u.migration)).toEqual(['20250301000001_postgis.js']);
  });
});

describe('a migration file that cannot be loaded', () => {
  beforeAll(clean);

  it('is named in the plan error, and the others say knex would run none of them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-broken-'));
    fs.copyFileSync(path.join(FIXTURE, NAMES[0]!), path.join(dir, NAMES[0]!));
    fs.writeFileSync(path.join(dir, '20250101000002_broken.js'), 'exports.up = async (knex) => { await knex.raw("SELECT 1") ;\n');
    const plan = await makePlan(db.knex, configFor('embedded', `plan_broken_${++round}`, dir), 'up');
    expect(plan.error).toMatchObject({ migration: '20250101000002_broken.js', message: expect.stringMatching(/^20250101000002_broken\.js could not be loaded: /) });
    expect(plan.migrations.map((m) => m.previewedOn)).toEqual([null, null]);
    expect(plan.migrations[1]!.reason).toMatch(/^It could not be loaded: /);
    expect(plan.migrations[0]!.reason).toBe(
      'Not run: knex loads every file of the batch before it runs any, and 20250101000002_broken.js could not be loaded, so knex would run none of them.',
    );
    expect(await db.knex.schema.hasTable('items')).toBe(false);
  });
});
