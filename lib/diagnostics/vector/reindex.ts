import 'server-only';
// Rebuilding an ANN index, an operator's action: REINDEX INDEX (CONCURRENTLY where the server can)
// in the background on a connection of its own, with the build's progress read from
// pg_stat_progress_create_index, and an audit record when it ends.
import type pg from 'pg';
import { ApiError } from '../../api/errors';
import { recordAudit, type AuditActor } from '../../auth/audit';
import type { Db } from '../../db/knex';
import { runningJob, startJob, type JobContext } from '../../jobs/registry';
import type { JobView, ReindexResult } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { num, readOnly, rows } from '../read-only';
import { findAnnTarget } from './ann-target';
import { readBuilds } from './builds';
import { serverInfo } from './report';

export type ReindexInput = { index: { schema: string; name: string }; confirm: string; concurrently: boolean; maintenanceWorkMemMb?: number };
export type ReindexWho = { actor: AuditActor; requestId: string; ip: string | null };

// A rebuild waits at most this long for its lock, so it never queues in front of other sessions' writes for long.
const LOCK_TIMEOUT = '10s';

async function sizeOf(db: Db, schema: string, name: string): Promise<number | null> {
  const [r] = await readOnly(db.knex, 5_000, (trx) =>
    rows<{ bytes: string | null }>(trx.raw("SELECT pg_relation_size(to_regclass(format('%I.%I', ?::text, ?::text))) AS bytes", [schema, name])),
  );
  return r?.bytes === null || r?.bytes === undefined ? null : num(r.bytes);
}

async function watchProgress(db: Db, pid: number, ctx: JobContext): Promise<() => void> {
  // The embedded database has one connection, and the rebuild holds it.
  if (db.target.kind === 'embedded') return () => {};
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    readOnly(db.knex, 2_000, (trx) => readBuilds(trx, pid))
      .then(([b]) => {
        if (b) ctx.progress(Math.round(b.percent ?? 0), 100, `${b.command}: ${b.phase}`);
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 1000);
  return () => clearInterval(timer);
}

export async function startReindex(db: Db, input: ReindexInput, who: ReindexWho): Promise<{ job: JobView; existing: boolean }> {
  const target = await findAnnTarget(db.knex, input.index);
  if (input.confirm !== target.name) throw new ApiError('bad_request', `confirm: type the index name (${target.name}) to confirm`);
  const server = await serverInfo(db);
  if (input.concurrently && !server.concurrentReindex) {
    throw new ApiError('bad_request', 'concurrently: this server cannot REINDEX CONCURRENTLY; send concurrently: false');
  }
  const running = await runningJob(db, 'reindex', target.label);
  if (running) return { job: running, existing: true };
  const builds = await readOnly(db.knex, 5_000, (trx) => readBuilds(trx));
  const table = qualified(target.schema, target.table);
  const busy = builds.find((b) => b.table === table);
  if (busy) throw new ApiError('conflict', `A ${busy.command} is already running on ${table} (process ${busy.pid}); wait for it to finish`);

  const sizeBefore = num(target.size_bytes);
  const concurrently = input.concurrently;
  const statement = db.knex.raw(`REINDEX INDEX ${concurrently ? 'CONCURRENTLY ' : ''}??.??`, [target.schema, target.name]).toQuery();
  const started = Date.now();
  const job = await startJob(
    db,
    { kind: 'reindex', key: target.label, subject: target.label, startedBy: who.actor.label },
    async (ctx): Promise<ReindexResult> => {
      ctx.progress(0, 100, `${concurrently ? 'REINDEX CONCURRENTLY' : 'REINDEX'}: waiting for its lock`);
      // A connection of its own: REINDEX CONCURRENTLY cannot run in a transaction, and the
      // session settings below must not leak to the pool's other users.
      const conn = (await db.knex.client.acquireConnection()) as pg.Client;
      let stop = () => {};
      try {
        const pid = (await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await conn.query("SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', '0', false)", [LOCK_TIMEOUT]);
        if (input.maintenanceWorkMemMb) await conn.query("SELECT set_config('maintenance_work_mem', $1, false)", [`${input.maintenanceWorkMemMb}MB`]);
        stop = await watchProgress(db, pid, ctx);
        await conn.query(statement);
      } finally {
        stop();
        await conn.query('RESET lock_timeout; RESET statement_timeout; RESET maintenance_work_mem').catch(() => undefined);
        await db.knex.client.releaseConnection(conn);
      }
      return { index: target.label, table, method: target.method, concurrently, ms: Date.now() - started, sizeBeforeBytes: sizeBefore, sizeAfterBytes: await sizeOf(db, target.schema, target.name) };
    },
    async (done) => {
      await recordAudit(db, {
        actor: who.actor,
        action: 'vector.reindex',
        outcome: done.status === 'done' ? 'success' : 'failure',
        requestId: who.requestId,
        ip: who.ip,
        details: {
          index: target.label,
          table,
          concurrently,
          maintenanceWorkMemMb: input.maintenanceWorkMemMb ?? null,
          durationMs: Date.now() - started,
          jobId: done.id,
          ...(done.error ? { error: done.error } : {}),
        },
      });
    },
  );
  return { job, existing: false };
}
