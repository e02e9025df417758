// The migrations console on a real database: status (missing and changed files), plans that
// change nothing, runs and rollbacks that do what the plan said, and failures that leave nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { makePlan } from '../lib/migrations/plan';
import { PlanChangedError, startRun } from '../lib/migrations/runner';
import { getRun, listRuns } from '../lib/migrations/runs';
import { migrationsOverview } from '../lib/migrations/status';
import { releaseKnexLock } from '../lib/migrations/release';
import type { StrataConfig } from '../lib/config';
import { readCatalog } from './harness/catalog';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();
const operator = { kind: 'user' as const, id: 'u1', label: 'op@test.example', role: 'operator' as const };
const admin = { kind: 'user' as const, id: 'u2', label: 'admin@test.example', role: 'admin' as const };
const meta = { requestId: 'test-request', ip: '127.0.0.1' };

/** A migrations folder of the test's own, with a table of its own, beside the guide's. */
function scratchMigrations(files: Record<string, string>): StrataConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-mig-'));
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  return { ...db.config, migrationsDir: dir, migrationsTable: `m_${path.basename(dir).replace(/[^a-z0-9]/gi, '').toLowerCase()}` };
}

const createTable = (name: string, extra = '') => `
exports.up = async (knex) => { await knex.raw('CREATE TABLE ${name} (id int primary key)'); ${extra} };
exports.down = async (knex) => { await knex.raw('DROP TABLE ${name}'); };
`;

const snapshot = async (table: string) => ({
  catalog: await readCatalog(db.knex),
  applied: (await db.knex.schema.hasTable(table)) ? await db.knex(table).select('name', 'batch').orderBy('id') : null,
});

beforeAll(async () => {
  await ensureStrataSchema(db.knex);
});

describe('plans', () => {
  it('a plan of the guide migrations changes nothing, shows their SQL, and flags the ivfflat indexes on empty tables', async () => {
    const before = await snapshot(db.config.migrationsTable);
    const plan = await makePlan(db.knex, db.config, 'up');
    expect(await snapshot(db.config.migrationsTable)).toEqual(before);
    expect(plan.error).toBeNull();
    expect(plan.atomic).toBe(true);
    expect(plan.migrations.length).toBe(fs.readdirSync('db/migrations').filter((f) => f.endsWith('.ts')).length);
    expect(plan.migrations.every((m) => m.previewable)).toBe(true);
    expect(plan.confirm).toEqual({ expected: plan.migrations.map((m) => m.name) });
    const vectorSql = plan.migrations[2]!.statements.join('\n');
    expect(vectorSql).toMatch(/CREATE TABLE topic_vectors/);
    expect(vectorSql).toMatch(/USING ivfflat/i);
    const ivf = plan.findings.filter((f) => f.rule === 'ivfflat-little-data');
    expect(ivf.length).toBeGreaterThanOrEqual(2);
    expect(ivf[0]!.safer).toMatch(/after loading data/);
  });

  it('run pending applies exactly the planned migrations in one batch; the rollback plan lists what it destroys', async () => {
    const plan = await makePlan(db.knex, db.config, 'up');
    const { done } = await startRun(db, db.config, operator, { kind: 'latest', expected: (plan.confirm as { expected: string[] }).expected }, meta);
    const run = await done;
    expect(run.status).toBe('succeeded');
    expect(run.batch).toBe(1);
    expect(run.migrations.map((m) => [m.name, m.status])).toEqual(plan.migrations.map((m) => [m.name, 'committed']));
    expect(run.atomic).toBe(true);
    expect(await db.knex(db.config.migrationsTable).select('name', 'batch').orderBy('id')).toEqual(plan.migrations.map((m) => ({ name: m.name, batch: 1 })));
    const status = await migrationsOverview(db, db.config);
    expect(status.migrations.every((m) => m.status === 'applied' && m.appliedBy === operator.label && m.durationMs !== null)).toBe(true);
    expect(status.lastBatch).toBe(1);
    expect(status.lock).toMatchObject({ knexLocked: false, running: null });

    await db.knex('forums').insert([{ name: 'a', url: 'https://a.example' }, { name: 'b', url: 'https://b.example' }]);
    const down = await makePlan(db.knex, db.config, 'down');
    expect(down.batch).toBe(1);
    expect(down.migrations.map((m) => m.name)).toEqual([...plan.migrations.map((m) => m.name)].reverse());
    const tables = down.destroys.filter((d) => d.kind === 'table');
    expect(tables.find((t) => t.name === 'forums')).toMatchObject({ rows: 2, rowsEstimated: false });
    expect(down.destroys.find((d) => d.kind === 'extension')).toMatchObject({ name: 'vector' });
    expect(down.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['drop-table', 'drop-extension']));

    const back = await (await startRun(db, db.config, operator, { kind: 'rollback', batch: 1 }, meta)).done;
    expect(back.status).toBe('succeeded');
    const catalog = await readCatalog(db.knex);
    for (const t of tables) expect(catalog.tables[t.name], t.name).toBeUndefined();
    expect(await db.knex(db.config.migrationsTable).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '0' }]);
    expect(await db.knex('strata.applied_migrations').where({ migrations_table: db.config.migrationsTable })).toEqual([]);
  });

  it('refuses a confirmation that no longer matches the database (409)', async () => {
    await expect(startRun(db, db.config, operator, { kind: 'latest', expected: ['20240211000001_initial_setup.ts'] }, meta)).rejects.toBeInstanceOf(PlanChangedError);
    // Nothing is applied: no plan was made, so the answer says that instead of "changed".
    await expect(startRun(db, db.config, operator, { kind: 'rollback', batch: 7 }, meta)).rejects.toMatchObject({
      code: 'conflict',
      message: 'Nothing is applied, so there is no batch to roll back.',
    });
    const { runs } = await listRuns(db.knex, db.config.migrationsTable, { limit: 50 });
    expect(runs.map((r) => r.kind)).toEqual(['rollback', 'latest']);
  });
});

describe('failures', () => {
  it('a migration that fails in the middle of a batch leaves nothing of the batch, and the run says where', async () => {
    const config = scratchMigrations({
      '001_a.js': createTable('fail_a'),
      '002_b.js': `exports.up = async (knex) => { await knex.raw('CREATE TABLE fail_b (id int)'); await knex.raw('SELECT * FROM no_such_table'); };
exports.down = async () => {};`,
      '003_c.js': createTable('fail_c'),
    });
    const before = await snapshot(config.migrationsTable);
    const plan = await makePlan(db.knex, config, 'up');
    expect(plan.error).toMatchObject({ migration: '002_b.js', statement: expect.stringContaining('no_such_table') });
    // 001 ran to its end in the live dry run; 002 failed there and on the shadow; 003 ran nowhere.
    expect(plan.migrations.map((m) => m.previewedOn)).toEqual(['live', null, null]);
    expect(plan.migrations[1]!.reason).toMatch(/failed in the live dry run: .*no_such_table/);
    expect(plan.migrations[1]!.statements.join('\n')).toMatch(/no_such_table/);
    const run = await (await startRun(db, config, operator, { kind: 'latest', expected: ['001_a.js', '002_b.js', '003_c.js'] }, meta)).done;
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ migration: '002_b.js', statement: expect.stringContaining('no_such_table') });
    expect(run.error!.message).toMatch(/no_such_table/);
    const after = await snapshot(config.migrationsTable);
    expect(after.catalog).toEqual(before.catalog);
    expect(after.applied ?? []).toEqual([]);
    const audit = await db.knex('strata.audit_events').where({ action: 'migrations.latest', outcome: 'failure' }).first();
    expect(audit.details.runId).toBe(run.id);
  });

  it('a migration that cannot run in a transaction is previewed on the shadow, not on the live database', async () => {
    const config = scratchMigrations({
      '001_t.js': createTable('nt_t'),
      '002_idx.js': `exports.config = { transaction: false };
exports.up = async (knex) => { await knex.raw('CREATE INDEX CONCURRENTLY nt_t_idx ON nt_t (id)'); };
exports.down = async (knex) => { await knex.raw('DROP INDEX CONCURRENTLY nt_t_idx'); };`,
    });
    const plan = await makePlan(db.knex, config, 'up');
    expect(plan.atomic).toBe(false);
    expect(plan.migrations[0]).toMatchObject({ previewable: true, previewedOn: 'live', transaction: true });
    expect(plan.migrations[1]).toMatchObject({ previewable: true, previewedOn: 'shadow', transaction: false, source: null });
    expect(plan.migrations[1]!.reason).toMatch(/runs outside a transaction/);
    expect(plan.migrations[1]!.statements).toEqual(['CREATE INDEX CONCURRENTLY nt_t_idx ON nt_t (id)']);
    expect(plan.migrations[1]!.effects).toMatchObject([{ kind: 'index', name: 'nt_t_idx', table: 'nt_t', change: 'added' }]);
    const run = await (await startRun(db, config, operator, { kind: 'latest', expected: ['001_t.js', '002_idx.js'] }, meta)).done;
    expect(run.status).toBe('succeeded');
    expect((await readCatalog(db.knex)).indexes.nt_t_idx).toMatch(/nt_t/);
    const status = await migrationsOverview(db, config);
    expect(status.migrations.map((m) => m.transaction)).toEqual([true, false]);
  });
});

describe('status', () => {
  it('reports a changed file and a missing file, and knex refuses to plan with a missing one', async () => {
    const config = scratchMigrations({ '001_x.js': createTable('st_x'), '002_y.js': createTable('st_y') });
    await (await startRun(db, config, operator, { kind: 'latest', expected: ['001_x.js', '002_y.js'] }, meta)).done;
    fs.appendFileSync(path.join(config.migrationsDir, '001_x.js'), '\n// edited after it was applied\n');
    fs.rmSync(path.join(config.migrationsDir, '002_y.js'));
    const status = await migrationsOverview(db, config);
    expect(status.migrations.map((m) => [m.name, m.status])).toEqual([
      ['001_x.js', 'changed'],
      ['002_y.js', 'missing_file'],
    ]);
    expect(status.blocked).toMatch(/002_y\.js/);
    await expect(makePlan(db.knex, config, 'down')).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('the lock', () => {
  it('is released by an admin only when no session could hold it', async () => {
    const config = scratchMigrations({ '001_l.js': createTable('lk_l') });
    await makePlan(db.knex, config, 'up').catch(() => null);
    await db.knex.migrate.latest({ tableName: config.migrationsTable, directory: config.migrationsDir });
    await db.knex(`${config.migrationsTable}_lock`).update({ is_locked: 1 });
    expect((await migrationsOverview(db, config)).lock).toMatchObject({ knexLocked: true, running: null });
    expect((await migrationsOverview(db, config)).lock.explanation).toMatch(/no run through Strata holds it/);
    if (db.mode === 'embedded') {
      console.log('[skip] a second session holding the lock row needs two connections; the embedded database has one');
    } else {
      // A session that is in a transaction holding the lock row blocks the release.
      const holder = await db.knex.transaction();
      try {
        await holder(`${config.migrationsTable}_lock`).forUpdate().select('*');
        await expect(releaseKnexLock(db, config, admin, meta)).rejects.toMatchObject({ code: 'conflict' });
      } finally {
        await holder.rollback();
      }
    }
    {
      expect(await releaseKnexLock(db, config, admin, meta)).toEqual({ released: true });
      expect((await migrationsOverview(db, config)).lock.knexLocked).toBe(false);
      const run = (await listRuns(db.knex, config.migrationsTable, { limit: 5 })).runs[0]!;
      expect(run).toMatchObject({ kind: 'lock_release', status: 'succeeded', actorLabel: admin.label });
      expect(await getRun(db.knex, run.id)).toMatchObject({ id: run.id });
    }
  });
});
