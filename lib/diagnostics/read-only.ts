import 'server-only';
// Every diagnostic query runs in a read-only transaction with a statement_timeout, so that a page
// can neither change the database nor hold a production table hostage.
import type { Knex } from 'knex';
import { log } from '../log';
import type { Section } from '../schemas/vector-health';

export type ReadOnlyOptions = {
  /** One snapshot for every statement (a recall run compares two passes over the same rows). */
  repeatableRead?: boolean;
  /** The schema pgvector lives in, added to the search_path so its operators and functions resolve. */
  vectorSchema?: string | null;
  /**
   * A snapshot exported by another open transaction (pg_export_snapshot()): this one then sees
   * exactly the rows that one does. Needs repeatableRead.
   */
  snapshot?: string;
};

// What pg_export_snapshot() returns, e.g. 00000003-0000001B-1: checked, since SET TRANSACTION SNAPSHOT takes no parameter.
const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/i;

export async function readOnly<T>(knex: Knex, timeoutMs: number, fn: (trx: Knex.Transaction) => Promise<T>, opts: ReadOnlyOptions = {}): Promise<T> {
  return knex.transaction(async (trx) => {
    await trx.raw(opts.repeatableRead ? 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY' : 'SET TRANSACTION READ ONLY');
    if (opts.snapshot !== undefined) {
      if (!opts.repeatableRead || !SNAPSHOT_ID.test(opts.snapshot)) throw new Error(`not a snapshot to share: ${JSON.stringify(opts.snapshot)}`);
      // Before any other statement, as PostgreSQL requires.
      await trx.raw(`SET TRANSACTION SNAPSHOT '${opts.snapshot}'`);
    }
    await trx.raw("SELECT set_config('statement_timeout', ?, true)", [`${Math.max(1, Math.round(timeoutMs))}ms`]);
    if (opts.vectorSchema) {
      await trx.raw("SELECT set_config('search_path', concat_ws(', ', nullif(current_setting('search_path'), ''), quote_ident(?)), true)", [opts.vectorSchema]);
    }
    return fn(trx);
  });
}

/** Sets a planner or pgvector setting for the rest of the transaction (a bound value, never pasted). */
export async function setLocal(trx: Knex.Transaction, name: string, value: string | number): Promise<void> {
  await trx.raw('SELECT set_config(?, ?, true)', [name, String(value)]);
}

export function isTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57014';
}

/** Runs one part of a report; a failure becomes a message for that part, not for the whole page. */
export async function section<T>(name: string, timeoutMs: number, fn: () => Promise<T>): Promise<Section<T>> {
  const t0 = performance.now();
  try {
    const data = await fn();
    return { ok: true, data, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    const ms = Math.round(performance.now() - t0);
    log.warn({ err, section: name }, 'vector health section failed');
    const error = isTimeout(err)
      ? `reading it stopped after ${(timeoutMs / 1000).toFixed(0)} s (statement_timeout); the database may be busy. Reload to try again.`
      : 'reading it failed; the server log has the cause.';
    return { ok: false, error, ms };
  }
}

/** Rows from knex.raw on pg. */
export async function rows<R>(q: Promise<unknown>): Promise<R[]> {
  return ((await q) as { rows: R[] }).rows;
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
