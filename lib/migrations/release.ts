import 'server-only';
// Releasing knex's migration lock, for an admin, only when no session could be the migrator that
// holds it (lib/migrations/sessions.ts says which count); and ending one of those sessions, as a
// separate, confirmed and audited action. Both are recorded in the run history.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import { recordAudit, targetLabel } from '../auth/audit';
import type { StrataConfig } from '../config';
import type { DbTarget } from '../db/target';
import type { Actor } from '../schemas/auth';
import type { SuspectSession } from '../schemas/migrations';
import { knexLockFlag, lockHolder } from './lock';
import { heldByRun, knexLockSince } from './lock-state';
import { RUNS, runningRun, THIS_PROCESS } from './runs';
import { describeSession, suspectSessions } from './sessions';

type Db = { knex: Knex; target: DbTarget; targetName?: string };
type Meta = { requestId: string; ip: string | null };

async function refuseWhileRunning(db: Db, table: string): Promise<void> {
  if (!(await lockHolder(db.knex, table))) return;
  const running = await runningRun(db.knex, table);
  throw new ApiError(
    'conflict',
    running ? `${heldByRun(running)} It releases the lock when it ends.` : 'A run through Strata holds the run lock; it releases the lock when it ends.',
    { running },
  );
}

async function suspectsNow(db: Db, table: string): Promise<SuspectSession[]> {
  return suspectSessions(db.knex, table, await knexLockSince(db.knex, table, true));
}

function recordAction(trx: Knex, db: Db, config: StrataConfig, actor: Actor, meta: Meta, kind: 'lock_release' | 'terminate_backend', expected: object) {
  return trx(RUNS).insert({
    id: randomUUID(),
    kind,
    status: 'succeeded',
    migrations_table: config.migrationsTable,
    target_database: targetLabel(db.target),
    actor_type: actor.kind,
    actor_label: actor.label,
    role: actor.role,
    request_id: meta.requestId,
    host: THIS_PROCESS.host,
    pid: THIS_PROCESS.pid,
    expected: JSON.stringify(expected),
    finished_at: trx.fn.now(),
    duration_ms: 0,
  });
}

export async function releaseKnexLock(db: Db, config: StrataConfig, actor: Actor, meta: Meta): Promise<{ released: boolean }> {
  const table = config.migrationsTable;
  const audit = (outcome: 'success' | 'denied', details: Record<string, unknown>) =>
    recordAudit(db, { actor, action: 'migrations.lock_release', outcome, requestId: meta.requestId, ip: meta.ip, details });
  if (!(await knexLockFlag(db.knex, table))) return { released: false };
  try {
    await refuseWhileRunning(db, table);
  } catch (err) {
    await audit('denied', { reason: 'a run through Strata holds the lock' });
    throw err;
  }
  const suspects = await suspectsNow(db, table);
  if (suspects.length) {
    await audit('denied', { reason: 'sessions that could be migrating', sessions: suspects });
    throw new ApiError(
      'conflict',
      `${suspects.length} database session(s) could be the migrator holding knex's lock, so it stays: ${suspects.map(describeSession).join(' ')} Wait for them to end, or end one as an admin.`,
      { sessions: suspects },
    );
  }
  await db.knex.transaction(async (trx) => {
    await trx(`${table}_lock`).update({ is_locked: 0 });
    await trx('strata.knex_lock_sightings').where({ migrations_table: table }).delete();
    await recordAction(trx, db, config, actor, meta, 'lock_release', { table: `${table}_lock` });
  });
  await audit('success', { table: `${table}_lock` });
  return { released: true };
}

/** Ends one of the sessions the lock release listed; refuses any other session. */
export async function terminateSuspect(db: Db, config: StrataConfig, actor: Actor, pid: number, meta: Meta): Promise<{ terminated: boolean; session: SuspectSession }> {
  const table = config.migrationsTable;
  const audit = (outcome: 'success' | 'denied' | 'failure', details: Record<string, unknown>) =>
    recordAudit(db, { actor, action: 'migrations.terminate_backend', outcome, requestId: meta.requestId, ip: meta.ip, details: { pid, ...details } });
  const session = (await suspectsNow(db, table)).find((s) => s.pid === pid);
  if (!session || !(await knexLockFlag(db.knex, table))) {
    await audit('denied', { reason: 'not a session that could hold the lock' });
    throw new ApiError('conflict', `Session ${pid} is not one of the sessions that could hold knex's lock (any more); Strata ends only those.`);
  }
  let terminated: boolean;
  try {
    const { rows } = await db.knex.raw<{ rows: { ok: boolean }[] }>('SELECT pg_terminate_backend(?) AS ok', [pid]);
    terminated = rows[0]!.ok;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await audit('failure', { session, error: message });
    // 42501: the role may not signal that backend (it belongs to another role and Strata's role lacks pg_signal_backend).
    if ((err as { code?: string }).code === '42501') throw new ApiError('forbidden', `PostgreSQL refused to end session ${pid}: ${message}`);
    throw err;
  }
  await db.knex.transaction((trx) => recordAction(trx, db, config, actor, meta, 'terminate_backend', { pid, session }));
  await audit(terminated ? 'success' : 'failure', { session, terminated });
  return { terminated, session };
}
