import 'server-only';
// The database sessions a run uses. On a server, a knex instance of the run's own: every
// connection carries the run's tag as its application_name (so any process can find the run's
// sessions, and a later start can find the ones a dead process left), every connection asks
// PostgreSQL to notice a vanished client within a second even in the middle of a statement, and
// one connection holds the run lock for the whole run (it dies with the session, so a dead
// process never keeps it). On the embedded database, which has one connection and one process,
// the dashboard's own knex runs the migrations and the lock is this process's.
import knexFactory, { type Knex } from 'knex';
import type { StrataConfig } from '../config';
import { knexConfig } from '../db/knex-config';
import type { DbTarget } from '../db/target';
import { log } from '../log';
import { dropEmbeddedRunLock, holdRunLockOnConnection, releaseRunLockOnConnection, runTag, takeEmbeddedRunLock } from './lock';

type PgConnection = {
  __knexUid?: string;
  processID?: number;
  query: (sql: string, values?: unknown[]) => Promise<{ rows: { ok: boolean }[] }>;
};

export type RunSession = {
  /** The knex the migrator runs on. */
  knex: Knex;
  /** The application_name of the run's sessions (null on the embedded database). */
  tag: string | null;
  /** The backend pid of a connection of this run, by knex's connection id (from query events). */
  pidOf(knexUid: string | undefined): number | null;
  close(): Promise<void>;
};

// Asks PostgreSQL (14+) to check every second, even during a long statement, whether the client
// is still there, and to end the session when it is not: a run whose process dies stops at once.
const NOTICE_DEAD_CLIENT = `DO $$ BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    PERFORM set_config('client_connection_check_interval', '1000', false);
  END IF;
END $$`;

/**
 * Opens the run's sessions and takes the run lock. Null when another run holds the lock.
 */
export async function openRunSession(db: { knex: Knex; target: DbTarget }, config: StrataConfig, runId: string): Promise<RunSession | null> {
  const table = config.migrationsTable;
  if (db.target.kind === 'embedded') {
    if (!takeEmbeddedRunLock(table, runId)) return null;
    return { knex: db.knex, tag: null, pidOf: () => null, close: async () => dropEmbeddedRunLock(table, runId) };
  }
  const tag = runTag(runId);
  const pids = new Map<string, number>();
  // The run's own sessions never carry the dashboard's read bounds: a migration may take hours.
  const base = knexConfig(db.target, config, { applicationName: tag, readTimeouts: false });
  const knex = knexFactory({
    ...base,
    pool: {
      min: 0,
      max: 10,
      afterCreate: (conn: PgConnection, done: (err: Error | null, conn: PgConnection) => void) => {
        if (conn.__knexUid && conn.processID) pids.set(conn.__knexUid, conn.processID);
        conn.query(NOTICE_DEAD_CLIENT).then(
          () => done(null, conn),
          (err: Error) => done(err, conn),
        );
      },
    },
  });
  const client = knex.client as unknown as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
  let lockConn: PgConnection | null = null;
  try {
    lockConn = await client.acquireConnection();
    if (!(await holdRunLockOnConnection(lockConn, table))) {
      await client.releaseConnection(lockConn);
      await knex.destroy();
      return null;
    }
  } catch (err) {
    if (lockConn) await client.releaseConnection(lockConn).catch(() => undefined);
    await knex.destroy().catch(() => undefined);
    throw err;
  }
  const held = lockConn;
  return {
    knex,
    tag,
    pidOf: (uid) => (uid ? (pids.get(uid) ?? null) : null),
    close: async () => {
      // When the database went away, the lock went with its session; nothing to undo.
      await releaseRunLockOnConnection(held, table).catch((err: unknown) => log.warn({ err, runId }, 'could not release the run lock (its session is gone)'));
      await client.releaseConnection(held).catch(() => undefined);
      await knex.destroy().catch(() => undefined);
    },
  };
}
