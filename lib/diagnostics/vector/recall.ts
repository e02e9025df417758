import 'server-only';
// Measured recall: rows of the table serve as queries; for each, the exact top-k (index scans
// off) is compared with the index's top-k at each probes (ivfflat) or ef_search (HNSW) value, all
// in one REPEATABLE READ, READ ONLY transaction, so both passes see the same rows and nothing is
// written. A time limit stops the run; what was measured by then is kept.
import type { Knex } from 'knex';
import { ApiError } from '../../api/errors';
import type { Db } from '../../db/knex';
import { JobRefused, JobTimeout, MAX_RUNNING_JOBS, runningCount, runningJob, startJob, type JobContext } from '../../jobs/registry';
import type { JobView, RecallPoint, RecallResult } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { isTimeout, readOnly, rows, setLocal } from '../read-only';
import { parseOptions } from './ann-indexes';
import { DEFAULT_EF_SEARCH, distanceOf, DISTANCE_OPERATORS, recommendedProbes } from './ann-rules';
import { findAnnTarget, type AnnTarget } from './ann-target';
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

type Plan = { target: AnnTarget; setting: string; values: number[]; current: number | null; k: number; queries: number; deadline: number; limitSeconds: number };

async function sampleQueries(trx: Knex.Transaction, t: AnnTarget, n: number): Promise<string[]> {
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

async function measure(trx: Knex.Transaction, p: Plan, ctx: JobContext): Promise<RecallResult> {
  const t = p.target;
  const op = t.operator!;
  const cast = t.type;
  const sql = `SELECT ctid::text AS id, (?? ${op} ?::${cast})::float8 AS d FROM ??.?? ORDER BY ?? ${op} ?::${cast} LIMIT ?`;
  const args = (q: string) => [t.column, q, t.schema, t.table, t.column, q, p.k];
  const remaining = () => p.deadline - Date.now();
  const queries = await sampleQueries(trx, t, p.queries);
  if (queries.length === 0) throw new JobRefused(`${qualified(t.schema, t.table)} has no non-zero vectors in ${t.column} to use as queries`);

  const perValue = new Map<number, { recall: number[]; ms: number[]; hits: number; pairs: number }>(
    p.values.map((v) => [v, { recall: [], ms: [], hits: 0, pairs: 0 }]),
  );
  const exactMs: number[] = [];
  const checked = new Set<number>();
  const result = (): RecallResult => ({
    index: { schema: t.schema, name: t.name, table: t.table, column: t.column, method: t.method, distance: distanceOf(t.opclass) },
    setting: p.setting,
    current: p.current,
    k: p.k,
    queriesPlanned: queries.length,
    queriesMeasured: exactMs.length,
    points: p.values.map((value): RecallPoint => {
      const m = perValue.get(value)!;
      const ms = [...m.ms].sort((a, b) => a - b);
      const recall = m.recall.length ? m.recall.reduce((a, b) => a + b, 0) / m.recall.length : 0;
      return {
        value,
        recall,
        ...recallUncertainty(m.recall, m.hits, m.pairs, p.k),
        p50Ms: round(quantile(ms, 0.5)),
        p95Ms: round(quantile(ms, 0.95)),
        queries: m.recall.length,
        current: value === p.current,
      };
    }),
    exact: (() => {
      const ms = [...exactMs].sort((a, b) => a - b);
      return { p50Ms: round(quantile(ms, 0.5)), p95Ms: round(quantile(ms, 0.95)) };
    })(),
    stoppedEarly: null,
  });

  for (const [i, q] of queries.entries()) {
    if (remaining() <= 0) break;
    ctx.progress(i, queries.length, `query ${i + 1} of ${queries.length}: exact search`);
    await setLocal(trx, 'statement_timeout', `${Math.max(1, remaining())}ms`);
    for (const s of ['enable_indexscan', 'enable_bitmapscan', 'enable_indexonlyscan']) await setLocal(trx, s, 'off');
    await setLocal(trx, 'enable_seqscan', 'on');
    let t0 = performance.now();
    const exact = await rows<{ id: string; d: number }>(trx.raw(sql, args(q)));
    const tookExact = performance.now() - t0;
    const kth = exact.length ? exact[exact.length - 1]!.d : Infinity;
    const tolerance = Number.isFinite(kth) ? 1e-6 * Math.max(1, Math.abs(kth)) : 0;

    await setLocal(trx, 'enable_indexscan', 'on');
    await setLocal(trx, 'enable_seqscan', 'off');
    const found: [value: number, recall: number, ms: number, hits: number][] = [];
    for (const value of p.values) {
      ctx.progress(i, queries.length, `query ${i + 1} of ${queries.length}: ${p.setting} = ${value}`);
      await setLocal(trx, p.setting, value);
      if (!checked.has(value)) {
        const [plan] = await rows<{ 'QUERY PLAN': unknown }>(trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`, args(q)));
        const used = JSON.stringify(plan?.['QUERY PLAN'] ?? '').match(/"Index Name":"([^"]+)"/)?.[1];
        if (used !== t.name) {
          throw new JobRefused(`At ${p.setting} = ${value} the planner does not use ${t.name}${used ? ` (it uses ${used})` : ''}, so its recall cannot be measured this way.`);
        }
        checked.add(value);
      }
      t0 = performance.now();
      const ann = await rows<{ id: string; d: number }>(trx.raw(sql, args(q)));
      const took = performance.now() - t0;
      // A result counts when it is as near as the k-th exact neighbor: ties are not misses.
      const hits = Math.min(exact.length, ann.filter((r) => r.d <= kth + tolerance).length);
      found.push([value, exact.length ? hits / exact.length : 1, took, hits]);
    }
    exactMs.push(tookExact);
    for (const [value, recall, took, hits] of found) {
      const m = perValue.get(value)!;
      m.recall.push(recall);
      m.ms.push(took);
      m.hits += exact.length ? hits : 0;
      m.pairs += exact.length;
    }
    ctx.partial(result());
  }
  ctx.progress(exactMs.length, queries.length, 'done');
  return result();
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
    let partial: RecallResult | null = null;
    const keep: JobContext = { progress: ctx.progress, partial: (r) => ((partial = r as RecallResult), ctx.partial(r)) };
    try {
      const res = await readOnly(
        db.knex,
        limitSeconds * 1000,
        async (trx) => {
          await trx.raw("SELECT '[1]'::vector");
          const [cur] = await rows<{ v: string | null }>(trx.raw('SELECT current_setting(?, true) AS v', [setting]));
          const current = cur?.v ? Number(cur.v) : null;
          const values = input.values ? [...new Set(input.values)].sort((a, b) => a - b) : defaultSweep(target.method, lists, input.k, current);
          return measure(trx, { target, setting, values, current, k: input.k, queries: input.queries, deadline, limitSeconds }, keep);
        },
        { repeatableRead: true, vectorSchema: target.vectorSchema },
      );
      if (res.queriesMeasured < res.queriesPlanned) {
        ctx.partial({ ...res, stoppedEarly: `The time limit (${limitSeconds} s) was reached after ${res.queriesMeasured} of ${res.queriesPlanned} queries.` });
        throw new JobTimeout(`Stopped at the time limit of ${limitSeconds} s; the figures cover the queries measured by then.`);
      }
      return res;
    } catch (err) {
      if (!isTimeout(err)) throw err;
      const p = partial as RecallResult | null;
      if (p) ctx.partial({ ...p, stoppedEarly: `The time limit (${limitSeconds} s) was reached after ${p.queriesMeasured} of ${p.queriesPlanned} queries.` });
      throw new JobTimeout(`Stopped at the time limit of ${limitSeconds} s${p ? '; the figures cover the queries measured by then' : ' before the first query finished'}.`);
    }
  });
  return { job, existing: false };
}
