// What went wrong when the database could not be used, in words an operator can act on: the
// server is not running, it refused Strata's password, it stopped answering... Used for the 503
// of the API and the banner of the pages. Never quotes the connection string or a password.
// Pure (no server imports): lib/api/errors.ts, which the browser loads too, uses it.

export type DatabaseFailure = {
  /** A short machine-readable kind, for the error's details and the logs. */
  kind: 'not_running' | 'refused' | 'unreachable' | 'not_answering' | 'credentials' | 'no_database' | 'starting_or_stopping' | 'full' | 'connection_lost' | 'pool_timeout' | 'statement_timeout';
  /** What failed, as a sentence without a subject ("the server refused the connection"). */
  reason: string;
};

type ErrorLike = { code?: unknown; name?: unknown; message?: unknown; syscall?: unknown; address?: unknown };

const LOST = [
  /Connection terminated/i,
  /connection (is )?closed/i,
  /Client has encountered a connection error and is not queryable/i,
  /server closed the connection unexpectedly/i,
  /terminating connection/i,
];

/** Why the database could not be used, or null when the error is not about reaching it. */
export function databaseFailure(err: unknown): DatabaseFailure | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const found = ownFailure(e);
    if (found) return found;
  }
  return null;
}

function ownFailure(err: unknown): DatabaseFailure | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  // (knex puts the statement in front of the message; the reason is said without it.)
  if (e.name === 'DatabaseStalledError') return { kind: 'not_answering', reason: 'the server stopped answering: a statement got no reply, and neither did a fresh connection' };
  // Already known to be down for this request (the page proxy found it so): its own finding.
  if (e.name === 'DatabaseDownError') return (err as { failure: DatabaseFailure }).failure;
  if (e.name === 'KnexTimeoutError') {
    return { kind: 'pool_timeout', reason: 'no database connection became free in time: the server is slow or not answering' };
  }
  switch (code) {
    case 'ENOENT':
      return e.syscall === 'connect'
        ? { kind: 'not_running', reason: "the server's Unix socket is not there: PostgreSQL is not running, or DATABASE_URL names another socket folder" }
        : null;
    case 'ECONNREFUSED':
      return { kind: 'not_running', reason: 'the server refused the connection: PostgreSQL is not running on that host and port' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'unreachable', reason: "the database's host name does not resolve" };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'unreachable', reason: 'the server cannot be reached over the network' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'connection_lost', reason: 'the connection to the server was cut' };
    case '28P01':
      return { kind: 'credentials', reason: "the server refused the password for the user in DATABASE_URL (28P01)" };
    case '28000':
      return { kind: 'credentials', reason: 'the server does not let the user in DATABASE_URL connect from here (28000: pg_hba.conf or role)' };
    case '3D000':
      return { kind: 'no_database', reason: 'the database named in DATABASE_URL does not exist on the server (3D000)' };
    case '53300':
      return { kind: 'full', reason: 'the server has no free connection slots (53300)' };
    case '57014':
      return { kind: 'statement_timeout', reason: 'the server did not finish a statement within its time limit (statement_timeout)' };
    case '57P01':
    case '57P02':
      return { kind: 'starting_or_stopping', reason: `the server is shutting down (${code})` };
    case '57P03':
      return { kind: 'starting_or_stopping', reason: 'the server is starting up or in recovery and not accepting connections yet (57P03)' };
  }
  if (code.startsWith('08')) return { kind: 'connection_lost', reason: `the connection to the server failed (${code})` };
  // node-postgres's own connect timeout (connectionTimeoutMillis) says only this.
  if (/^timeout expired$/i.test(message) || /Connection terminated due to connection timeout/i.test(message)) {
    return { kind: 'not_answering', reason: 'the server accepted the connection but did not answer it in time' };
  }
  if (LOST.some((re) => re.test(message))) return { kind: 'connection_lost', reason: 'the connection to the server was lost' };
  return null;
}

/** Thrown where a page would use a database the proxy already found down for this request. */
export class DatabaseDownError extends Error {
  override name = 'DatabaseDownError';
  constructor(readonly failure: DatabaseFailure) {
    super(`The database cannot be used: ${failure.reason}`);
  }
}
