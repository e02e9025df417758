import 'server-only';
// The lock that makes runs exclusive across dashboard processes: a PostgreSQL advisory lock per
// migrations table, held by a session of the run's own for the whole run (it dies with that
// session, so a dead process never keeps it). Dry runs take it shared, so plans never see a run
// half-way. The embedded database has one process, whose memory holds the lock instead.
import type { Knex } from 'knex';

// The first key of the two-key advisory lock: 'ST' 'RA', a namespace for Strata's own locks.
const NAMESPACE = 0x5354_5241 - 0x7fff_ffff;

export const RUN_TAG_PREFIX = 'strata run ';

/** The application_name every session of a run carries. */
export function runTag(runId: string): string {
  return `${RUN_TAG_PREFIX}${runId}`;
}

export function runIdFromTag(application: string | null | undefined): string | null {
  return application?.startsWith(RUN_TAG_PREFIX) ? application.slice(RUN_TAG_PREFIX.length) : null;
}

export async function tryRunLock(trx: Knex.Transaction, table: string, shared = false): Promise<boolean> {
  // On the embedded database a run holds the lock in this process's memory.
  if (embeddedHolders.has(table)) return false;
  const fn = shared ? 'pg_try_advisory_xact_lock_shared' : 'pg_try_advisory_xact_lock';
  const { rows } = await trx.raw<{ rows: { ok: boolean }[] }>(`SELECT ${fn}(?, hashtext(?)) AS ok`, [NAMESPACE, table]);
  return rows[0]!.ok;
}

/** A session-level hold on the lock, on a connection the run keeps for its whole length. */
export async function holdRunLockOnConnection(conn: { query: (sql: string, values: unknown[]) => Promise<{ rows: { ok: boolean }[] }> }, table: string): Promise<boolean> {
  const { rows } = await conn.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [NAMESPACE, table]);
  return rows[0]!.ok;
}

export async function releaseRunLockOnConnection(conn: { query: (sql: string, values: unknown[]) => Promise<unknown> }, table: string): Promise<void> {
  await conn.query('SELECT pg_advisory_unlock($1, hashtext($2))', [NAMESPACE, table]);
}

// Runs on the embedded database of this process, by migrations table.
const embeddedHolders: Map<string, string> = ((globalThis as Record<string, unknown>).__strataEmbeddedRunLocks ??= new Map<string, string>()) as Map<string, string>;

export function takeEmbeddedRunLock(table: string, runId: string): boolean {
  if (embeddedHolders.has(table)) return false;
  embeddedHolders.set(table, runId);
  return true;
}

export function dropEmbeddedRunLock(table: string, runId: string): void {
  if (embeddedHolders.get(table) === runId) embeddedHolders.delete(table);
}

/** Whether any session holds the run lock right now (checked by taking it for an instant). */
export async function runLockFree(knex: Knex, table: string): Promise<boolean> {
  if (embeddedHolders.has(table)) return false;
  return knex.transaction((trx) => tryRunLock(trx, table));
}

/** Who holds the run lock: the session (and the run, from its tag), or null when it is free. */
export async function lockHolder(knex: Knex, table: string): Promise<{ pid: number | null; runId: string | null } | null> {
  const embedded = embeddedHolders.get(table);
  if (embedded) return { pid: null, runId: embedded };
  const { rows } = await knex.raw<{ rows: { pid: number; application_name: string | null }[] }>(
    `SELECT a.pid, a.application_name
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock'
        AND l.classid = (?::int4)::oid AND l.objid = hashtext(?)::oid AND l.objsubid = 2`,
    [NAMESPACE, table],
  );
  const r = rows[0];
  return r ? { pid: r.pid, runId: runIdFromTag(r.application_name) } : null;
}

/** knex's own lock flag (`<table>_lock.is_locked`). */
export async function knexLockFlag(knex: Knex, table: string): Promise<boolean> {
  if (!(await knex.schema.hasTable(`${table}_lock`))) return false;
  const row = await knex(`${table}_lock`).first<{ is_locked: number } | undefined>('is_locked');
  return !!row?.is_locked;
}
