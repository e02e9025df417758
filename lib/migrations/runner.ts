import 'server-only';
// Run pending and Roll back batch, on the server: the run lock first (409 when another run holds
// it), then the check that the database still matches what the operator confirmed (409 with the
// new plan when not), then knex's migrator — inside one transaction when every migration allows
// it, so that a failure leaves the database as it was. The run record is written as it goes.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import { recordAudit, targetLabel } from '../auth/audit';
import type { StrataConfig } from '../config';
import type { DbTarget } from '../db/target';
import { log } from '../log';
import type { Actor } from '../schemas/auth';
import type { RunError, RunSummary } from '../schemas/migrations';
import { capture, migratorConfig } from './execute';
import { checksumOf } from './files';
import { holdRunLockOnConnection, knexLockFlag, releaseRunLockOnConnection, tryRunLock } from './lock';
import { currentWork } from './plan';
import { activeRuns, getRun, RUNS, THIS_PROCESS } from './runs';
import { StrataMigrationSource } from './source';

export type RunRequest = { kind: 'latest'; expected: string[] } | { kind: 'rollback'; batch: number };
type Db = { knex: Knex; target: DbTarget };

export class PlanChangedError extends ApiError {
  constructor(what: string) {
    super('conflict', `The database has changed since the plan was made: ${what}. Review the new plan.`);
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

type Entry = RunSummary['migrations'][number];

/**
 * Starts a run. Resolves once the run holds the lock and has checked the plan (the caller answers
 * 202 then); `done` resolves with the finished run. Rejects with 409 when another run holds the
 * lock or the plan changed.
 */
export async function startRun(
  db: Db,
  config: StrataConfig,
  actor: Actor | { kind: 'cli'; id?: string; label: string; role?: string },
  request: RunRequest,
  meta: { requestId?: string; ip?: string | null },
): Promise<{ id: string; done: Promise<RunSummary> }> {
  const { knex } = db;
  const table = config.migrationsTable;
  const direction = request.kind === 'latest' ? 'up' : 'down';
  const id = randomUUID();
  const entries: Entry[] = [];
  let current: string | null = null;
  let backendPid: number | null = null;
  let batch: number | null = null;

  // Record writes go through one queue so they land in order. They use other pool connections;
  // on the embedded database (one connection) they wait until the run's transaction is over.
  let queue: Promise<unknown> = Promise.resolve();
  const write = (fn: () => Promise<unknown>) => {
    queue = queue.then(fn).catch((err: unknown) => log.error({ err, runId: id }, 'could not write the run record'));
  };
  // One progress write waits in the queue at a time, carrying the latest state when it runs.
  let progressQueued = false;
  const progress = () => {
    if (progressQueued) return;
    progressQueued = true;
    write(() => {
      progressQueued = false;
      return knex(RUNS).where({ id }).update({ current_migration: current, migrations: JSON.stringify(entries), backend_pid: backendPid });
    });
  };
  const onStart = (name: string) => {
    current = name;
    entries.push({ name, status: 'running', startedAt: new Date().toISOString(), ms: null });
    progress();
  };
  const onEnd = (name: string, _d: 'up' | 'down', ms: number) => {
    const e = entries.find((x) => x.name === name && x.status === 'running');
    if (e) Object.assign(e, { status: 'done', ms });
    current = null;
    progress();
  };

  // Checks that the database is what the operator confirmed; run inside the lock.
  const verify = async (k: Knex) => {
    if (await knexLockFlag(k, table)) {
      throw new ApiError('conflict', `knex's migration lock (${table}_lock) is set: another tool is migrating, or a run died. An admin can release it on the migrations page.`);
    }
    const work = await currentWork(k, config, direction);
    const names = work.files.map((f) => f.name);
    if (request.kind === 'latest') {
      if (!names.length) throw new PlanChangedError('nothing is pending any more');
      if (!sameList(names, request.expected)) throw new PlanChangedError(`pending now: ${names.join(', ')}`);
    } else if (work.batch !== request.batch) {
      throw new PlanChangedError(work.batch === null ? 'no batch is applied' : `the last batch is now ${work.batch}`);
    }
    batch = work.batch;
    return work;
  };

  const insertRecord = () =>
    write(() =>
      knex(RUNS).insert({
        id,
        kind: request.kind,
        status: 'running',
        migrations_table: table,
        target_database: targetLabel(db.target),
        actor_type: actor.kind,
        actor_label: actor.label,
        role: actor.role ?? null,
        request_id: meta.requestId ?? null,
        expected: JSON.stringify(request.kind === 'latest' ? { expected: request.expected } : { batch: request.batch }),
        batch,
        host: THIS_PROCESS.host,
        pid: THIS_PROCESS.pid,
        backend_pid: backendPid,
      }),
    );

  // Keeps Strata's record of what it applied (checksums, durations) in step with knex_migrations.
  const recordApplied = async (k: Knex) => {
    const done = entries.filter((x) => x.status === 'done');
    if (!done.length) return;
    if (request.kind === 'rollback') {
      await k('strata.applied_migrations').where({ migrations_table: table }).whereIn('name', done.map((e) => e.name)).delete();
      return;
    }
    const files = new Map((await new StrataMigrationSource(config.migrationsDir).getMigrations()).map((f) => [f.file, f.path]));
    const rows = [];
    for (const e of done) {
      const path = files.get(e.name);
      if (path) rows.push({ migrations_table: table, name: e.name, checksum: checksumOf(await fs.readFile(path)), run_id: id, actor_label: actor.label, duration_ms: e.ms ?? 0 });
    }
    if (rows.length) await k('strata.applied_migrations').insert(rows).onConflict(['migrations_table', 'name']).merge();
  };

  let started!: () => void;
  let failedEarly!: (err: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    started = res;
    failedEarly = rej;
  });
  let failure: RunError | null = null;
  const startedAt = performance.now();

  const execute = async (): Promise<void> => {
    const work = await currentWork(knex, config, direction);
    const atomic = work.files.every((f) => f.transaction !== false);
    if (atomic) {
      await knex.transaction(async (trx) => {
        if (!(await tryRunLock(trx, table))) throw new ApiError('conflict', 'A migration run is already in progress');
        await verify(trx);
        const session = (await trx.raw<{ rows: { pid: number; version: number }[] }>(
          `SELECT pg_backend_pid() AS pid, current_setting('server_version_num')::int AS version`,
        )).rows[0]!;
        backendPid = session.pid;
        // If this process dies mid-run, PostgreSQL notices the closed connection within a second
        // even inside a long statement, rolls the batch back and frees the lock (PostgreSQL 14+).
        if (db.target.kind === 'external' && session.version >= 140000) await trx.raw(`SET LOCAL client_connection_check_interval = 1000`);
        activeRuns.add(id);
        insertRecord();
        started();
        const { state, hooks } = capture(knex, trx, onStart, onEnd);
        try {
          const cfg = migratorConfig(config, hooks);
          await (request.kind === 'latest' ? trx.migrate.latest(cfg) : trx.migrate.rollback(cfg));
          await recordApplied(trx);
        } catch (err) {
          failure = { message: err instanceof Error ? err.message : String(err), migration: state.current, statement: state.failedSql };
          throw err;
        }
      });
      return;
    }
    // A batch with a migration that cannot run in a transaction: the lock is held by a session
    // of its own for the length of the run (on the embedded database, one process owns it all).
    const client = knex.client as unknown as { acquireConnection(): Promise<{ query: (s: string, v: unknown[]) => Promise<{ rows: { ok: boolean }[] }> }>; releaseConnection(c: unknown): Promise<void> };
    const lockConn = db.target.kind === 'external' ? await client.acquireConnection() : null;
    try {
      if (lockConn && !(await holdRunLockOnConnection(lockConn, table))) throw new ApiError('conflict', 'A migration run is already in progress');
      if (!lockConn && activeRuns.size) throw new ApiError('conflict', 'A migration run is already in progress');
      await verify(knex);
      activeRuns.add(id);
      insertRecord();
      started();
      // Statements are captured from the whole knex instance here, so a concurrent request's
      // query could be filed under the running migration; only the error report uses them.
      const { state, hooks, stop } = capture(knex, knex, onStart, onEnd);
      try {
        const cfg = migratorConfig(config, hooks);
        await (request.kind === 'latest' ? knex.migrate.latest(cfg) : knex.migrate.rollback(cfg));
        await recordApplied(knex);
      } catch (err) {
        failure = { message: err instanceof Error ? err.message : String(err), migration: state.current, statement: state.failedSql };
        throw err;
      } finally {
        stop();
      }
    } finally {
      if (lockConn) {
        await releaseRunLockOnConnection(lockConn, table).catch(() => undefined);
        await client.releaseConnection(lockConn);
      }
    }
  };

  const done = execute().then(
    () => finish('succeeded'),
    async (err: unknown) => {
      if (!activeRuns.has(id)) {
        // Refused before it started (lock held, plan changed): no run record, no audit here.
        failedEarly(err);
        throw err;
      }
      return finish('failed');
    },
  );

  async function finish(status: 'succeeded' | 'failed'): Promise<RunSummary> {
    const e = entries.find((x) => x.status === 'running');
    if (e) e.status = 'failed';
    write(() =>
      knex(RUNS).where({ id }).update({
        status,
        finished_at: knex.fn.now(),
        current_migration: null,
        migrations: JSON.stringify(entries),
        batch,
        error: failure ? JSON.stringify(failure) : null,
      }),
    );
    write(() =>
      recordAudit(db, {
        actor,
        action: request.kind === 'latest' ? 'migrations.latest' : 'migrations.rollback',
        outcome: status === 'succeeded' ? 'success' : 'failure',
        requestId: meta.requestId,
        ip: meta.ip,
        details: { runId: id, batch, migrations: entries.map((x) => x.name), ms: Math.round(performance.now() - startedAt), ...(failure ? { error: failure } : {}) },
      }),
    );
    await queue;
    activeRuns.delete(id);
    return (await getRun(knex, id))!;
  }

  done.catch(() => undefined);
  await ready;
  return { id, done };
}
