import 'server-only';
// Releasing knex's migration lock, for an admin, only when no session that could be migrating is
// alive: nobody holds Strata's run lock, and no other backend holds a lock on the migrations
// tables or is in a transaction that touched them.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import { recordAudit, targetLabel } from '../auth/audit';
import type { StrataConfig } from '../config';
import type { DbTarget } from '../db/target';
import type { Actor } from '../schemas/auth';
import { knexLockFlag, runLockFree } from './lock';
import { RUNS, THIS_PROCESS } from './runs';

export type Blocker = { pid: number; application: string; state: string | null; since: string | null; query: string };

export async function lockBlockers(knex: Knex, table: string): Promise<Blocker[]> {
  const { rows } = await knex.raw<{ rows: { pid: number; application_name: string; state: string | null; since: Date | null; query: string }[] }>(
    `SELECT DISTINCT a.pid, a.application_name, a.state, coalesce(a.xact_start, a.query_start) AS since, left(a.query, 300) AS query
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE a.pid <> pg_backend_pid()
        AND l.relation IN (to_regclass(?), to_regclass(?))
     UNION
     SELECT a.pid, a.application_name, a.state, coalesce(a.xact_start, a.query_start), left(a.query, 300)
       FROM pg_stat_activity a
      WHERE a.pid <> pg_backend_pid() AND a.datname = current_database()
        AND a.state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
        AND a.query ILIKE ?`,
    [`"${table}"`, `"${table}_lock"`, `%${table}%`],
  );
  return rows.map((r) => ({ pid: r.pid, application: r.application_name, state: r.state, since: r.since?.toISOString() ?? null, query: r.query }));
}

export async function releaseKnexLock(
  db: { knex: Knex; target: DbTarget },
  config: StrataConfig,
  actor: Actor,
  meta: { requestId: string; ip: string | null },
): Promise<{ released: boolean }> {
  const { knex } = db;
  const table = config.migrationsTable;
  const audit = (outcome: 'success' | 'denied', details: Record<string, unknown>) =>
    recordAudit(db, { actor, action: 'migrations.lock_release', outcome, requestId: meta.requestId, ip: meta.ip, details });
  if (!(await knexLockFlag(knex, table))) return { released: false };
  if (!(await runLockFree(knex, table))) {
    await audit('denied', { reason: 'a run through Strata holds the lock' });
    throw new ApiError('conflict', 'A run through Strata is in progress and holds the lock; it releases the lock when it ends');
  }
  const blockers = await lockBlockers(knex, table);
  if (blockers.length) {
    await audit('denied', { reason: 'sessions alive', blockers });
    throw new ApiError('conflict', `${blockers.length} database session(s) may still be migrating; the lock stays until they end`, { blockers });
  }
  const id = randomUUID();
  await knex.transaction(async (trx) => {
    await trx(`${table}_lock`).update({ is_locked: 0 });
    await trx(RUNS).insert({
      id,
      kind: 'lock_release',
      status: 'succeeded',
      migrations_table: table,
      target_database: targetLabel(db.target),
      actor_type: actor.kind,
      actor_label: actor.label,
      role: actor.role,
      request_id: meta.requestId,
      host: THIS_PROCESS.host,
      pid: THIS_PROCESS.pid,
      finished_at: trx.fn.now(),
    });
  });
  await audit('success', { runId: id, table: `${table}_lock` });
  return { released: true };
}
