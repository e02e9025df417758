import 'server-only';
// The statements behind the score distributions of content_evaluations, every figure an SQL
// aggregate: count, NULL/NaN count, mean and percentile_cont per content type; width_bucket
// histograms over the observed range and a quality × relevance grid; the weekly median. Rows
// never travel to Node for the exact answer. The same statements over a sample of the table's
// pages make the estimated one (distribution-estimate.ts).
import type { Knex } from 'knex';
import {
  PERCENTILES,
  type DistributionBasis,
  type DistributionQuery,
  type Distributions,
  type GroupDistribution,
  type Histogram,
  type MetricStats,
} from '../schemas/evaluations';
import { applyFilters } from './filters';

/** A statement in knex's form (`?` placeholders) and in PostgreSQL's (`$1`), for a plain client. */
export type Statement = { knex: { sql: string; bindings: Knex.RawBinding[] }; native: { sql: string; values: unknown[] } };

/**
 * Run first in the transaction. The percentiles sort their input: in memory rather than in temp
 * files where it fits. JIT compilation costs more than it saves on these statements (measured).
 * Floating-point values as text are exact (the shortest text that reads back as the same value),
 * whatever the server's default.
 */
export const DISTRIBUTION_SETTINGS =
  "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true), set_config('extra_float_digits', '1', true)";

/** Monday-aligned UTC weeks; date_bin is plain arithmetic, where date_trunc with a zone converts each row. */
export const weekOf = (timestamp: string) => `date_bin('7 days', ${timestamp}, '2000-01-03T00:00:00Z')`;
export const WEEK = weekOf('e.created_at');

export const METRICS = { q: 'quality_score', r: 'relevance_score' } as const;
export type MetricKey = keyof typeof METRICS;

/** NULL, NaN and ±Infinity are not finite; NaN sorts above Infinity in PostgreSQL. */
export const finite = (column: string) => `(${column} > '-Infinity'::real AND ${column} < 'Infinity'::real)`;

/** Which pages of the table the statements read: every one, or a repeatable sample. */
export type SampleSpec = { percent: number; seed: number };

/** content_evaluations as `e`, whole or sampled (TABLESAMPLE SYSTEM: a share of its pages). */
export function evaluationsFrom(knex: Knex, sample?: SampleSpec): Knex.QueryBuilder {
  return sample
    ? knex.from(knex.raw('content_evaluations AS e TABLESAMPLE SYSTEM (?) REPEATABLE (?)', [sample.percent, sample.seed]))
    : knex('content_evaluations as e');
}

export type Filters = Pick<DistributionQuery, 'forum' | 'from' | 'to'>;

/**
 * The lowest or highest finite score among the matching rows (of one content type), as a
 * subquery the planner answers from the score's index: a few index entries, not a scan.
 */
export function scoreEnd(knex: Knex, filters: Filters, key: MetricKey, end: 'min' | 'max', type?: string): Knex.QueryBuilder {
  const c = `e.${METRICS[key]}`;
  const q = applyFilters(knex('content_evaluations as e'), filters, 'e').whereRaw(finite(c));
  if (type !== undefined) q.where('e.content_type', type);
  return q.select(knex.raw(`${end}(${c})::float8`));
}

/** The histograms' range: each score's finite minimum and maximum over every matching row. */
export function boundsQuery(knex: Knex, filters: Filters): Knex.QueryBuilder {
  return knex.select(
    scoreEnd(knex, filters, 'q', 'min').as('qlo'),
    scoreEnd(knex, filters, 'q', 'max').as('qhi'),
    scoreEnd(knex, filters, 'r', 'min').as('rlo'),
    scoreEnd(knex, filters, 'r', 'max').as('rhi'),
  );
}

export type Bounds = { qlo: number | null; qhi: number | null; rlo: number | null; rhi: number | null };

function metricAggregates(knex: Knex, key: MetricKey): Knex.Raw[] {
  const c = `e.${METRICS[key]}`;
  const ok = finite(c);
  return [
    knex.raw(`count(*) FILTER (WHERE ${ok})::bigint AS ${key}_n`),
    knex.raw(`(count(*) - count(*) FILTER (WHERE ${ok}))::bigint AS ${key}_invalid`),
    knex.raw(`avg(${c}) FILTER (WHERE ${ok}) AS ${key}_mean`),
    knex.raw(`(min(${c}) FILTER (WHERE ${ok}))::float8 AS ${key}_min`),
    knex.raw(`(max(${c}) FILTER (WHERE ${ok}))::float8 AS ${key}_max`),
    knex.raw(`percentile_cont(?::float8[]) WITHIN GROUP (ORDER BY ${c}) FILTER (WHERE ${ok}) AS ${key}_pct`, [`{${PERCENTILES.join(',')}}`]),
  ];
}

/** A finite score's histogram bin (1 to bins) over the range in `b`; NULL for a value that is not finite. Binds `bins` twice. */
export function bucketExpression(key: MetricKey): string {
  const c = `e.${METRICS[key]}`;
  // width_bucket puts the maximum in bucket bins + 1: it belongs in the last bin. When every
  // value is the same there is one value and one bin.
  return `CASE WHEN ${finite(c)} THEN CASE WHEN b.${key}hi > b.${key}lo THEN least(width_bucket(${c}, b.${key}lo, b.${key}hi, ?::int), ?::int) ELSE 1 END END`;
}

export function bucket(key: MetricKey): string {
  return `${bucketExpression(key)} AS ${key}b`;
}

/**
 * The statements behind one distributions request, in order. They run in one snapshot so that
 * every figure describes the same rows; the benchmark runs the same list through a plain client.
 * With `sample`, they read that sample of the pages; the histograms' range is still every row's.
 */
export function distributionStatements(knex: Knex, q: DistributionQuery, sample?: SampleSpec): Statement[] {
  const filters = { forum: q.forum, from: q.from, to: q.to };
  const base = () => applyFilters(evaluationsFrom(knex, sample), filters, 'e');

  const summary = base()
    .select(knex.raw('e.content_type'), knex.raw('GROUPING(e.content_type) AS all_types'), knex.raw('count(*)::bigint AS rows'))
    .select(...metricAggregates(knex, 'q'), ...metricAggregates(knex, 'r'))
    .groupByRaw('GROUPING SETS ((e.content_type), ())');

  const bounds = boundsQuery(knex, filters);
  const bucketed = base()
    .crossJoin(knex.raw('b'))
    .select('e.content_type', knex.raw(bucket('q'), [q.bins, q.bins]), knex.raw(bucket('r'), [q.bins, q.bins]))
    .as('x');
  const histograms = knex
    .withMaterialized('b', bounds)
    .from(bucketed)
    .select(
      'x.content_type',
      'x.qb',
      'x.rb',
      knex.raw('GROUPING(x.content_type) AS all_types'),
      knex.raw('GROUPING(x.qb) AS no_q'),
      knex.raw('GROUPING(x.rb) AS no_r'),
      knex.raw('count(*)::bigint AS n'),
    )
    .groupByRaw('GROUPING SETS ((x.content_type, x.qb), (x.qb), (x.content_type, x.rb), (x.rb), (x.qb, x.rb))');

  const weekly = base()
    .select(
      knex.raw(`to_json(${WEEK}) #>> '{}' AS week`),
      'e.content_type',
      knex.raw('GROUPING(e.content_type) AS all_types'),
      knex.raw('count(*)::bigint AS n'),
      knex.raw(`percentile_cont(0.5) WITHIN GROUP (ORDER BY e.quality_score) FILTER (WHERE ${finite('e.quality_score')}) AS q50`),
      knex.raw(`percentile_cont(0.5) WITHIN GROUP (ORDER BY e.relevance_score) FILTER (WHERE ${finite('e.relevance_score')}) AS r50`),
    )
    .groupByRaw(`GROUPING SETS ((${WEEK}, e.content_type), (${WEEK}))`)
    .orderBy([{ column: 'week' }, { column: 'all_types', order: 'desc' }, { column: 'e.content_type' }]);

  return [summary, histograms, weekly].map(statement);
}

export function statement(s: Knex.QueryBuilder | Knex.Raw): Statement {
  const plain = s.toSQL();
  const native = plain.toNative();
  return { knex: { sql: plain.sql, bindings: plain.bindings as Knex.RawBinding[] }, native: { sql: native.sql, values: [...native.bindings] } };
}

type SummaryRow = { content_type: string | null; all_types: number; rows: string } & Record<
  `${MetricKey}_${'n' | 'invalid'}`,
  string
> &
  Record<`${MetricKey}_${'mean' | 'min' | 'max'}`, number | null> &
  Record<`${MetricKey}_pct`, (number | null)[] | null>;
type HistogramRow = { content_type: string | null; qb: number | null; rb: number | null; all_types: number; no_q: number; no_r: number; n: string };
type WeeklyRow = { week: string; content_type: string | null; all_types: number; n: string; q50: number | null; r50: number | null };

export type RawResults = [SummaryRow[], HistogramRow[], WeeklyRow[]];

export type ShapeOptions = {
  /** The histograms' range; by default the summary's minimum and maximum over all types. */
  bounds?: Bounds;
  basis?: DistributionBasis;
};

function stats(r: SummaryRow, key: MetricKey): MetricStats {
  return {
    count: Number(r[`${key}_n`]),
    invalid: Number(r[`${key}_invalid`]),
    mean: r[`${key}_mean`],
    min: r[`${key}_min`],
    max: r[`${key}_max`],
    percentiles: r[`${key}_pct`] ?? PERCENTILES.map(() => null),
  };
}

/** Bin edges over [lo, hi] in `bins` steps: the frame that the SQL counts are laid on. */
function edges(lo: number | null, hi: number | null, bins: number): { lo: number; hi: number }[] {
  if (lo === null || hi === null) return [];
  if (hi === lo) return [{ lo, hi }];
  return Array.from({ length: bins }, (_, i) => ({ lo: lo + ((hi - lo) * i) / bins, hi: lo + ((hi - lo) * (i + 1)) / bins }));
}

/** Shapes the statements' rows into the API's answer (arithmetic on aggregates only). */
export function shapeDistributions(q: DistributionQuery, [summary, hist, weekly]: RawResults, opts: ShapeOptions = {}): Distributions {
  const all = summary.find((r) => r.all_types === 1);
  const b = opts.bounds ?? { qlo: all?.q_min ?? null, qhi: all?.q_max ?? null, rlo: all?.r_min ?? null, rhi: all?.r_max ?? null };
  const qEdges = edges(b.qlo, b.qhi, q.bins);
  const rEdges = edges(b.rlo, b.rhi, q.bins);
  const histogram = (frame: { lo: number; hi: number }[], type: string | null, key: MetricKey): Histogram => {
    const counts = new Array<number>(frame.length).fill(0);
    for (const h of hist) {
      const b = h[`${key}b`];
      const other = key === 'q' ? h.no_r : h.no_q;
      if (b === null || other !== 1 || (type === null ? h.all_types !== 1 : h.all_types !== 0 || h.content_type !== type)) continue;
      counts[b - 1] = Number(h.n);
    }
    return frame.map((e, i) => ({ ...e, count: counts[i]! }));
  };
  const ordered = [...summary].sort((a, b) => a.all_types - b.all_types || String(a.content_type).localeCompare(String(b.content_type)));
  const groups: GroupDistribution[] = ordered.map((r) => {
    const type = r.all_types === 1 ? null : r.content_type;
    return {
      contentType: type,
      rows: Number(r.rows),
      quality: stats(r, 'q'),
      relevance: stats(r, 'r'),
      qualityHistogram: histogram(qEdges, type, 'q'),
      relevanceHistogram: histogram(rEdges, type, 'r'),
    };
  });
  const grid = qEdges.map(() => new Array<number>(rEdges.length).fill(0));
  for (const h of hist) {
    if (h.all_types === 1 && h.no_q === 0 && h.no_r === 0 && h.qb !== null && h.rb !== null) grid[h.qb - 1]![h.rb - 1] = Number(h.n);
  }
  return {
    bins: q.bins,
    basis: opts.basis ?? { kind: 'exact', reason: null },
    groups,
    heatmap: { quality: qEdges, relevance: rEdges, counts: grid },
    weekly: weekly.map((w) => ({
      week: w.week,
      contentType: w.all_types === 1 ? null : w.content_type,
      count: Number(w.n),
      qualityMedian: w.q50,
      relevanceMedian: w.r50,
    })),
  };
}
