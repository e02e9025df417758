// What a run says about itself, against the shapes of real migration folders
// (test/fixtures/migrations/messy): batches that are not one transaction and fail half-way,
// migrations outside a transaction that stop part-way, durations, the run lock, knex's lock
// held by another tool, a process killed mid-run, and the database going away mid-run.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrataConfig } from '../lib/config';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { makePlan } from '../lib/migrations/plan';
import { reconcileRuns } from '../lib/migrations/reconcile';
import { releaseKnexLock, terminateSuspect } from '../lib/migrations/release';
import { startRun, RunBusyError } from '../lib/migrations/runner';
import { getRun, listRuns } from '../lib/migrations/runs';
import { migrationsOverview } from '../lib/migrations/status';
import { describeRun } from '../lib/schemas/run-outcome';
import { readCatalog } from './harness/catalog';
import { freshTestDatabase } from './harness/db';
import { privateClusterUnavailable, startPrivateCluster } from './harness/private-cluster';

const db = freshTestDatabase();
const operator = { kind: 'user' as const, id: 'u1', label: 'op@test.example', role: 'operator' as const };
const admin = { kind: 'user' as const, id: 'u2', label: 'admin@test.example', role: 'admin' as const };
const meta = { requestId: 'test-request', ip: '127.0.0.1' };
const MESSY = path.join(process.cwd(), 'test', 'fixtures', 'migrations', 'messy');
const messyFiles = fs.readdirSync(MESSY).filter((f) => !f.endsWith('.md')).sort();

/** A migrations folder and table of the test's own: fixture files by name, plus files written here. */
function folder(fixtures: string[], extra: Record<string, string> = {}): StrataConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-runs-'));
  for (const f of fixtures) fs.copyFileSync(path.join(MESSY, f), path.join(dir, f));
  for (const [name, body] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), body);
  return { ...db.config, migrationsDir: dir, migrationsTable: `m_${path.basename(dir).replace(/[^a-z0-9]/gi, '').toLowerCase()}` };
}

const pendingOf = async (config: StrataConfig) => (await makePlan(db.knex, config, 'up')).migrations.map((m) => m.name);

/** The catalog without knex's and Strata's own bookkeeping tables. */
async function userCatalog(config: StrataConfig) {
  const c = await readCatalog(db.knex);
  for (const t of [config.migrationsTable, `${config.migrationsTable}_lock`]) delete c.tables[t];
  c.indexes = Object.fromEntries(Object.entries(c.indexes).filter(([name]) => !name.startsWith(config.migrationsTable)));
  return c;
}

function auditOf(runId: string) {
  return db.knex('strata.audit_events').whereRaw(`details->>'runId' = ?`, [runId]).orderBy('id');
}

const onPostgres = () => db.mode === 'postgres';

beforeAll(async () => {
  await ensureStrataSchema(db.knex);
});

describe('a batch that is not one transaction', () => {
  it('fails at its fifth migration: four stay committed and say so everywhere; the way back restores the catalog', async () => {
    const config = folder(messyFiles);
    const before = await userCatalog(config);
    const names = await pendingOf(config);
    expect(names).toEqual(messyFiles);
    const run = await (await startRun(db, config, operator, { kind: 'latest', expected: names }, meta)).done;

    expect(run).toMatchObject({ status: 'failed', atomic: false, outcomeKnown: true });
    expect(run.migrations.map((m) => [m.name, m.status, m.transaction])).toEqual([
      [messyFiles[0], 'committed', true],
      [messyFiles[1], 'committed', true],
      [messyFiles[2], 'committed', false],
      [messyFiles[3], 'committed', true],
      [messyFiles[4], 'rolled_back', true],
    ]);
    expect(run.error).toMatchObject({ migration: messyFiles[4], cause: 'migration', statement: expect.stringContaining('widget_archive') });
    const said = describeRun(run);
    expect(said.headline).toBe(`${messyFiles[4]} failed.`);
    expect(said.details[0]).toBe(
      `4 of 5 migrations stayed applied (${messyFiles.slice(0, 4).join(', ')}): the batch was not one transaction, so the database is not as it was before the run.`,
    );
    expect(said.details.join(' ')).not.toMatch(/database is as it was/);
    expect(said.unchanged).toBe(false);

    // The database agrees, and so do the history and the audit trail.
    expect(await db.knex(config.migrationsTable).orderBy('id').pluck('name')).toEqual(messyFiles.slice(0, 4));
    expect(await db.knex('widgets').count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '300' }]);
    expect(await db.knex.schema.hasTable('gadgets')).toBe(false);
    const history = (await listRuns(db.knex, config.migrationsTable, { limit: 5 })).runs[0]!;
    expect(history).toMatchObject({ id: run.id, status: 'failed', atomic: false, migrations: run.migrations, durationMs: run.durationMs });
    const audit = await auditOf(run.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'migrations.latest', outcome: 'failure' });
    expect(audit[0].details).toMatchObject({ atomic: false, outcome: said.headline, ms: run.durationMs });
    expect(audit[0].details.migrations.map((m: { status: string }) => m.status)).toEqual(['committed', 'committed', 'committed', 'committed', 'rolled_back']);

    // Strata recorded each as it committed: by whom and the checksum, so a later edit shows.
    const status = await migrationsOverview(db, config);
    expect(status.migrations.map((m) => [m.status, m.appliedBy])).toEqual([
      ['applied', operator.label],
      ['applied', operator.label],
      ['applied', operator.label],
      ['applied', operator.label],
      ['pending', null],
    ]);
    fs.appendFileSync(path.join(config.migrationsDir, messyFiles[1]!), '\n// edited after it was applied\n');
    expect((await migrationsOverview(db, config)).migrations[1]!.status).toBe('changed');

    // Roll back exactly what this run applied.
    const back = await (await startRun(db, config, operator, { kind: 'rollback', batch: run.batch!, undoesRun: run.id }, meta)).done;
    expect(back).toMatchObject({ status: 'succeeded', undoesRun: run.id });
    expect(back.migrations.map((m) => [m.name, m.status])).toEqual(messyFiles.slice(0, 4).reverse().map((n) => [n, 'committed']));
    expect(describeRun(back).headline).toBe(`Rolled back batch ${run.batch} (what run ${run.id.slice(0, 8)} applied): 4 migrations reverted.`);
    expect(await userCatalog(config)).toEqual(before);
    expect(await db.knex('strata.applied_migrations').where({ migrations_table: config.migrationsTable })).toEqual([]);
  });

  it('a migration outside a transaction that fails is reported as stopped part-way, with what stayed', async () => {
    const config = folder(messyFiles.slice(0, 1), {
      '20260101000009_two_indexes.cjs': `exports.config = { transaction: false };
exports.up = async (knex) => {
  await knex.raw('CREATE INDEX CONCURRENTLY widgets_score_idx ON widgets (score)');
  await knex.raw('CREATE INDEX CONCURRENTLY widgets_bad_idx ON widgets (no_such_column)');
};
exports.down = async (knex) => { await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS widgets_score_idx'); };`,
    });
    await db.knex.schema.dropTableIfExists('widgets');
    const run = await (await startRun(db, config, operator, { kind: 'latest', expected: await pendingOf(config) }, meta)).done;
    expect(run.migrations.map((m) => m.status)).toEqual(['committed', 'partial']);
    const said = describeRun(run);
    expect(said.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 of 2 migrations stayed applied \(20260101000001_create_widgets\.js\)/),
        expect.stringMatching(/^20260101000009_two_indexes\.cjs ran outside a transaction and did not finish: what it did before it stopped stayed/),
      ]),
    );
    // It did: the first index is there.
    expect((await readCatalog(db.knex)).indexes.widgets_score_idx).toBeDefined();
    await db.knex.schema.dropTable('widgets');
  });

  it('an atomic batch that fails is rolled back whole, and says the database is as it was', async () => {
    const config = folder([messyFiles[0]!, messyFiles[4]!]);
    const before = await userCatalog(config);
    const run = await (await startRun(db, config, operator, { kind: 'latest', expected: await pendingOf(config) }, meta)).done;
    expect(run).toMatchObject({ status: 'failed', atomic: true });
    expect(run.migrations.map((m) => m.status)).toEqual(['rolled_back', 'rolled_back']);
    expect(describeRun(run).details).toEqual(['The batch ran in one transaction, so it was rolled back: the database is as it was before the run.']);
    expect(await userCatalog(config)).toEqual(before);
  });

  it('"roll back what this run applied" is refused once the last batch is no longer what that run left', async () => {
    const config = folder(messyFiles);
    const failed = await (await startRun(db, config, operator, { kind: 'latest', expected: await pendingOf(config) }, meta)).done;
    // Fix the file, run the rest: a new batch on top.
    fs.writeFileSync(path.join(config.migrationsDir, messyFiles[4]!), `exports.up = async (knex) => { await knex.raw('CREATE TABLE gadgets (id int)'); };
exports.down = async (knex) => { await knex.raw('DROP TABLE gadgets'); };`);
    const rest = await (await startRun(db, config, operator, { kind: 'latest', expected: [messyFiles[4]!] }, meta)).done;
    expect(rest).toMatchObject({ status: 'succeeded', batch: failed.batch! + 1 });
    await expect(startRun(db, config, operator, { kind: 'rollback', batch: rest.batch!, undoesRun: failed.id }, meta)).rejects.toMatchObject({
      code: 'conflict',
      message: `The last batch is ${rest.batch}, not batch ${failed.batch} of run ${failed.id}: roll back what came after it first.`,
    });
    for (const batch of [rest.batch!, failed.batch!]) expect((await (await startRun(db, config, operator, { kind: 'rollback', batch }, meta)).done).status).toBe('succeeded');
  });
});

describe('durations and the run lock', () => {
  it('a run of a 3 s migration reports at least 3 s, the same in the run, its record and its audit row', async () => {
    const config = folder([], { '001_sleep.js': `exports.up = async (knex) => { await knex.raw('SELECT pg_sleep(3)'); };\nexports.down = async () => {};` });
    const started = await startRun(db, config, operator, { kind: 'latest', expected: ['001_sleep.js'] }, meta);
    const run = await started.done;
    expect(run.durationMs).toBeGreaterThanOrEqual(3000);
    expect(run.migrations[0]!.ms).toBeGreaterThanOrEqual(3000);
    expect(run.durationMs!).toBeGreaterThanOrEqual(run.migrations[0]!.ms!);
    expect(new Date(run.startedAt).getTime()).toBeLessThanOrEqual(new Date(run.migrations[0]!.startedAt!).getTime());
    const stored = await getRun(db.knex, started.id);
    expect(stored).toMatchObject({ durationMs: run.durationMs, startedAt: run.startedAt, finishedAt: run.finishedAt });
    expect((await auditOf(started.id))[0].details.ms).toBe(run.durationMs);
  });

  it('a second run while one runs gets 409 naming the run that holds the lock, read from memory while it runs', async () => {
    const config = folder([], { '001_sleep.js': `exports.up = async (knex) => { await knex.raw('SELECT pg_sleep(2)'); };\nexports.down = async () => {};` });
    const first = await startRun(db, config, operator, { kind: 'latest', expected: ['001_sleep.js'] }, meta);
    const err = await startRun(db, config, admin, { kind: 'latest', expected: ['001_sleep.js'] }, meta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunBusyError);
    expect((err as RunBusyError).details).toMatchObject({ running: { id: first.id, actorLabel: operator.label, status: 'running' } });
    expect((err as RunBusyError).message).toContain(`run ${first.id}`);
    const live = await getRun(db.knex, first.id);
    expect(live).toMatchObject({ status: 'running', outcomeKnown: false });
    await first.done;
  });
});

describe("knex's lock held by another tool", () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('is not released while a knex process (or the session it left) is mid-migration; it is once that session ends', async (ctx) => {
    ctx.skip(!onPostgres(), 'a second process migrating beside Strata needs a database with several connections; the embedded database has one');
    const config = folder([], {
      '001_slow_column.js': `exports.up = async (knex) => { await knex.raw('CREATE TABLE IF NOT EXISTS lr_t (id int)'); await knex.raw('ALTER TABLE lr_t ADD COLUMN c int'); await knex.raw('SELECT pg_sleep(4)'); };
exports.down = async (knex) => { await knex.raw('ALTER TABLE lr_t DROP COLUMN c'); };`,
      '002_index.js': `exports.config = { transaction: false };
exports.up = async (knex) => { await knex.raw('CREATE INDEX CONCURRENTLY lr_t_c_idx ON lr_t (c)'); };
exports.down = async (knex) => { await knex.raw('DROP INDEX CONCURRENTLY lr_t_c_idx'); };`,
    });
    child = spawn(process.execPath, ['test/fixtures/knex-migrate-child.mjs'], {
      env: { ...process.env, DATABASE_URL: db.url, MIGRATIONS_DIR: config.migrationsDir, MIGRATIONS_TABLE: config.migrationsTable },
      stdio: 'ignore',
    });
    const sleeper = async () =>
      // Only the migration's own statement: an idle connection of this test's pool shows this very
      // query (which names pg_sleep(4) too) as its last one.
      (
        await db.knex.raw<{ rows: { pid: number }[] }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%SELECT pg_sleep(4)%' AND query NOT LIKE '%pg_stat_activity%' AND pid <> pg_backend_pid()`,
        )
      ).rows[0]?.pid;
    await expect.poll(sleeper, { timeout: 20_000 }).toBeTypeOf('number');
    const pid = (await sleeper())!;

    // The knex process dies; its session goes on inside pg_sleep with its transaction open.
    child.kill('SIGKILL');
    const refused = await releaseKnexLock(db, config, admin, meta).catch((e: unknown) => e as { code: string; details: { sessions: { pid: number; reasons: string[] }[] } });
    expect(refused).toMatchObject({ code: 'conflict' });
    const listed = (refused as { details: { sessions: { pid: number; reasons: string[] }[] } }).details.sessions.find((s) => s.pid === pid);
    expect(listed?.reasons).toEqual(expect.arrayContaining(['is in a transaction that holds a lock that schema changes take']));
    // Nor does Strata start a run on top of it.
    await expect(startRun(db, config, operator, { kind: 'latest', expected: ['001_slow_column.js', '002_index.js'] }, meta)).rejects.toMatchObject({ code: 'conflict' });
    const lock = (await migrationsOverview(db, config)).lock;
    expect(lock).toMatchObject({ knexLocked: true, running: null });
    expect(lock.suspects.map((s) => s.pid)).toContain(pid);

    // Once the session has ended, nothing can be migrating: the release goes through.
    await expect.poll(async () => (await releaseKnexLock(db, config, admin, meta).catch(() => ({ released: false }))).released, { timeout: 20_000, interval: 500 }).toBe(true);
    expect((await migrationsOverview(db, config)).lock).toMatchObject({ knexLocked: false, suspects: [] });
    expect((await listRuns(db.knex, config.migrationsTable, { limit: 1 })).runs[0]).toMatchObject({ kind: 'lock_release', actorLabel: admin.label });
  });
});

describe('ending a session that could hold the lock', () => {
  it('is only for a listed session, is audited, and lets the release through', async (ctx) => {
    ctx.skip(!onPostgres(), 'a second session beside the dashboard needs a database with several connections; the embedded database has one');
    const config = folder([], { '001_t.js': `exports.up = async (knex) => { await knex.raw('CREATE TABLE term_t (id int)'); };\nexports.down = async (knex) => { await knex.raw('DROP TABLE term_t'); };` });
    await (await startRun(db, config, operator, { kind: 'latest', expected: ['001_t.js'] }, meta)).done;
    await db.knex(`${config.migrationsTable}_lock`).update({ is_locked: 1 });
    // Another client, in a transaction that took a schema-change lock and went idle.
    const other = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 1 } });
    try {
      const trx = await other.transaction();
      await trx.raw('ALTER TABLE term_t ADD COLUMN c int');
      const pid = (await trx.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await expect(releaseKnexLock(db, config, admin, meta)).rejects.toMatchObject({ code: 'conflict' });
      const ownPid = (await db.knex.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await expect(terminateSuspect(db, config, admin, ownPid === pid ? pid + 1 : ownPid, meta)).rejects.toMatchObject({ code: 'conflict' });
      expect(await terminateSuspect(db, config, admin, pid, meta)).toMatchObject({ terminated: true, session: { pid } });
      await expect.poll(async () => (await releaseKnexLock(db, config, admin, meta).catch(() => ({ released: false }))).released, { timeout: 10_000 }).toBe(true);
      const audit = await db.knex('strata.audit_events').where({ action: 'migrations.terminate_backend' }).orderBy('id');
      expect(audit.map((a: { outcome: string }) => a.outcome)).toEqual(['denied', 'success']);
      expect((await listRuns(db.knex, config.migrationsTable, { limit: 2 })).runs.map((r) => r.kind)).toEqual(['lock_release', 'terminate_backend']);
      await trx.rollback().catch(() => undefined);
    } finally {
      await other.destroy();
    }
  });
});

describe('a process killed mid-run', () => {
  it('leaves no session of the run behind, and is reported interrupted with what committed and the true lock state', async (ctx) => {
    ctx.skip(!onPostgres(), 'killing the process that owns an embedded database is a different test (PGlite recovery); this one needs PostgreSQL');
    const config = folder(messyFiles.slice(0, 1), {
      '20260101000006_slow_index.cjs': `exports.config = { transaction: false };
exports.up = async (knex) => { await knex.raw('SELECT pg_sleep(30)'); await knex.raw('CREATE INDEX CONCURRENTLY widgets_slow_idx ON widgets (name)'); };
exports.down = async (knex) => { await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS widgets_slow_idx'); };`,
    });
    await db.knex.schema.dropTableIfExists('widgets');
    const child = spawn('npx', ['tsx', '--conditions=react-server', 'test/fixtures/start-run-child.ts'], {
      env: { ...process.env, DATABASE_URL: db.url, STRATA_MIGRATIONS_DIR: config.migrationsDir, STRATA_MIGRATIONS_TABLE: config.migrationsTable, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => /RUN (\S+)/.exec(out)?.[1], { timeout: 60_000 }).toBeTruthy();
    const runId = /RUN (\S+)/.exec(out)![1]!;
    const tag = `strata run ${runId}`;
    const sessions = async () =>
      (await db.knex.raw<{ rows: { pid: number; state: string }[] }>(`SELECT pid, state FROM pg_stat_activity WHERE application_name = ?`, [tag])).rows;
    await expect.poll(async () => (await db.knex('strata.migration_runs').where({ id: runId }).first())?.current_migration, { timeout: 30_000 }).toBe('20260101000006_slow_index.cjs');
    expect((await sessions()).length).toBeGreaterThan(0);

    process.kill(-child.pid!, 'SIGKILL');
    // PostgreSQL notices the vanished client within a second, even inside pg_sleep.
    await expect.poll(async () => (await sessions()).filter((s) => s.state === 'active').length, { timeout: 3000, interval: 100 }).toBe(0);

    expect(await reconcileRuns(db, config)).toBe(1);
    const run = (await getRun(db.knex, runId))!;
    expect(run).toMatchObject({ status: 'interrupted', currentMigration: null, atomic: false });
    expect(run.error).toMatchObject({ cause: 'process_stopped', migration: '20260101000006_slow_index.cjs' });
    expect(run.error!.message).toMatch(/stopped before the run finished/);
    expect(run.migrations.map((m) => m.status)).toEqual(['committed', 'partial']);
    expect(run.aftermath).toMatchObject({ knexLocked: true });
    const said = describeRun(run);
    expect(said.headline).toBe('The dashboard process running this stopped during 20260101000006_slow_index.cjs.');
    expect(said.details.join(' ')).toMatch(/knex's lock flag was still set/);
    expect(said.details.join(' ')).not.toMatch(/A run in one transaction|was rolled back by PostgreSQL/);
    expect(await auditOf(runId)).toHaveLength(1);

    // The lock flag knex left: reported, and releasable since nothing could be migrating.
    const lock = (await migrationsOverview(db, config)).lock;
    expect(lock).toMatchObject({ knexLocked: true, running: null, suspects: [] });
    expect(await releaseKnexLock(db, config, admin, meta)).toEqual({ released: true });
  });
});

describe('the database going away mid-run', () => {
  let cluster: Awaited<ReturnType<typeof startPrivateCluster>> | undefined;
  let k: Knex | undefined;
  afterAll(async () => {
    await k?.destroy();
    cluster?.destroy();
  });

  it('records the run and its audit row once the database is back, with the true reason', async (ctx) => {
    const unavailable = privateClusterUnavailable();
    ctx.skip(!onPostgres() || !!unavailable, `needs a PostgreSQL cluster of the test's own to crash: ${unavailable ?? 'this run uses the embedded database'}`);
    cluster = await startPrivateCluster();
    cluster.createDatabase('crash');
    const target = { kind: 'external' as const, url: cluster.url('crash') };
    k = knexFactory({ client: 'pg', connection: target.url, pool: { min: 0, max: 4 } });
    const crashDb = { knex: k, target };
    await ensureStrataSchema(k);
    const config = { ...folder(messyFiles.slice(0, 1), {
      '20260101000007_slow.js': `exports.up = async (knex) => { await knex.raw('CREATE TABLE slow_t (id int)'); await knex.raw('SELECT pg_sleep(30)'); };
exports.down = async (knex) => { await knex.raw('DROP TABLE slow_t'); };`,
      '20260101000008_index.cjs': `exports.config = { transaction: false };
exports.up = async (knex) => { await knex.raw('CREATE INDEX CONCURRENTLY slow_t_idx ON slow_t (id)'); };
exports.down = async () => {};`,
    }), databaseUrl: target.url };
    const started = await startRun(crashDb, config, operator, { kind: 'latest', expected: [messyFiles[0]!, '20260101000007_slow.js', '20260101000008_index.cjs'] }, meta, { retryDelayMs: 200 });
    await expect.poll(async () => (await getRun(k!, started.id))?.currentMigration, { timeout: 20_000 }).toBe('20260101000007_slow.js');

    cluster.stop('immediate');
    await started.databaseLost;
    // The database is down: the process running it answers from its memory, and says what it cannot know yet.
    const meanwhile = (await getRun(k, started.id))!;
    expect(meanwhile).toMatchObject({ status: 'failed', outcomeKnown: false, error: { cause: 'connection_lost' } });
    expect(describeRun(meanwhile).details).toEqual([expect.stringMatching(/^What stayed applied is not known yet/)]);
    cluster.start();
    const run = await started.done;

    expect(run).toMatchObject({ status: 'failed', outcomeKnown: true });
    expect(run.error).toMatchObject({ cause: 'connection_lost', migration: '20260101000007_slow.js' });
    expect(run.error!.message).toMatch(/^Database connection lost during 20260101000007_slow\.js/);
    expect(run.migrations.map((m) => m.status)).toEqual(['committed', 'rolled_back', 'not_started']);
    const stored = (await k('strata.migration_runs').where({ id: started.id }).first()) as { status: string; error: { cause: string } };
    expect(stored).toMatchObject({ status: 'failed', error: { cause: 'connection_lost' } });
    const audit = await k('strata.audit_events').whereRaw(`details->>'runId' = ?`, [started.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'failure', details: { error: { cause: 'connection_lost', message: run.error!.message } } });
    expect(await k(config.migrationsTable).pluck('name')).toEqual([messyFiles[0]]);
  });
});

describe('index builds in a run', () => {
  it('report their phase and blocks while a CREATE INDEX CONCURRENTLY migration runs', async (ctx) => {
    ctx.skip(!onPostgres(), 'the embedded database does not report index builds (pg_stat_progress_create_index)');
    await db.knex.raw('CREATE EXTENSION IF NOT EXISTS vector');
    await db.knex.raw('CREATE TABLE build_t (id int, v vector(32))');
    await db.knex.raw(`INSERT INTO build_t SELECT i, (SELECT array_agg(random())::vector(32) FROM generate_series(1, 32) WHERE i > 0) FROM generate_series(1, 20000) i`);
    const config = folder([], {
      '001_hnsw.cjs': `exports.config = { transaction: false };
exports.up = async (knex) => { await knex.raw('CREATE INDEX CONCURRENTLY build_t_v_idx ON build_t USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32)'); };
exports.down = async (knex) => { await knex.raw('DROP INDEX CONCURRENTLY build_t_v_idx'); };`,
    });
    const started = await startRun(db, config, operator, { kind: 'latest', expected: ['001_hnsw.cjs'] }, meta);
    const seen: NonNullable<Awaited<ReturnType<typeof getRun>>>['progress'][] = [];
    let finished = false;
    void started.done.finally(() => (finished = true));
    while (!finished) {
      const r = await getRun(db.knex, started.id);
      if (r?.progress) seen.push(r.progress);
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await started.done).status).toBe('succeeded');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((p) => p!.phase.startsWith('building index') && p!.relation === 'build_t')).toBe(true);
    expect(seen.some((p) => p!.blocksTotal !== null && p!.blocksTotal > 0)).toBe(true);
  });
});
