import 'server-only';
// The distributions' first answer: the exact answer's figures over a sample of the table's pages
// (TABLESAMPLE SYSTEM, sized from the planner's count of the matching rows), counts scaled to the
// table, every figure with its 95 % interval (sample-intervals.ts). The sample is read once, and
// its figures (the same aggregates as distribution-sql.ts's statements, which a test holds them
// to) are computed here from its rows, which the intervals need anyway. What fixes the charts'
// axes is exact, read through the indexes: each score's minimum and maximum (the bin edges), the
// content types present and the weeks that have rows. The exact answer that follows therefore
// draws on the same frame and only the bars and lines move.
import type { Knex } from 'knex';
import {
  CONTENT_TYPES,
  PERCENTILES,
  type DistributionBasis,
  type DistributionQuery,
  type Distributions,
  type Interval,
  type MetricStats,
} from '../schemas/evaluations';
import { estimateMatching } from './count';
import {
  boundsQuery,
  bucketExpression,
  DISTRIBUTION_SETTINGS,
  evaluationsFrom,
  finite,
  METRICS,
  scoreEnd,
  shapeDistributions,
  statement,
  WEEK,
  weekOf,
  type Bounds,
  type Filters,
  type MetricKey,
  type RawResults,
  type SampleSpec,
  type Statement,
} from './distribution-sql';
import { applyFilters } from './filters';
import { readOnly } from './read';
import { ascending, countInterval, fractionOf, meanInterval, PageTally, pooledDispersion, quantileIntervals, scaleOf, type PageSample, type SampledValues } from './sample-intervals';

export type SamplingOptions = {
  /** Matching rows the sample aims at. */
  targetRows: number;
  /** At or below this many matching rows (the planner's estimate) the exact figures come at once. */
  exactUpToRows: number;
  /** A sample that would read more of the table's pages than this (in %) is not worth it. */
  maxPercent: number;
  /**
   * For a quick first answer, the most of the table's pages (in %) a sample reads while it still
   * promises four times `minRows`: a filter that leaves few rows then gets fewer than `targetRows`
   * (and wider intervals, which the answer shows) rather than a slower read.
   */
  quickPercent: number;
  /** The fewest pages a sample reads, so that the intervals have pages enough to go on. */
  minPages: number;
  /** A sample that finds fewer matching rows than this (the estimate was wrong) gives way to the exact figures. */
  minRows: number;
  /** REPEATABLE's seed: the same pages each time, so that a reload shows the same estimate. */
  seed: number;
};

// quickPercent: 1 % of ten million evaluations' pages is read and tallied in about 200 ms on 2 cores (BENCHMARKS.md).
export const SAMPLING: SamplingOptions = { targetRows: 30_000, exactUpToRows: 150_000, maxPercent: 20, quickPercent: 1, minPages: 100, minRows: 2_000, seed: 1 };

export const CONFIDENCE = 0.95;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

type EndsRow = Record<string, number | boolean | null>;

/** Exact: each score's ends over all types and per known type, and which types have rows. */
function endsStatement(knex: Knex, filters: Filters): Statement {
  const cols: (Knex.QueryBuilder | Knex.Raw)[] = [];
  const ends = (prefix: string, type?: string) => {
    for (const key of ['q', 'r'] as const) {
      cols.push(scoreEnd(knex, filters, key, 'min', type).as(`${prefix}${key}lo`), scoreEnd(knex, filters, key, 'max', type).as(`${prefix}${key}hi`));
    }
  };
  ends('');
  CONTENT_TYPES.forEach((t, i) => {
    ends(`t${i}_`, t);
    const one = applyFilters(knex('content_evaluations as e'), filters, 'e').where('e.content_type', t).select(knex.raw('1'));
    cols.push(knex.raw(`EXISTS ? AS ??`, [one, `t${i}_present`]));
  });
  return statement(knex.select(cols));
}

/** Exact: the weeks that have matching rows, one index probe a week (a loose index scan). */
function weeksStatement(knex: Knex, filters: Filters): Statement {
  const first = applyFilters(knex('content_evaluations as e'), filters, 'e').min('e.created_at');
  const next = applyFilters(knex('content_evaluations as e'), filters, 'e')
    .whereRaw(`e.created_at >= w.week + interval '7 days'`)
    .min('e.created_at');
  return statement(
    knex.raw(
      `WITH RECURSIVE w(week) AS (SELECT ${weekOf('?')} UNION ALL SELECT ${weekOf('?')} FROM w WHERE w.week IS NOT NULL)
       SELECT to_json(week) #>> '{}' AS week FROM w WHERE week IS NOT NULL ORDER BY w.week`,
      [first, next],
    ),
  );
}

/**
 * The sample, read once, in one row: its matching rows (a few tens of thousands) packed in one
 * text in page order, `page,type,week,q,r,qb,rb;...` (one value to send and to parse costs far
 * less than as many rows), and how many pages the sample read that hold rows and the rows on
 * them, filter or not (the scale of the counts). `type` is the position of a known content type
 * in CONTENT_TYPES, or `x` and the type's UTF-8 bytes in hex; `week` is its start in seconds
 * since 1970; a score that is not finite, and its bin, are empty.
 */
export function sampleStatement(knex: Knex, q: DistributionQuery, sample: SampleSpec): Statement {
  const filters = { forum: q.forum, from: q.from, to: q.to };
  // Without a filter every sampled row is in `packed`: its pages and rows are counted from it (unpackSample).
  const filtered = !!(q.forum?.length || q.from || q.to);
  const pages = (
    filtered
      ? evaluationsFrom(knex, sample).select(knex.raw('count(DISTINCT (e.ctid::text::point)[0])::int AS sampled_pages'), knex.raw('count(*)::int AS sampled_rows'))
      : knex.select(knex.raw('NULL::int AS sampled_pages'), knex.raw('NULL::int AS sampled_rows'))
  ).as('a');
  const type = `CASE e.content_type ${CONTENT_TYPES.map(() => 'WHEN ? THEN ?').join(' ')} ELSE 'x' || encode(convert_to(e.content_type, 'UTF8'), 'hex') END`;
  const score = (key: MetricKey) => `coalesce((CASE WHEN ${finite(`e.${METRICS[key]}`)} THEN e.${METRICS[key]}::float8 END)::text, '')`;
  const bin = (key: MetricKey) => `coalesce((${bucketExpression(key)})::text, '')`;
  const fields = [`(e.ctid::text::point)[0]::bigint`, type, `date_part('epoch', ${WEEK})::bigint`, score('q'), score('r'), bin('q'), bin('r')];
  const packed = applyFilters(evaluationsFrom(knex, sample), filters, 'e')
    .crossJoin(knex.raw('b'))
    .select(
      knex.raw(`string_agg(concat_ws(',', ${fields.join(', ')}), ';' ORDER BY e.ctid) AS packed`, [
        ...CONTENT_TYPES.flatMap((t, i) => [t, String(i)]),
        q.bins,
        q.bins,
        q.bins,
        q.bins,
      ]),
    )
    .as('m');
  return statement(knex.withMaterialized('b', boundsQuery(knex, filters)).from(pages).crossJoin(knex.raw('?', [packed])).select('a.sampled_pages', 'a.sampled_rows', 'm.packed'));
}

/** What sampleStatement answers (the counts null when there is no filter). */
export type PackedSample = { packed: string | null; sampled_pages: number | null; sampled_rows: number | null };

/**
 * The sampled rows, column by column, in page order: `type` indexes `types` (the content types in
 * the order the rows first name them), a score that is not finite is NaN and its bin 0.
 */
export type SampleColumns = {
  n: number;
  /** The pages the sample read that hold rows, and the rows on them, filter or not. */
  sampledPages: number;
  sampledRows: number;
  types: string[];
  page: Float64Array;
  type: Int32Array;
  weekMs: Float64Array;
  q: Float64Array;
  r: Float64Array;
  qb: Int32Array;
  rb: Int32Array;
};

/** sampleStatement's packed rows, as columns. */
export function unpackSample(read: PackedSample): SampleColumns {
  const text = read.packed ?? '';
  let n = text ? 1 : 0;
  for (let i = text.indexOf(';'); i >= 0; i = text.indexOf(';', i + 1)) n++;
  const out: SampleColumns = {
    n,
    sampledPages: read.sampled_pages ?? 0,
    sampledRows: read.sampled_rows ?? n,
    types: [],
    page: new Float64Array(n),
    type: new Int32Array(n),
    weekMs: new Float64Array(n),
    q: new Float64Array(n),
    r: new Float64Array(n),
    qb: new Int32Array(n),
    rb: new Int32Array(n),
  };
  const typeOf = new Map<string, number>();
  let pos = 0;
  const next = (end: string) => {
    let stop = text.indexOf(end, pos);
    if (stop < 0) stop = text.length;
    const field = text.slice(pos, stop);
    pos = stop + 1;
    return field;
  };
  const score = (f: string) => (f === '' ? NaN : Number(f));
  for (let i = 0; i < n; i++) {
    out.page[i] = Number(next(','));
    const code = next(',');
    let t = typeOf.get(code);
    if (t === undefined) {
      const name = code.startsWith('x') ? Buffer.from(code.slice(1), 'hex').toString('utf8') : CONTENT_TYPES[Number(code)]!;
      t = out.types.indexOf(name);
      if (t < 0) t = out.types.push(name) - 1;
      typeOf.set(code, t);
    }
    out.type[i] = t;
    out.weekMs[i] = Number(next(',')) * 1000;
    out.q[i] = score(next(','));
    out.r[i] = score(next(','));
    out.qb[i] = Number(next(','));
    out.rb[i] = Number(next(';'));
    if (read.sampled_pages === null && (i === 0 || out.page[i] !== out.page[i - 1])) out.sampledPages++;
  }
  return out;
}

type Plan = { sample: SampleSpec; tableRows: number; tablePages: number } | { exactBecause: string };

async function plan(trx: Knex.Transaction, filters: Filters, o: SamplingOptions): Promise<Plan> {
  const t = (
    await trx.raw<{ rows: { reltuples: number; pages: number }[] }>(
      `SELECT c.reltuples::float8 AS reltuples, (pg_relation_size(c.oid) / current_setting('block_size')::int)::float8 AS pages
         FROM pg_class c WHERE c.oid = to_regclass('content_evaluations')`,
    )
  ).rows[0];
  if (!t || t.pages === 0) return { exactBecause: 'The table is empty.' };
  const matching = await estimateMatching(trx, filters);
  if (matching <= o.exactUpToRows) {
    return { exactBecause: `About ${fmt(matching)} evaluations match (the planner's estimate): few enough to read them all at once.` };
  }
  const wanted = Math.max((100 * o.targetRows) / matching, (100 * o.minPages) / t.pages);
  if (wanted > o.maxPercent) {
    return { exactBecause: `A sample large enough would read ${Math.round(wanted)} % of the table's pages: reading them all takes little longer.` };
  }
  const quick = Math.max(o.quickPercent, (100 * o.minPages) / t.pages);
  const percent = wanted > quick && (matching * quick) / 100 >= 4 * o.minRows ? quick : wanted;
  return { sample: { percent, seed: o.seed }, tableRows: t.reltuples >= 0 ? t.reltuples : matching, tablePages: t.pages };
}

const round = ([lo, hi]: Interval): Interval => [Math.floor(lo), Math.ceil(hi)];
const widen = (i: Interval | null, point: number | null): Interval | null =>
  i === null || point === null ? i : [Math.min(i[0], point), Math.max(i[1], point)];

/**
 * Where each figure's tally sits in a PageTally: per group g (0 for all types, then each type the
 * sample holds) and score m (0 quality, 1 relevance) the rows, finite and other values, the bins;
 * then the grid's cells and each week's rows per group.
 */
function layout(groups: number, bins: number, weeks: number) {
  const G = groups;
  const B = bins;
  return {
    size: 5 * G + 2 * G * B + B * B + weeks * G,
    rows: (g: number) => g,
    finite: (m: number, g: number) => G + m * G + g,
    other: (m: number, g: number) => 3 * G + m * G + g,
    bin: (m: number, g: number, b: number) => 5 * G + (m * G + g) * B + (b - 1),
    cell: (qb: number, rb: number) => 5 * G + 2 * G * B + (qb - 1) * B + (rb - 1),
    week: (w: number, g: number) => 5 * G + 2 * G * B + B * B + w * G + g,
  };
}

/**
 * What the sample says beyond its counts: tallies by page, and each group's values (per score,
 * and per week and score) for the percentiles' intervals. Pages are numbered 0, 1, 2... in the
 * order the rows come (by page).
 */
function tallySample(rows: SampleColumns, bins: number, weeks: Map<number, number>) {
  // Groups: 0 all types, then each type the sample holds (1, 2...), in the order first seen.
  const types = new Map(rows.types.map((name, i) => [name, i + 1]));
  const G = types.size + 1;
  const at = layout(G, bins, weeks.size);
  const tally = new PageTally(at.size);
  const empty = () => ({ values: [] as number[], pages: [] as number[] });
  const values: SampledValues[] = Array.from({ length: 2 * G }, empty);
  const weekValues: SampledValues[] = Array.from({ length: 2 * G * weeks.size }, empty);
  const push = (s: SampledValues, v: number, page: number) => {
    s.values.push(v);
    s.pages.push(page);
  };
  const score = (page: number, g: number, w: number | undefined, m: number, v: number, b: number) => {
    if (Number.isNaN(v)) {
      tally.add(page, at.other(m, g));
      return;
    }
    tally.add(page, at.finite(m, g), v);
    tally.add(page, at.bin(m, g, b));
    push(values[m * G + g]!, v, page);
    if (w !== undefined) push(weekValues[(w * G + g) * 2 + m]!, v, page);
  };
  let page = -1;
  let last: number | null = null;
  for (let i = 0; i < rows.n; i++) {
    if (rows.page[i] !== last) {
      page++;
      last = rows.page[i]!;
    }
    const w = weeks.get(rows.weekMs[i]!);
    const q = rows.q[i]!;
    const r = rows.r[i]!;
    // The row counts in all types together (group 0) and in its own.
    for (let k = 0, g = 0; k < 2; k++, g = rows.type[i]! + 1) {
      tally.add(page, at.rows(g));
      if (w !== undefined) tally.add(page, at.week(w, g));
      score(page, g, w, 0, q, rows.qb[i]!);
      score(page, g, w, 1, r, rows.rb[i]!);
    }
    if (!Number.isNaN(q) && !Number.isNaN(r)) tally.add(page, at.cell(rows.qb[i]!, rows.rb[i]!));
  }
  const none = empty();
  return {
    tally,
    at,
    /** The content types the sample holds, with their groups (1, 2...), in the order first seen. */
    types,
    /** The group of a content type (0: all types); undefined when the sample has none of it. */
    group: (type: string | null) => (type === null ? 0 : types.get(type)),
    values: (m: number, g: number) => values[m * G + g] ?? none,
    weekValues: (w: number, g: number, m: number) => weekValues[(w * G + g) * 2 + m] ?? none,
  };
}

/** PostgreSQL's percentile_cont over ascending values: the same positions and the same interpolation. */
export function percentileCont(sorted: Float64Array, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const pos = p * (n - 1);
  const first = Math.floor(pos);
  const second = Math.ceil(pos);
  const lo = sorted[first]!;
  if (first === second) return lo;
  return lo + (pos - first) * (sorted[second]! - lo);
}

/** distributionStatements' answer over a sample, computed from its rows (unpackSample's, in page order). */
export function sampleFigures(q: DistributionQuery, rows: SampleColumns, weeks: string[]): RawResults {
  return sampleAggregates(q, tallySample(rows, q.bins, new Map(weeks.map((w, i) => [Date.parse(w), i]))), weeks);
}

/**
 * What distributionStatements' three statements answer over the same sample, computed from the
 * sampled rows in the same shape: per type and for all types the rows, finite and other values,
 * mean, ends and percentiles; every bin and cell; each week's rows and medians.
 */
function sampleAggregates(q: DistributionQuery, t: ReturnType<typeof tallySample>, weeks: string[]): RawResults {
  const groups: [string | null, number][] = [[null, 0], ...t.types];
  const n = (key: number) => t.tally.count(key).n;
  const summary: RawResults[0] = [];
  const hist: RawResults[1] = [];
  const weekly: RawResults[2] = [];
  for (const [type, g] of groups) {
    const all = type === null ? 1 : 0;
    const row: Record<string, unknown> = { content_type: type, all_types: all, rows: String(n(t.at.rows(g))) };
    for (const [m, key] of [[0, 'q'], [1, 'r']] as const) {
      const finiteKey = t.at.finite(m, g);
      const count = n(finiteKey);
      const sorted = ascending(t.values(m, g));
      row[`${key}_n`] = String(count);
      row[`${key}_invalid`] = String(n(t.at.other(m, g)));
      row[`${key}_mean`] = count ? t.tally.sums(finiteKey).sum / count : null;
      row[`${key}_min`] = count ? sorted[0]! : null;
      row[`${key}_max`] = count ? sorted[count - 1]! : null;
      row[`${key}_pct`] = count ? PERCENTILES.map((p) => percentileCont(sorted, p)) : null;
      for (let b = 1; b <= q.bins; b++) {
        const c = n(t.at.bin(m, g, b));
        if (c === 0) continue;
        hist.push({ content_type: type, qb: m === 0 ? b : null, rb: m === 1 ? b : null, all_types: all, no_q: m, no_r: 1 - m, n: String(c) });
      }
    }
    summary.push(row as RawResults[0][number]);
  }
  for (let qb = 1; qb <= q.bins; qb++) {
    for (let rb = 1; rb <= q.bins; rb++) {
      const c = n(t.at.cell(qb, rb));
      if (c > 0) hist.push({ content_type: null, qb, rb, all_types: 1, no_q: 0, no_r: 0, n: String(c) });
    }
  }
  weeks.forEach((week, w) => {
    for (const [type, g] of groups) {
      const c = n(t.at.week(w, g));
      if (c === 0) continue;
      const median = (m: number) => percentileCont(ascending(t.weekValues(w, g, m)), 0.5);
      weekly.push({ week, content_type: type, all_types: type === null ? 1 : 0, n: String(c), q50: median(0), r50: median(1) });
    }
  });
  return [summary, hist, weekly];
}

/**
 * The sample's answer, counts scaled to the table, with intervals from the sampled rows, and the
 * exact ends and weeks in place of the sample's.
 */
function assemble(
  q: DistributionQuery,
  rows: SampleColumns,
  ends: EndsRow,
  weeks: string[],
  p: { sample: SampleSpec; tableRows: number },
  pages: PageSample,
): Distributions {
  const f = fractionOf(pages);
  const weekIndex = new Map(weeks.map((w, i) => [Date.parse(w), i]));
  const t = tallySample(rows, q.bins, weekIndex);
  const raw = sampleAggregates(q, t, weeks);
  const num = (k: string) => (ends[k] as number | null) ?? null;
  const bounds: Bounds = { qlo: num('qlo'), qhi: num('qhi'), rlo: num('rlo'), rhi: num('rhi') };
  const basis: DistributionBasis = {
    kind: 'estimate',
    method: 'TABLESAMPLE SYSTEM',
    percent: p.sample.percent,
    sampledRows: rows.n,
    sampledPages: pages.pages,
    tableRows: Math.round(p.tableRows),
    confidence: CONFIDENCE,
  };
  const out = shapeDistributions(q, raw, { bounds, basis });
  const scale = (n: number) => Math.round(n * scaleOf(pages));
  const count = (key: number, least = 0) => round(countInterval(t.tally.count(key), pages, least));
  const pooled = (keys: number[]) => pooledDispersion(keys.map((k) => t.tally.count(k)), pages);
  // Where the exact ends were read: all types (no prefix) and each known type (`t0_`...).
  const endsPrefix = (type: string | null) => {
    if (type === null) return '';
    const i = CONTENT_TYPES.indexOf(type as (typeof CONTENT_TYPES)[number]);
    return i >= 0 ? `t${i}_` : null;
  };

  for (const g of out.groups) {
    const gi = t.group(g.contentType)!;
    g.rows = scale(g.rows);
    g.rowsInterval = count(t.at.rows(gi));
    for (const [m, key, metric] of [[0, 'q', 'quality'], [1, 'r', 'relevance']] as const) {
      const s: MetricStats = g[metric];
      const prefix = endsPrefix(g.contentType);
      const exactEnds = prefix === null ? null : { min: num(`${prefix}${key}lo`), max: num(`${prefix}${key}hi`) };
      if (exactEnds) Object.assign(s, exactEnds);
      const pct = quantileIntervals(t.values(m, gi), PERCENTILES, f, exactEnds ?? { min: bounds[`${key}lo`], max: bounds[`${key}hi`] });
      s.intervals = {
        count: count(t.at.finite(m, gi)),
        invalid: count(t.at.other(m, gi)),
        mean: widen(meanInterval(t.tally.sums(t.at.finite(m, gi)), f), s.mean),
        percentiles: pct.map((i, n) => widen(i, s.percentiles[n] ?? null)),
      };
      s.count = scale(s.count);
      s.invalid = scale(s.invalid);
      const h = metric === 'quality' ? g.qualityHistogram : g.relevanceHistogram;
      const d = pooled(h.map((_, i) => t.at.bin(m, gi, i + 1)));
      h.forEach((bin, i) => {
        bin.count = scale(bin.count);
        bin.interval = count(t.at.bin(m, gi, i + 1), d);
      });
    }
  }
  const cells = out.heatmap.counts.flatMap((row, qi) => row.map((_, ri) => t.at.cell(qi + 1, ri + 1)));
  const dCells = pooled(cells);
  out.heatmap.intervals = out.heatmap.counts.map((row, qi) => row.map((_, ri) => count(t.at.cell(qi + 1, ri + 1), dCells)));
  out.heatmap.counts = out.heatmap.counts.map((row) => row.map(scale));

  // Every week that has rows, sampled or not; the types as sampled.
  const sampled = new Map(out.weekly.map((w) => [`${w.week}|${w.contentType ?? '*'}`, w]));
  out.weekly = weeks.flatMap((week) => [
    sampled.get(`${week}|*`) ?? { week, contentType: null, count: 0, qualityMedian: null, relevanceMedian: null },
    ...out.weekly.filter((w) => w.week === week && w.contentType !== null),
  ]);
  const slot = (w: Distributions['weekly'][number]) => ({ w: weekIndex.get(Date.parse(w.week))!, g: t.group(w.contentType)! });
  const dWeeks = pooled(out.weekly.map((w) => t.at.week(slot(w).w, slot(w).g)));
  for (const w of out.weekly) {
    const { w: wi, g } = slot(w);
    const median = (m: number, key: MetricKey, point: number | null) =>
      widen(quantileIntervals(t.weekValues(wi, g, m), [0.5], f, { min: bounds[`${key}lo`], max: bounds[`${key}hi`] })[0]!, point);
    w.intervals = { count: count(t.at.week(wi, g), dWeeks), qualityMedian: median(0, 'q', w.qualityMedian), relevanceMedian: median(1, 'r', w.relevanceMedian) };
    w.count = scale(w.count);
  }
  return out;
}

/**
 * The estimate, in one snapshot; or, when an estimate would not be quicker or not be sound (few
 * matching rows, a sample that found too few), why the exact figures should be read instead.
 */
export async function estimateDistributions(
  knex: Knex,
  q: DistributionQuery,
  o: SamplingOptions = SAMPLING,
): Promise<Distributions | { exactBecause: string }> {
  const filters = { forum: q.forum, from: q.from, to: q.to };
  return readOnly(
    knex,
    async (trx) => {
      await trx.raw(DISTRIBUTION_SETTINGS);
      const p = await plan(trx, filters, o);
      if ('exactBecause' in p) return p;
      const run = async <T>(s: Statement) => (await trx.raw(s.knex.sql, s.knex.bindings)).rows as T;
      const [read] = await run<PackedSample[]>(sampleStatement(knex, q, p.sample));
      const rows = unpackSample(read!);
      if (rows.n < o.minRows) {
        return { exactBecause: `A ${p.sample.percent.toFixed(1)} % sample of the table's pages held only ${fmt(rows.n)} matching rows: too few for an estimate.` };
      }
      const pages: PageSample = { pages: rows.sampledPages, rows: rows.sampledRows, tablePages: p.tablePages };
      const [ends] = await run<EndsRow[]>(endsStatement(knex, filters));
      const weeks = (await run<{ week: string }[]>(weeksStatement(knex, filters))).map((w) => w.week);
      const answer = assemble(q, rows, ends!, weeks, p, pages);
      // The types present: an exact check for the known ones (a rare type the sample missed still has its row).
      const present = CONTENT_TYPES.filter((_, i) => ends![`t${i}_present`] === true);
      for (const type of present) {
        if (!answer.groups.some((g) => g.contentType === type)) answer.groups.push(emptyGroup(type, answer, ends!, CONTENT_TYPES.indexOf(type), pages));
      }
      // In the exact answer's order: the types by name, then all of them together.
      answer.groups.sort((a, b) => Number(a.contentType === null) - Number(b.contentType === null) || String(a.contentType).localeCompare(String(b.contentType)));
      return answer;
    },
    { snapshot: true, timeoutMs: 15_000 },
  );
}

/** A type that has rows but none in the sample: no rows seen, an upper bound on how many. */
function emptyGroup(type: string, d: Distributions, ends: EndsRow, t: number, pages: PageSample): Distributions['groups'][number] {
  const none = round(countInterval({ n: 0, sumSq: 0 }, pages));
  const stats = (key: MetricKey): MetricStats => ({
    count: 0,
    invalid: 0,
    mean: null,
    min: (ends[`t${t}_${key}lo`] as number | null) ?? null,
    max: (ends[`t${t}_${key}hi`] as number | null) ?? null,
    percentiles: PERCENTILES.map(() => null),
    intervals: { count: none, invalid: none, mean: null, percentiles: PERCENTILES.map(() => null) },
  });
  const all = d.groups.find((g) => g.contentType === null)!;
  const empty = (h: typeof all.qualityHistogram) => h.map((b) => ({ lo: b.lo, hi: b.hi, count: 0, interval: none }));
  return {
    contentType: type,
    rows: 0,
    rowsInterval: none,
    quality: stats('q'),
    relevance: stats('r'),
    qualityHistogram: empty(all.qualityHistogram),
    relevanceHistogram: empty(all.relevanceHistogram),
  };
}
