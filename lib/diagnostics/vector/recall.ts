import 'server-only';
// Measured recall: rows of the table serve as queries; the index's top-k at each probes (ivfflat)
// or ef_search (HNSW) value is compared with the exact top-k, found for every query in one pass
// over the table (ground-truth.ts) and used for every value, all in one REPEATABLE READ, READ ONLY
// transaction, so both see the same rows and nothing is written. A time limit stops the run; the
// recall needs the whole pass, so a run stopped before its end says so and gives none.
import type { Knex } from 'knex';
import { ApiError } from '../../api/errors';
import { log } from '../../log';
import type { Db } from '../../db/knex';
import { JobRefused, JobTimeout, MAX_RUNNING_JOBS, runningCount, runningJob, startJob, type JobContext } from '../../jobs/registry';
import type { JobView, RecallPoint, RecallResult } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { isTimeout, readOnly, rows, setLocal } from '../read-only';
import { parseOptions } from './ann-indexes';
import { DEFAULT_EF_SEARCH, distanceOf, DISTANCE_OPERATORS, recommendedProbes } from './ann-rules';
import { findAnnTarget, type AnnTarget } from './ann-target';
import { boundFrom, exactNeighbours, indexScansOff, nearestArgs, nearestSql, PASS_RANGES, type Neighbour } from './ground-truth';
import { recallUncertainty } from './recall-stats';
import { zeroTest } from './sample';

export type RecallInput = { index: { schema: string; name: string }; queries: number; k: number; values?: number[]; timeLimitSeconds: number };

/** Values to try: around the recommended starting point, and the current setting. */
export function defaultSweep(method: 'ivfflat' | 'hnsw', lists: number, k: number, current: number | null): number[] {
  const base = method === 'ivfflat' ? recommendedProbes(lists) : DEFAULT_EF_SEARCH;
  const candidates =
    method === 'ivfflat'
      ? [1, Math.round(base / 2), base, base * 2, base * 4].filter((v) => v <= lists)
      : [Math.max(10, k), base, base * 2, base * 4, base * 10].filter((v) => v <= 1000);
  if (current !== null) candidates.push(current);
  return [...new Set(candidates.filter((v) => v >= 1))].sort((a, b) => a - b).slice(0, 8);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

type Plan = {
  target: AnnTarget;
  setting: string;
  values: number[];
  current: number | null;
  k: number;
  queries: number;
  deadline: number;
  limitSeconds: number;
  /** How far the run got: its first index answer, the pass, the pass done (the truth known). */
  reached: 'start' | 'sweep' | 'pass' | 'truth';
  /** A second connection to time the index beside the pass (null on the embedded database's one connection). */
  side: { knex: Knex; vectorSchema: string | null } | null;
};

export async function sampleQueries(trx: Knex.Transaction, t: AnnTarget, n: number): Promise<string[]> {
  const big = t.reltuples > 20_000;
  // SYSTEM sampling picks whole pages: ask for enough rows, and for at least 32 pages, so that a
  // small share of a table does not come back empty; widen it when it does.
  let percent = big ? Math.min(100, Math.max(((n * 20) / t.reltuples) * 100, (32 / Math.max(1, t.relpages)) * 100)) : 100;
  for (;;) {
    const sampled = percent < 100 ? 'TABLESAMPLE SYSTEM (?)' : '';
    // ctids first, vectors after: only the chosen rows are read whole.
    const found = await rows<{ q: string }>(
      trx.raw(
        `SELECT ??::text AS q FROM ??.??
          WHERE ctid = ANY (ARRAY(SELECT ctid FROM ??.?? ${sampled} WHERE ?? IS NOT NULL ORDER BY random() LIMIT ?))
            AND NOT (${zeroTest(t.type as 'vector')})`,
        [t.column, t.schema, t.table, t.schema, t.table, ...(percent < 100 ? [percent] : []), t.column, n * 2, t.column],
      ),
    );
    if (found.length >= n || percent >= 100) return found.slice(0, n).map((r) => r.q);
    percent = Math.min(100, percent * 4);
  }
}

type Answer = { found: Neighbour[]; ms: number };

/**
 * The index's answer to every query at each value, timed: answers[value][query]. Value by value,
 * so that each setting is set once; the planner is asked first whether it uses the index at all.
 */
async function searchAll(trx: Knex.Transaction, p: Plan, queries: string[], values: number[], step: (label: string) => void, check: () => void): Promise<Answer[][]> {
  await setLocal(trx, 'enable_indexscan', 'on');
  await setLocal(trx, 'enable_seqscan', 'off');
  const t = p.target;
  const out: Answer[][] = [];
  for (const value of values) {
    check();
    await trx.raw('SELECT set_config(?, ?, true), set_config(?, ?, true)', ['statement_timeout', `${Math.max(1, p.deadline - Date.now())}ms`, p.setting, String(value)]);
    const [plan] = await rows<{ 'QUERY PLAN': unknown }>(trx.raw(`EXPLAIN (FORMAT JSON) ${nearestSql(t)}`, nearestArgs(t, queries[0]!, p.k)));
    const used = JSON.stringify(plan?.['QUERY PLAN'] ?? '').match(/"Index Name":"([^"]+)"/)?.[1];
    if (used !== t.name) {
      throw new JobRefused(`At ${p.setting} = ${value} the planner does not use ${t.name}${used ? ` (it uses ${used})` : ''}, so its recall cannot be measured this way.`);
    }
    const row: Answer[] = [];
    for (const [i, q] of queries.entries()) {
      check();
      step(`query ${i + 1} of ${queries.length}: ${p.setting} = ${value}`);
      const t0 = performance.now();
      const found = await rows<Neighbour>(trx.raw(nearestSql(t), nearestArgs(t, q, p.k)));
      row.push({ found, ms: performance.now() - t0 });
      p.reached = 'sweep';
    }
    out.push(row);
  }
  return out;
}

/** One exact search (index scans off), timed: the latency the index's is compared with. */
async function timedExactSearch(trx: Knex.Transaction, p: Plan, q: string): Promise<number> {
  await indexScansOff(trx);
  await setLocal(trx, 'statement_timeout', `${Math.max(1, p.deadline - Date.now())}ms`);
  const t0 = performance.now();
  await rows<Neighbour>(trx.raw(nearestSql(p.target), nearestArgs(p.target, q, p.k)));
  return performance.now() - t0;
}

async function measure(trx: Knex.Transaction, p: Plan, ctx: JobContext): Promise<RecallResult> {
  const t = p.target;
  const remaining = () => p.deadline - Date.now();
  const queries = await sampleQueries(trx, t, p.queries);
  if (queries.length === 0) throw new JobRefused(`${qualified(t.schema, t.table)} has no non-zero vectors in ${t.column} to use as queries`);
  const annSteps = queries.length * p.values.length;
  // Beside the pass, the index's answers at the lowest value come first, untimed: the pass's bounds.
  const boundSteps = p.side ? queries.length : 0;
  // The sweep, the one pass (about as long as one exact search per 20 block ranges), one exact search timed.
  let total = boundSteps + annSteps + PASS_RANGES + 1;
  let failed: unknown = null;
  const check = () => {
    if (failed) throw new PassStopped();
    if (remaining() <= 0) throw new PassStopped();
  };
  // Progress from the two connections at once: the steps each has done, and what each is at.
  const done = { bounds: 0, sweep: 0, pass: 0 };
  const at = { sweep: '', pass: '' };
  const report = () => ctx.progress(done.bounds + done.sweep + done.pass, total, [at.pass, at.sweep].filter(Boolean).join('; beside it: '));

  let answers: Answer[][];
  let exact: Neighbour[][];
  let passMs: number;
  let exactMs: number;
  const pass = async (bounds: (number | null)[]) => {
    p.reached = 'pass';
    const started = performance.now();
    const found = await exactNeighbours(trx, t, queries, p.k, {
      bounds,
      progress: (d, of, step) => {
        done.pass = Math.round((d / Math.max(1, of)) * PASS_RANGES);
        at.pass = step;
        report();
      },
      remaining,
      check,
    });
    at.pass = '';
    return { found, ms: performance.now() - started };
  };

  // The sweep, then the timed exact search, on `conn`.
  const sweepOn = async (conn: Knex.Transaction) => {
    const started = performance.now();
    const a = await searchAll(conn, p, queries, p.values, (label) => ((at.sweep = label), report(), done.sweep++), check);
    check();
    at.sweep = 'one exact search, timed';
    report();
    const ms = await timedExactSearch(conn, p, queries[0]!);
    at.sweep = '';
    return { answers: a, exactMs: ms, sweepMs: performance.now() - started };
  };
  let sweepMs: number;
  let beside = false;

  if (!p.side) {
    // One connection (the embedded database): the sweep, then the pass bounded by its answers.
    const started = performance.now();
    answers = await searchAll(trx, p, queries, p.values, (label) => ((at.sweep = label), report(), done.sweep++), check);
    sweepMs = performance.now() - started;
    at.sweep = '';
    check();
    const truth = await pass(queries.map((_, i) => boundFrom(answers.map((row) => row[i]!.found), p.k)));
    ({ found: exact, ms: passMs } = truth);
    p.reached = 'truth';
    check();
    at.pass = 'one exact search, timed';
    report();
    exactMs = await timedExactSearch(trx, p, queries[0]!);
  } else {
    // Two connections on one snapshot: the pass on this one, the sweep and the timed exact search
    // beside it on another, so that the whole measurement takes about as long as the longer of them.
    const [exported] = await rows<{ s: string }>(trx.raw('SELECT pg_export_snapshot() AS s'));
    const bound = (label: string) => ((at.sweep = `bounds for the exact pass, ${label}`), report(), done.bounds++);
    const first = await searchAll(trx, p, queries, [p.values[0]!], bound, check);
    const bounds = first[0]!.map((a) => boundFrom([a.found], p.k));
    // A query the lowest value answered with fewer than k rows (an HNSW ef_search below k, lists
    // that hold fewer than k rows) is bounded by the highest value, not searched alone in the pass.
    const unbounded = bounds.flatMap((b, i) => (b === null ? [i] : []));
    const highest = p.values[p.values.length - 1]!;
    if (unbounded.length && highest !== p.values[0]) {
      total += unbounded.length;
      const again = await searchAll(trx, p, unbounded.map((i) => queries[i]!), [highest], bound, check);
      unbounded.forEach((i, j) => (bounds[i] = boundFrom([again[0]![j]!.found], p.k)));
    }
    at.sweep = '';
    // This connection waits, idle, while the sweep outlasts the pass: for the job's own time limit,
    // not the dashboard's idle limit for a transaction.
    await setLocal(trx, 'idle_in_transaction_session_timeout', `${Math.max(1, remaining()) + 30_000}ms`);
    const side = p.side;
    let sideStarted = false;
    const other = readOnly(
      side.knex,
      Math.max(1, remaining()),
      (trx2) => {
        sideStarted = true;
        return sweepOn(trx2);
      },
      { repeatableRead: true, vectorSchema: side.vectorSchema, snapshot: exported!.s },
    ).catch((err: unknown) => {
      // No second connection to be had (the pool is busy): the sweep follows the pass on this one.
      if (!sideStarted) {
        log.warn({ err }, 'recall: no second connection for the sweep; it runs after the pass instead');
        return null;
      }
      failed ??= err;
      throw err;
    });
    const main = pass(bounds)
      .then((r) => ((p.reached = 'truth'), r))
      .catch((err: unknown) => {
        failed ??= err;
        throw err;
      });
    const [b, m] = await Promise.allSettled([other, main]);
    // The first failure is the cause; the other side stopped because of it.
    if (b.status === 'rejected' || m.status === 'rejected') throw failed;
    ({ found: exact, ms: passMs } = m.value);
    const swept = b.value ?? (check(), await sweepOn(trx));
    beside = b.value !== null;
    ({ answers, exactMs, sweepMs } = swept);
  }

  const points = p.values.map((value, v): RecallPoint => {
    const recalls: number[] = [];
    const ms: number[] = [];
    let hits = 0;
    let pairs = 0;
    for (const [i, truth] of exact.entries()) {
      const kth = truth.length ? truth[truth.length - 1]!.d : Infinity;
      const tolerance = Number.isFinite(kth) ? 1e-6 * Math.max(1, Math.abs(kth)) : 0;
      const a = answers[v]![i]!;
      // A result counts when it is as near as the k-th exact neighbor: ties are not misses.
      const h = Math.min(truth.length, a.found.filter((r) => r.d <= kth + tolerance).length);
      recalls.push(truth.length ? h / truth.length : 1);
      ms.push(a.ms);
      hits += truth.length ? h : 0;
      pairs += truth.length;
    }
    const sorted = [...ms].sort((a, b) => a - b);
    return {
      value,
      recall: recalls.reduce((a, b) => a + b, 0) / recalls.length,
      ...recallUncertainty(recalls, hits, pairs, p.k),
      p50Ms: round(quantile(sorted, 0.5)),
      p95Ms: round(quantile(sorted, 0.95)),
      queries: recalls.length,
      current: value === p.current,
    };
  });
  ctx.progress(total, total, 'done');
  return {
    index: { schema: t.schema, name: t.name, table: t.table, column: t.column, method: t.method, distance: distanceOf(t.opclass) },
    setting: p.setting,
    current: p.current,
    k: p.k,
    queriesPlanned: queries.length,
    queriesMeasured: queries.length,
    points,
    exact: { p50Ms: round(exactMs), p95Ms: round(exactMs), queries: 1, passMs: round(passMs) },
    timing: { besidePass: beside, sweepMs: round(sweepMs) },
    stoppedEarly: null,
  };
}

/** The time limit came before the truth was complete: no recall can be given. */
class PassStopped extends Error {
  override name = 'PassStopped';
}

export async function startRecall(db: Db, input: RecallInput, startedBy: string): Promise<{ job: JobView; existing: boolean }> {
  const target = await findAnnTarget(db.knex, input.index);
  if (!target.valid) throw new ApiError('conflict', `${target.label} is invalid: queries do not use it, so there is no recall to measure`);
  if (target.expression || !target.operator || !DISTANCE_OPERATORS.has(target.operator) || !['vector', 'halfvec', 'sparsevec'].includes(target.type)) {
    throw new ApiError('conflict', `Strata cannot measure recall for ${target.label} (${target.opclass})`);
  }
  const key = `${target.label}:${input.k}:${input.queries}:${(input.values ?? []).join(',')}`;
  const running = await runningJob(db, 'recall', key);
  if (running) return { job: running, existing: true };
  if (runningCount() >= MAX_RUNNING_JOBS) throw new ApiError('conflict', 'Other measurements are running; try again when one has finished');

  const setting = target.method === 'ivfflat' ? 'ivfflat.probes' : 'hnsw.ef_search';
  const lists = parseOptions(target.reloptions).lists ?? 100;
  const limitSeconds = input.timeLimitSeconds;
  const job = await startJob(db, { kind: 'recall', key, subject: target.label, startedBy }, async (ctx) => {
    const deadline = Date.now() + limitSeconds * 1000;
    const side = db.target.kind === 'embedded' ? null : { knex: db.knex, vectorSchema: target.vectorSchema };
    const plan: Plan = { target, setting, values: [], current: null, k: input.k, queries: input.queries, deadline, limitSeconds, reached: 'start', side };
    try {
      return await readOnly(
        db.knex,
        limitSeconds * 1000,
        async (trx) => {
          await trx.raw("SELECT '[1]'::vector");
          const [cur] = await rows<{ v: string | null }>(trx.raw('SELECT current_setting(?, true) AS v', [setting]));
          plan.current = cur?.v ? Number(cur.v) : null;
          plan.values = input.values ? [...new Set(input.values)].sort((a, b) => a - b) : defaultSweep(target.method, lists, input.k, plan.current);
          return measure(trx, plan, ctx);
        },
        { repeatableRead: true, vectorSchema: target.vectorSchema },
      );
    } catch (err) {
      if (!isTimeout(err) && !(err instanceof PassStopped)) throw err;
      throw new JobTimeout(
        plan.reached === 'start'
          ? `Stopped at the time limit of ${limitSeconds} s before the first query finished.`
          : plan.reached === 'truth'
            ? `Stopped at the time limit of ${limitSeconds} s: the exact neighbours of every query were found, but the index's searches at every setting were not all timed. Raise the time limit, or measure fewer queries or settings.`
            : `Stopped at the time limit of ${limitSeconds} s before the exact neighbours of every query were found, which the recall needs. Raise the time limit or measure fewer queries.`,
      );
    }
  });
  return { job, existing: false };
}
