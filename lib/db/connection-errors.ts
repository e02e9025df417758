// Whether an error means "the database went away or cannot be reached" (as opposed to an error
// of the statement itself), and a retry for the writes that must land once it is back: run
// records and audit rows written while the database was down.
// Loaded by the knex CLI too, so no 'server-only' here.
import { databaseFailure, type DatabaseFailure } from './failure';

// The failures that pass by themselves once the server is back (databaseFailure says which kind):
// not a refused password, a missing database or a statement over its time limit.
const TRANSIENT = new Set<DatabaseFailure['kind']>(['not_running', 'refused', 'unreachable', 'not_answering', 'starting_or_stopping', 'full', 'connection_lost', 'pool_timeout']);

export function isConnectionError(err: unknown): boolean {
  const failure = databaseFailure(err);
  return failure !== null && TRANSIENT.has(failure.kind);
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
