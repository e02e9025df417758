import 'server-only';
// Database sessions that could be a migrator, for the lock release, the lock panel and the 409s.
// knex's lock flag says only "someone set me"; a migrator busy inside its own migration holds
// no lock on knex's tables, so Strata counts every session that could be one:
//   - it holds or waits for a lock on the migrations table or its lock table;
//   - it carries a run tag (a Strata run's sessions) or a knex tag (the knex CLI through this
//     project's knexfile), whatever it is doing;
//   - it is in a transaction that holds or waits for a DDL-level lock (what migrations take);
//   - its transaction began before knex's flag was (or may have been) set.
// A migrator between two statements outside a transaction, untagged, holds nothing and cannot be
// seen; the messages that rely on this list say so. The last rule leaves out this process's own
// pooled connections (the dashboard's short reads, possibly in flight as it asks); the others do not.
import type { Knex } from 'knex';
import { KNEX_CLI_APPLICATION } from '../db/knex-config';
import { databaseKeyOf } from '../db/database-key';
import { ownBackendPids } from '../db/own-backends';
import type { SuspectSession } from '../schemas/migrations';
import { RUN_TAG_PREFIX } from './lock';

const DDL_MODES = ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];

type Row = {
  pid: number;
  usename: string | null;
  application_name: string | null;
  client_addr: string | null;
  xact_start: Date | null;
  state: string | null;
  query: string | null;
  on_tables: boolean;
  ddl: boolean;
  ddl_waiting: boolean;
  tagged: boolean;
  knex_tagged: boolean;
  before_lock: boolean;
};

/**
 * Sessions of this database, other than the caller's, that could be migrating. `lockSince`: the
 * earliest time knex's flag is known to have been set (transactions older than that count).
 */
export async function suspectSessions(knex: Knex, table: string, lockSince: Date | null): Promise<SuspectSession[]> {
  const { rows } = await knex.raw<{ rows: Row[] }>(
    `SELECT a.pid, a.usename, a.application_name, host(a.client_addr) AS client_addr, a.xact_start, a.state,
            left(a.query, 500) AS query,
            EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation IN (to_regclass(?), to_regclass(?))) AS on_tables,
            EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.pid = a.pid AND l.locktype = 'relation' AND l.granted
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND l.mode = ANY(?)) AS ddl,
            EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.pid = a.pid AND l.locktype = 'relation' AND NOT l.granted AND l.mode = ANY(?)) AS ddl_waiting,
            a.application_name LIKE ? AS tagged,
            a.application_name = ? AS knex_tagged,
            (a.xact_start IS NOT NULL AND ?::timestamptz IS NOT NULL AND a.xact_start <= ?::timestamptz AND NOT (a.pid = ANY(?::int[]))) AS before_lock
       FROM pg_stat_activity a
      WHERE a.pid <> pg_backend_pid()
        AND a.datname = current_database()
        AND a.backend_type = 'client backend'
      ORDER BY a.pid`,
    [`"${table}"`, `"${table}_lock"`, DDL_MODES, DDL_MODES, `${RUN_TAG_PREFIX}%`, KNEX_CLI_APPLICATION, lockSince, lockSince, ownBackendPids(databaseKeyOf(knex))],
  );
  const out: SuspectSession[] = [];
  for (const r of rows) {
    const reasons: string[] = [];
    if (r.on_tables) reasons.push(`holds or waits for a lock on ${table} or ${table}_lock`);
    if (r.tagged) reasons.push('is a session of a run through Strata');
    if (r.knex_tagged) reasons.push('is the knex CLI (this project’s knexfile)');
    if (r.ddl) reasons.push('is in a transaction that holds a lock that schema changes take');
    if (r.ddl_waiting) reasons.push('waits for a lock that schema changes take');
    if (r.before_lock) reasons.push("is in a transaction that began before knex's lock flag was seen set");
    if (!reasons.length) continue;
    out.push({
      pid: r.pid,
      user: r.usename,
      application: r.application_name ?? '',
      clientAddress: r.client_addr,
      transactionStart: r.xact_start?.toISOString() ?? null,
      state: r.state,
      query: r.query ?? '',
      reasons,
    });
  }
  return out;
}

/** Sessions that hold or wait for knex's tables right now: another tool is migrating. */
export function migratingNow(suspects: SuspectSession[], table: string): SuspectSession[] {
  return suspects.filter((s) => s.reasons.some((r) => r.startsWith(`holds or waits for a lock on ${table}`)));
}

export function describeSession(s: SuspectSession): string {
  const who = [s.application ? `"${s.application}"` : 'no application name', s.user ? `user ${s.user}` : null, s.clientAddress ? `from ${s.clientAddress}` : null]
    .filter(Boolean)
    .join(', ');
  const since = s.transactionStart ? `, in a transaction since ${s.transactionStart}` : '';
  return `pid ${s.pid} (${who}${since}; ${s.state ?? 'unknown state'}): ${s.reasons.join('; ')}`;
}
