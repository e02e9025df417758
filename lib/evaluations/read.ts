import 'server-only';
// How every evaluations query reaches the database: in a read-only transaction with a statement
// timeout, so a dashboard page can never hold the table hostage, and with a missing guide table
// reported as such rather than as an internal error.
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';

const DEFAULT_TIMEOUT_MS = 15_000;

export type ReadOptions = {
  /** Milliseconds before PostgreSQL cancels a statement. */
  timeoutMs?: number;
  /** One snapshot for every statement (figures that must agree with one another). */
  snapshot?: boolean;
};

export const NO_TABLES_MESSAGE =
  'This database has no content_evaluations table (or no forums, topics or posts): apply the migrations first.';

function isUndefinedTable(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '42P01';
}

/** A missing guide table is a 404 and a statement over its time a 503, each saying what to do. */
export async function readOnly<T>(knex: Knex, fn: (trx: Knex.Transaction) => Promise<T>, opts: ReadOptions = {}): Promise<T> {
  try {
    return await knex.transaction(
      async (trx) => {
        await trx.raw("SELECT set_config('statement_timeout', ?, true)", [String(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)]);
        return fn(trx);
      },
      { readOnly: true, isolationLevel: opts.snapshot ? 'repeatable read' : undefined },
    );
  } catch (err) {
    throw readError(err, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }
}

/** What a failed read says to the client: a missing table and a statement over its time, as such. */
export function readError(err: unknown, timeoutMs: number): unknown {
  if (isUndefinedTable(err)) return new ApiError('not_found', NO_TABLES_MESSAGE);
  if ((err as { code?: unknown } | null)?.code === '57014') {
    const seconds = Math.round(timeoutMs / 100) / 10;
    return new ApiError('database_unavailable', `The database did not answer within ${seconds} s: narrow the filter and try again.`);
  }
  return err;
}

/** Whether the guide's tables that the evaluation pages read are there. */
export async function evaluationTablesExist(knex: Knex): Promise<boolean> {
  const r = await knex.raw<{ rows: { n: number }[] }>(
    `SELECT count(*)::int AS n FROM unnest(ARRAY['public.content_evaluations', 'public.forums', 'public.topics', 'public.posts']) AS t(name)
      WHERE to_regclass(t.name) IS NOT NULL`,
  );
  return r.rows[0]!.n === 4;
}

/** node-pg reads real as a JS number; JSON has no NaN or Infinity, so those travel as text. */
export function scoreOut(v: number | null): number | string | null {
  if (v === null) return null;
  return Number.isFinite(v) ? v : String(v);
}

/** Text of a value as PostgreSQL prints it in JSON: exact for real, microseconds and offset for timestamptz. */
export function jsonText(knex: Knex, column: string): Knex.Raw {
  return knex.raw("to_json(??) #>> '{}'", [column]);
}
