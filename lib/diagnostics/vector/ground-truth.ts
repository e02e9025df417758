import 'server-only';
// The exact top-k of many queries in one pass over the table, the truth a recall measurement
// compares the index with. Each row is read (and its vector detoasted, the bulk of an exact
// search's cost) once, its distance to every query computed, and only the distances that can be
// among a query's top k leave the database: those within the query's bound, the k-th distance of
// any k rows (the index's own answer gives one), which the k-th nearest cannot exceed. The pass
// runs in block ranges (TID range scans, PostgreSQL 14 and later), so that it can say how far it
// is. A query without a bound gets an exact search of its own.
import type { Knex } from 'knex';
import type { AnnTarget } from './ann-target';
import { rows, setLocal } from '../read-only';

export type Neighbour = { id: string; d: number };

/** The block ranges a pass is read in (one, before PostgreSQL 14). */
export const PASS_RANGES = 20;

export type PassOptions = {
  /** Per query, an upper bound of its k-th nearest distance; null: none known. */
  bounds: (number | null)[];
  /** Called before each block range and each query searched on its own. */
  progress?: (done: number, total: number, step: string) => void;
  /** Milliseconds left: each statement's statement_timeout. */
  remaining?: () => number;
  /** Block ranges to read the table in (PASS_RANGES by default). */
  ranges?: number;
  /** Called before each statement; throws to stop the pass (work beside it failed). */
  check?: () => void;
};

/** A query's top-k: the index's answer with index scans on, an exact search (one scan) with them off. */
export function nearestSql(t: AnnTarget): string {
  return `SELECT ctid::text AS id, (?? ${t.operator} ?::${t.type})::float8 AS d FROM ??.?? ORDER BY ?? ${t.operator} ?::${t.type} LIMIT ?`;
}

export function nearestArgs(t: AnnTarget, q: string, k: number): Knex.RawBinding[] {
  return [t.column, q, t.schema, t.table, t.column, q, k];
}

/** Turns index scans off for the rest of the transaction: what an exact search needs. */
export async function indexScansOff(trx: Knex.Transaction): Promise<void> {
  for (const s of ['enable_indexscan', 'enable_bitmapscan', 'enable_indexonlyscan']) await setLocal(trx, s, 'off');
  await setLocal(trx, 'enable_seqscan', 'on');
}

/**
 * The column's vectors as the pass reads them: detoasted once per row (subvector returns a plain
 * copy) rather than once per query, where pgvector has subvector for the type.
 */
async function flatVector(trx: Knex.Transaction, t: AnnTarget): Promise<string> {
  if (t.type !== 'vector' && t.type !== 'halfvec') return 't.??';
  const [r] = await rows<{ ok: boolean }>(trx.raw('SELECT to_regprocedure(?) IS NOT NULL AS ok', [`subvector(${t.type}, integer, integer)`]));
  return r?.ok && t.dims > 0 ? `subvector(t.??, 1, ${Math.trunc(t.dims)})` : 't.??';
}

/** The exact top-k of each query (rows of the same snapshot as the caller's other statements). */
export async function exactNeighbours(trx: Knex.Transaction, t: AnnTarget, queries: string[], k: number, opts: PassOptions): Promise<Neighbour[][]> {
  const found: Neighbour[][] = queries.map(() => []);
  const inPass = queries.map((_, i) => i).filter((i) => opts.bounds[i] != null && Number.isFinite(opts.bounds[i]));
  const alone = queries.map((_, i) => i).filter((i) => !inPass.includes(i));
  const [v] = await rows<{ n: number; blocks: number }>(
    trx.raw("SELECT current_setting('server_version_num')::int AS n, ceil(pg_relation_size(format('%I.%I', ?::text, ?::text)::regclass)::float8 / current_setting('block_size')::int)::int AS blocks", [
      t.schema,
      t.table,
    ]),
  );
  const blocks = v?.blocks ?? 0;
  const wanted = opts.ranges ?? PASS_RANGES;
  const ranges = inPass.length === 0 ? 0 : (v?.n ?? 0) >= 140000 && blocks > wanted ? wanted : 1;
  const total = ranges + alone.length;
  const timeout = async () => {
    opts.check?.();
    if (opts.remaining) await setLocal(trx, 'statement_timeout', `${Math.max(1, Math.round(opts.remaining()))}ms`);
  };
  await indexScansOff(trx);

  if (inPass.length) {
    const flat = await flatVector(trx, t);
    const values = inPass.map(() => `(?::int, ?::${t.type}, ?::float8)`).join(', ');
    const valueArgs = inPass.flatMap((i) => [i, queries[i]!, opts.bounds[i]!]);
    const step = Math.ceil(blocks / ranges);
    for (let r = 0; r < ranges; r++) {
      const from = r * step;
      // The last range is open-ended: no row of the snapshot is left out.
      const range = ranges === 1 ? '' : r === ranges - 1 ? 'WHERE t.ctid >= ?::tid' : 'WHERE t.ctid >= ?::tid AND t.ctid < ?::tid';
      const rangeArgs = ranges === 1 ? [] : r === ranges - 1 ? [`(${from},0)`] : [`(${from},0)`, `(${from + step},0)`];
      opts.progress?.(r, total, `exact neighbours of ${inPass.length} queries in one pass: block ${from.toLocaleString('en-US')} of ${blocks.toLocaleString('en-US')}`);
      await timeout();
      // OFFSET 0 keeps each subquery whole: the vector is flattened once per row, each distance computed once.
      const near = await rows<{ i: number; id: string; d: number }>(
        trx.raw(
          `SELECT x.i, t.id, x.d
             FROM (SELECT t.ctid::text AS id, ${flat} AS v FROM ??.?? t ${range} OFFSET 0) t
             CROSS JOIN LATERAL (SELECT q.i, (t.v ${t.operator} q.v)::float8 AS d, q.bound
                                   FROM (VALUES ${values}) AS q(i, v, bound) OFFSET 0) x
            WHERE x.d <= x.bound`,
          [t.column, t.schema, t.table, ...rangeArgs, ...valueArgs],
        ),
      );
      for (const n of near) found[n.i]!.push({ id: n.id, d: n.d });
    }
  }
  for (const [j, i] of alone.entries()) {
    opts.progress?.(ranges + j, total, `exact neighbours of query ${i + 1}, searched on its own (no bound from the index)`);
    await timeout();
    found[i] = await rows<Neighbour>(trx.raw(nearestSql(t), nearestArgs(t, queries[i]!, k)));
  }
  // Nearest first; ties keep the table's order, as an ORDER BY … LIMIT might.
  return found.map((f) => f.sort((a, b) => a.d - b.d).slice(0, k));
}

/** The tightest bound the index's answers give a query: the least k-th distance among answers of k rows. */
export function boundFrom(answers: Neighbour[][], k: number): number | null {
  let bound: number | null = null;
  for (const a of answers) {
    // A distance that is no number (a NULL vector, a zero one under cosine) bounds nothing.
    if (a.length < k || k < 1 || a.some((n) => typeof n.d !== 'number' || !Number.isFinite(n.d))) continue;
    const kth = Math.max(...a.map((n) => n.d));
    if (Number.isFinite(kth) && (bound === null || kth < bound)) bound = kth;
  }
  return bound;
}
