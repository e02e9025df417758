// Drift between the live schema and the replay of its applied migrations, from both shadow sources:
// none on an untouched database; exactly the hand-made changes after them, each with SQL that,
// once run, leaves no drift. And the round trip (migrate:verify's check) on the fixture folder.
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { StrataConfig } from '../lib/config';
import { checkDrift } from '../lib/migrations/drift';
import { verifyMigrations } from '../lib/migrations/round-trip';
import { StrataMigrationSource } from '../lib/migrations/source';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { freshTestDatabase } from './harness/db';
import { dropShadowTemplates } from './harness/shadow-templates';

const db = freshTestDatabase();
const { adminUrl } = inject('testDb');
const NO_SERVER = 'skipped without a PostgreSQL server to make shadow databases on (TEST_DATABASE_URL)';

const used: StrataConfig[] = [];
function configFor(source: 'embedded' | 'server', extra: Partial<StrataConfig> = {}): StrataConfig {
  const config = { ...db.config, ...extra, shadow: { databaseUrl: source === 'server' ? adminUrl! : undefined, timeoutMs: 120_000, maxConcurrent: 2 } };
  used.push(config);
  return config;
}

afterAll(async () => {
  if (adminUrl) await dropShadowTemplates(adminUrl, db.knex, used);
});

beforeAll(async () => {
  await ensureStrataSchema(db.knex);
  await db.knex.migrate.latest({ tableName: db.config.migrationsTable, migrationSource: new StrataMigrationSource(db.config.migrationsDir) });
});

describe.each(['embedded', 'server'] as const)('drift, with the %s shadow', (source) => {
  beforeEach((ctx) => ctx.skip(source === 'server' && !adminUrl, NO_SERVER));

  it('finds none on an untouched database, and exactly the three hand-made changes after them, each with SQL that reconciles it', async () => {
    const config = configFor(source);
    const untouched = await checkDrift(db.knex, config);
    expect(untouched.problem).toBeNull();
    expect(untouched.shadow?.kind).toBe(source);
    expect(untouched.drift).toEqual([]);

    await db.knex.raw('CREATE INDEX topics_title_by_hand ON topics (title)');
    await db.knex.raw('ALTER TABLE topics DROP COLUMN view_count');
    await db.knex.raw('DROP INDEX post_vectors_content_vector_idx');
    await db.knex.raw('CREATE INDEX post_vectors_content_vector_idx ON post_vectors USING ivfflat (content_vector vector_cosine_ops) WITH (lists = 50)');
    const drifted = await checkDrift(db.knex, config);
    // The replay's catalog is kept: the second check did not replay the history again.
    expect(drifted.replay).toEqual({ migrations: untouched.replay!.migrations, reused: true });
    expect(drifted.drift!.map((d) => ({ where: d.where, kind: d.kind, name: d.name, details: d.details, sql: d.sql }))).toEqual([
      { where: 'live_only', kind: 'index', name: 'topics_title_by_hand', details: [], sql: ['DROP INDEX CONCURRENTLY topics_title_by_hand'] },
      {
        where: 'different',
        kind: 'index',
        name: 'post_vectors_content_vector_idx',
        details: [{ what: 'lists', from: '50', to: '100' }],
        sql: [
          'DROP INDEX CONCURRENTLY post_vectors_content_vector_idx',
          "CREATE INDEX CONCURRENTLY post_vectors_content_vector_idx ON public.post_vectors USING ivfflat (content_vector vector_cosine_ops) WITH (lists='100')",
        ],
      },
      { where: 'migrations_only', kind: 'column', name: 'topics.view_count', details: [], sql: ['ALTER TABLE topics ADD COLUMN view_count integer DEFAULT 0'] },
    ]);

    for (const d of drifted.drift!) for (const sql of d.sql) await db.knex.raw(sql);
    expect((await checkDrift(db.knex, config)).drift).toEqual([]);
  });
});

describe('drift that cannot be checked', () => {
  it('says so when an applied migration has no file, instead of comparing with part of the history', async () => {
    await db.knex(db.config.migrationsTable).insert({ name: '20990101000000_gone.ts', batch: 9, migration_time: new Date() });
    try {
      const report = await checkDrift(db.knex, configFor('embedded'));
      expect(report.drift).toBeNull();
      expect(report.problem).toEqual({
        message: 'The applied migrations cannot be replayed: 1 have no file on disk (20990101000000_gone.ts).',
        fix: 'Restore the files of the applied migrations (knex itself refuses to migrate without them).',
      });
    } finally {
      await db.knex(db.config.migrationsTable).where({ name: '20990101000000_gone.ts' }).delete();
    }
  });
});

describe.each(['embedded', 'server'] as const)('the round trip, with the %s shadow', (source) => {
  beforeEach((ctx) => ctx.skip(source === 'server' && !adminUrl, NO_SERVER));
  const fixture = path.join(process.cwd(), 'test', 'fixtures', 'messy-migrations');

  it('names the index a down() forgets, and the extension a down() drops with the columns it takes', async () => {
    const report = await verifyMigrations(null, configFor(source, { migrationsDir: fixture, migrationsTable: 'verify_all' }), { scope: 'all' });
    expect(report.problem).toBeNull();
    expect(report.findings.map((f) => [f.migration, f.rule])).toEqual([
      ['20250101000006_items_hnsw_concurrently.js', 'down-incomplete'],
      ['20250101000006_items_hnsw_concurrently.js', 'up-fails-again'],
      ['20250101000007_items_title_index.ts', 'down-incomplete'],
      ['20250101000007_items_title_index.ts', 'up-fails-again'],
    ]);
    const forgot = report.findings[2]!;
    expect(forgot.message).toBe('down() does not undo up(): index items_title_idx on items is left behind');
    // The changes lead from what down() leaves to the catalog before up(): their SQL is what down() forgot.
    expect(forgot.changes).toMatchObject([{ kind: 'index', name: 'items_title_idx', change: 'removed', sql: ['DROP INDEX items_title_idx'] }]);
    expect(report.findings[3]!.message).toMatch(/^up\(\) cannot run again after down\(\): .*items_title_idx.* already exists/);
    const dropsVector = report.findings[0]!;
    expect(dropsVector.changes.map((c) => `${c.kind} ${c.name} ${c.change}`).sort()).toEqual(
      ['column docs.embedding added', 'column items.embedding added', 'extension vector added', 'index docs_embedding_ivfflat added'].sort(),
    );
    expect(report.checked).toEqual([
      '20250101000001_items.cjs',
      '20250101000002_backfill_titles.js',
      '20250101000003_create_docs.ts',
      '20250101000004_fill_docs.mjs',
      '20250101000005_docs_ivfflat_concurrently.cjs',
    ]);
    expect(report.notChecked).toEqual([]);
  });

  it('checks a range on the files before it, and finds nothing wrong with the guide’s pending migrations', async () => {
    const range = await verifyMigrations(null, configFor(source, { migrationsDir: fixture, migrationsTable: 'verify_range' }), {
      scope: 'range',
      from: '20250101000003_create_docs.ts',
      to: '20250101000004_fill_docs.mjs',
    });
    expect(range).toMatchObject({ checked: ['20250101000003_create_docs.ts', '20250101000004_fill_docs.mjs'], findings: [], problem: null, replay: { migrations: 2 } });
    // Every guide migration is applied on the live database here: nothing is pending.
    expect(await verifyMigrations(db.knex, configFor(source), { scope: 'pending' })).toMatchObject({ checked: [], findings: [], problem: null });
  });
});
