import 'server-only';
// The database lock that makes runs exclusive across dashboard processes: a PostgreSQL advisory
// lock, per migrations table. Runs take it exclusively, dry runs shared, so plans never see a run
// half-way and two runs never overlap. It dies with the session that holds it.
import type { Knex } from 'knex';

// The first key of the two-key advisory lock: 'ST' 'RA', a namespace for Strata's own locks.
const NAMESPACE = 0x5354_5241 - 0x7fff_ffff;

export async function tryRunLock(trx: Knex.Transaction, table: string, shared = false): Promise<boolean> {
  const fn = shared ? 'pg_try_advisory_xact_lock_shared' : 'pg_try_advisory_xact_lock';
  const { rows } = await trx.raw<{ rows: { ok: boolean }[] }>(`SELECT ${fn}(?, hashtext(?)) AS ok`, [NAMESPACE, table]);
  return rows[0]!.ok;
}

/** A session-level hold on the same lock, for a batch that cannot run in one transaction. */
export async function holdRunLockOnConnection(conn: { query: (sql: string, values: unknown[]) => Promise<{ rows: { ok: boolean }[] }> }, table: string): Promise<boolean> {
  const { rows } = await conn.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [NAMESPACE, table]);
  return rows[0]!.ok;
}

export async function releaseRunLockOnConnection(conn: { query: (sql: string, values: unknown[]) => Promise<unknown> }, table: string): Promise<void> {
  await conn.query('SELECT pg_advisory_unlock($1, hashtext($2))', [NAMESPACE, table]);
}

/** Whether any session holds the run lock right now (checked by taking it for an instant). */
export async function runLockFree(knex: Knex, table: string): Promise<boolean> {
  return knex.transaction((trx) => tryRunLock(trx, table));
}

/** knex's own lock flag (`<table>_lock.is_locked`). */
export async function knexLockFlag(knex: Knex, table: string): Promise<boolean> {
  if (!(await knex.schema.hasTable(`${table}_lock`))) return false;
  const row = await knex(`${table}_lock`).first<{ is_locked: number } | undefined>('is_locked');
  return !!row?.is_locked;
}
