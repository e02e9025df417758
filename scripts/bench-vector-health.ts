// Vector health benchmarks, read-only on the database they are given: the page's first answer
// against counting the same figures exactly, and an ANN query at the recommended probes against
// exact search. Both baselines run in the same process, on the same data.
import { readOnly, setLocal } from '../lib/diagnostics/read-only';
import { findAnnTarget } from '../lib/diagnostics/vector/ann-target';
import { startExactCounts } from '../lib/diagnostics/vector/exact-counts';
import { boundFrom, exactNeighbours, indexScansOff, nearestArgs, nearestSql, type Neighbour } from '../lib/diagnostics/vector/ground-truth';
import { sampleQueries, startRecall } from '../lib/diagnostics/vector/recall';
import { getVectorHealth } from '../lib/diagnostics/vector/report';
import type { Db } from '../lib/db/knex';
import { getJob } from '../lib/jobs/registry';
import type { ExactCountsResult, JobView, RecallResult } from '../lib/schemas/vector-health';
import { fmt, speed, type Result } from './bench-result';

async function settle(db: Db, job: JobView): Promise<JobView> {
  for (;;) {
    const now = (await getJob(db, job.id))!;
    if (now.status !== 'running') return now;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const took = (j: JobView) => Date.parse(j.finishedAt!) - Date.parse(j.startedAt);

/**
 * The exact top-k of `n` sampled queries found as the recall job finds them (one pass over the
 * table, bounded by the index's answers at `probes`), against one exact search per query as it
 * used to, on the same queries in the same snapshot; and whether both found the same neighbours.
 */
async function groundTruth(db: Db, index: { schema: string; name: string }, setting: string, value: number, n: number, k: number, opts: { each: boolean } = { each: true }) {
  const target = await findAnnTarget(db.knex, index);
  return readOnly(
    db.knex,
    3_600_000,
    async (trx) => {
      const queries = await sampleQueries(trx, target, n);
      await setLocal(trx, setting, value);
      const answers: Neighbour[][] = [];
      for (const q of queries) answers.push((await trx.raw<{ rows: Neighbour[] }>(nearestSql(target), nearestArgs(target, q, k))).rows);
      let t0 = performance.now();
      const pass = await exactNeighbours(trx, target, queries, k, { bounds: answers.map((a) => boundFrom([a], k)) });
      const passMs = performance.now() - t0;
      if (!opts.each) return { queries: queries.length, passMs, eachMs: NaN, same: true };
      await indexScansOff(trx);
      t0 = performance.now();
      const each: Neighbour[][] = [];
      for (const q of queries) each.push((await trx.raw<{ rows: Neighbour[] }>(nearestSql(target), nearestArgs(target, q, k))).rows);
      const eachMs = performance.now() - t0;
      const same = each.every((e, i) => e.map((x) => x.d).join() === pass[i]!.map((x) => x.d).join());
      return { queries: queries.length, passMs, eachMs, same };
    },
    { repeatableRead: true, vectorSchema: target.vectorSchema },
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export type VectorHealthOptions = {
  runs: number;
  recallQueries: number;
  /** The sweep's values of the index's setting; default the setting as found and the recommended start. */
  recallValues?: number[];
  /** How many queries the one-search-per-query baseline of the exact pass runs (default: recallQueries). */
  truthQueries?: number;
};

export async function vectorHealthBenchmarks(db: Db, opts: VectorHealthOptions): Promise<Result[]> {
  const results: Result[] = [];
  await getVectorHealth(db, { expectedDimensions: 1536 }); // warm the catalog caches, as a second visit would
  const times: number[] = [];
  let report = await getVectorHealth(db, { expectedDimensions: 1536 });
  for (let i = 0; i < opts.runs; i++) {
    const t0 = performance.now();
    report = await getVectorHealth(db, { expectedDimensions: 1536 });
    times.push(performance.now() - t0);
  }
  const failed = (['extension', 'columns', 'ann', 'indexHealth', 'coverage', 'builds'] as const).filter((k) => !report[k].ok);
  if (failed.length) throw new Error(`vector health sections failed: ${failed.join(', ')}`);
  const vectors = report.columns.ok ? report.columns.data.reduce((a, c) => a + (c.estimatedRows?.value ?? 0), 0) : 0;

  console.error('Counting the same figures exactly (baseline)...');
  const counts = await settle(db, (await startExactCounts(db, undefined, 'bench')).job);
  if (counts.status !== 'done') throw new Error(`exact counts: ${counts.error}`);
  const exact = counts.result as ExactCountsResult;
  const r = median(times);
  results.push({
    name: `vector health page, first answer (${exact.columns.length} vector columns, ${fmt(vectors)} vectors)`,
    value: `${fmt(r)} ms (median of ${opts.runs})`,
    baseline: 'the same figures counted exactly',
    baselineValue: `${fmt(took(counts))} ms`,
    ratio: speed(took(counts), r, 1),
  });

  const ann = report.ann.ok ? [...report.ann.data.indexes].sort((a, b) => b.sizeBytes - a.sizeBytes)[0] : undefined;
  if (ann) {
    // The setting as found (pgvector's default probes = 1) and the recommended start.
    const values = opts.recallValues ?? [...new Set([ann.search.current ?? 1, ann.search.recommended])];
    console.error(`Measuring recall of ${ann.name} at ${ann.search.setting} = ${values.join(', ')} against exact search...`);
    const job = await settle(
      db,
      (await startRecall(db, { index: { schema: ann.schema, name: ann.name }, queries: opts.recallQueries, k: 10, values, timeLimitSeconds: 600 }, 'bench')).job,
    );
    if (job.status !== 'done') throw new Error(`recall: ${job.error}`);
    const rr = job.result as RecallResult;
    for (const p of rr.points) {
      results.push({
        name: `${ann.name}: ${ann.search.setting} = ${p.value}, recall@10 = ${p.recall.toFixed(3)} (${rr.queriesMeasured} queries)`,
        value: `${p.p50Ms.toFixed(1)} ms median query`,
        baseline: 'exact search (index scans off)',
        baselineValue: `${rr.exact.p50Ms.toFixed(1)} ms median query`,
        ratio: speed(rr.exact.p50Ms, p.p50Ms, 1),
      });
    }
    results.push({
      name: `recall measurement of ${ann.name}, whole run (${rr.queriesMeasured} queries, ${rr.points.length} values; the exact pass ${(rr.exact.passMs / 1000).toFixed(1)} s)`,
      value: `${(took(job) / 1000).toFixed(1)} s`,
      baseline: 'one exact search (index scans off)',
      baselineValue: `${(rr.exact.p50Ms / 1000).toFixed(1)} s`,
      ratio: `${(took(job) / rr.exact.p50Ms).toFixed(1)}x`,
    });
    // The baseline for the whole run: the one exact pass over as many queries, on its own.
    console.error(`The exact pass over ${rr.queriesMeasured} queries on its own...`);
    const alone = await groundTruth(db, { schema: ann.schema, name: ann.name }, ann.search.setting, Math.min(...values), rr.queriesMeasured, 10, { each: false });
    results.push({
      name: `recall measurement of ${ann.name}, whole run (${rr.queriesMeasured} queries, ${rr.points.length} values${rr.timing.besidePass ? ', the sweep beside the pass' : ''})`,
      value: `${(took(job) / 1000).toFixed(1)} s`,
      baseline: `the exact pass over ${alone.queries} queries, on its own`,
      baselineValue: `${(alone.passMs / 1000).toFixed(1)} s`,
      ratio: `${(took(job) / alone.passMs).toFixed(2)}x`,
    });
    const truthQueries = opts.truthQueries ?? opts.recallQueries;
    console.error(`Exact neighbours of ${truthQueries} queries: one pass against one exact search each...`);
    const g = await groundTruth(db, { schema: ann.schema, name: ann.name }, ann.search.setting, ann.search.recommended, truthQueries, 10);
    results.push({
      name: `exact top-10 of ${g.queries} queries, one pass (the recall job's truth; ${g.same ? 'the same neighbours' : 'DIFFERENT neighbours'})`,
      value: `${(g.passMs / 1000).toFixed(1)} s`,
      baseline: `${g.queries} exact searches, one per query (as before)`,
      baselineValue: `${(g.eachMs / 1000).toFixed(1)} s`,
      ratio: speed(g.eachMs, g.passMs, 1),
    });
  }
  return results;
}
