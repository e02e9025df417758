// Whether an error means "the database went away or cannot be reached" (as opposed to an error
// of the statement itself), and a retry for the writes that must land once it is back: run
// records and audit rows written while the database was down.
// Loaded by the knex CLI too, so no 'server-only' here.

// Socket errors, and SQLSTATE classes 08 (connection exception) and 57P (operator intervention:
// shutdown, crash, cannot connect now), 53300 (too many connections).
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', '53300']);
const MESSAGES = [
  /Connection terminated/i,
  /connection (is )?closed/i,
  /Client has encountered a connection error and is not queryable/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /server closed the connection unexpectedly/i,
  /Timeout acquiring a connection/i,
];

export function isConnectionError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; syscall?: unknown };
  if (typeof e.code === 'string' && (CODES.has(e.code) || e.code.startsWith('08') || e.code.startsWith('57P'))) return true;
  // A Unix socket that is not there: the server is down (ENOENT elsewhere is a missing file).
  if (e.code === 'ENOENT' && e.syscall === 'connect') return true;
  if (e.name === 'KnexTimeoutError') return true;
  return typeof e.message === 'string' && MESSAGES.some((re) => re.test(e.message as string));
}

export type RetryOptions = {
  /** For the log lines of failed attempts. */
  label: string;
  /** Give up after this long (the last error is thrown). */
  maxMs?: number;
  /** First wait between attempts; doubles up to maxDelayMs. */
  delayMs?: number;
  maxDelayMs?: number;
  onRetry?: (err: unknown, attempt: number, nextDelayMs: number) => void;
};

/** Runs `fn` until it succeeds; retries only while the error is a connection error. */
export async function retryWhileUnreachable<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + (options.maxMs ?? 24 * 60 * 60_000);
  let delay = options.delayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() + delay > deadline) throw err;
      options.onRetry?.(err, attempt, delay);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 15_000);
    }
  }
}
