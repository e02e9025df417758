// 95 % intervals for figures estimated from a TABLESAMPLE SYSTEM sample. SYSTEM keeps or skips
// whole pages, each independently with the same probability f, so the sampled rows come in
// clusters (the rows of one page): when a page's rows resemble one another (rows written in time
// order, say) the sample tells less than as many rows drawn one by one. Every variance below is a
// cluster sample's, computed from the pages the sample read, and never less than a simple random
// sample of the same size would give. Plain arithmetic, no database.
import type { Interval } from '../schemas/evaluations';

/** The normal quantile of a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/**
 * What a sample holds of one count (the rows of a bin, a week, a type...): `n` rows, and the sum
 * over the sampled pages of the square of each page's share of them (Σ m²).
 */
export type PageCount = { n: number; sumSq: number };

/**
 * The pages a sample read: how many of them held rows (`pages`), the rows on them (`rows`,
 * matching the filter or not), and the table's pages now. A count is scaled by tablePages /
 * pages (the rows per sampled page, times the pages): how many pages SYSTEM happened to pick then
 * does not matter, only how much pages differ. That assumes the table has few pages without a
 * live row (a large DELETE not yet vacuumed would make the counts too high).
 */
export type PageSample = { pages: number; rows: number; tablePages: number };

export const scaleOf = (s: PageSample) => s.tablePages / Math.max(1, s.pages);
export const fractionOf = (s: PageSample) => Math.min(1, s.pages / Math.max(1, s.tablePages));

const pageVariance = ({ n, sumSq }: PageCount, s: PageSample) => Math.max(0, (sumSq - (n * n) / s.pages) / (s.pages - 1));

/**
 * How unevenly the rows of a family of counts (a histogram's bins, the grid's cells, the weeks)
 * fall on pages, pooled: their variances over their means. A count the sample saw on no page, or
 * on one or two, has no dispersion of its own worth the name; its family's stands in. Rows written
 * in score order put a bin's rows on a few pages, and this is where it shows.
 */
export function pooledDispersion(counts: PageCount[], s: PageSample): number {
  if (s.pages < 2) return 1;
  let variance = 0;
  let mean = 0;
  for (const c of counts) {
    if (c.n === 0) continue;
    variance += pageVariance(c, s);
    mean += c.n / s.pages;
  }
  return mean > 0 ? variance / mean : 1;
}

/**
 * The interval for the table's count behind `n` sampled rows: the values N for which
 * (n − N·f)² ≤ z²·d·N·f·(1 − f), f being the share of pages read and d the dispersion of the
 * count over the sampled pages (their variance over their mean; at least the binomial 1 − n/rows
 * of rows drawn one by one, and at least `least`, its family's). It is Wilson's score interval
 * carried over to a count, so a count of 0 or a few sampled rows still gets an honest upper bound
 * rather than a normal interval of zero width.
 */
export function countInterval(count: PageCount, s: PageSample, least = 0, z = Z95): Interval {
  const { n } = count;
  const f = fractionOf(s);
  if (f >= 1 || s.pages < 2) return [n / f, n / f];
  const d = n > 0 ? Math.max(1 - n / Math.max(n, s.rows), pageVariance(count, s) / (n / s.pages), least) : Math.max(1, least);
  const c = z * z * d * (1 - f);
  const spread = Math.sqrt(c * c + 4 * n * c);
  return [Math.max(0, (2 * n + c - spread) / (2 * f)), (2 * n + c + spread) / (2 * f)];
}

/**
 * A mean's sums, row by row and page by page: rows n, Σy, Σy² over rows; over the sampled pages
 * ΣY², ΣY·M and ΣM², with Y a page's sum of values and M its number of them.
 */
export type MeanSums = { n: number; sum: number; sumSq: number; pageSumSq: number; pageSumCount: number; pageCountSq: number };

/** The interval of a ratio mean (Σy / Σm over the sampled pages), from its linearised variance. */
export function meanInterval(s: MeanSums, f: number, z = Z95): Interval | null {
  if (s.n < 2) return null;
  const mean = s.sum / s.n;
  const clustered = Math.max(0, s.pageSumSq - 2 * mean * s.pageSumCount + mean * mean * s.pageCountSq) / (s.n * s.n);
  const simple = Math.max(0, (s.sumSq - s.n * mean * mean) / (s.n - 1)) / s.n;
  const se = Math.sqrt((1 - Math.min(1, f)) * Math.max(clustered, simple));
  return [mean - z * se, mean + z * se];
}

/**
 * One group's finite values of one score in the sample, with the page each came from (pages
 * numbered 0, 1, 2...), and the values in ascending order once someone has sorted them.
 */
export type SampledValues = { values: number[]; pages: number[]; sorted?: Float64Array };

/** The values in ascending order, sorted once and kept. */
export function ascending(s: SampledValues): Float64Array {
  return (s.sorted ??= Float64Array.from(s.values).sort());
}

/**
 * Woodruff's interval for each p-quantile, rank-based: the share of values at or below the
 * sample's quantile has a standard error se (from the pages, as above, and at least the binomial
 * √(p(1−p)/n)); the interval runs from the sample's order statistic at rank n·(p − z·se) to the
 * one at n·(p + z·se), each widened by a rank. With every row a page of its own it is the
 * binomial order-statistic interval. Where a rank falls outside the sample, the group's exact
 * minimum or maximum (`ends`) stands in.
 */
export function quantileIntervals(
  sample: SampledValues,
  ps: readonly number[],
  f: number,
  ends: { min: number | null; max: number | null },
  z = Z95,
): (Interval | null)[] {
  const { values, pages } = sample;
  const n = values.length;
  if (n === 0) return ps.map(() => null);
  const sorted = ascending(sample);
  let pageCount = 0;
  for (const page of pages) pageCount = Math.max(pageCount, page + 1);
  const perPage = new Float64Array(pageCount);
  const seen: number[] = [];
  for (const page of pages) if (perPage[page]!++ === 0) seen.push(page);
  const points = ps.map((p) => sorted[Math.min(n, Math.max(1, Math.ceil(p * n))) - 1]!);
  // Rows at or below each quantile of the sample, page by page.
  const below = ps.map(() => new Float64Array(pageCount));
  const taken = new Array<number>(ps.length).fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ps.length; k++) {
      if (values[i]! <= points[k]!) {
        below[k]![pages[i]!]!++;
        taken[k]!++;
      }
    }
  }
  const fpc = 1 - Math.min(1, f);
  const at = (rank: number, outside: number | null) => (rank < 1 ? (outside ?? sorted[0]!) : rank > n ? (outside ?? sorted[n - 1]!) : sorted[rank - 1]!);
  return ps.map((p, k) => {
    const share = taken[k]! / n;
    let residual = 0;
    for (const page of seen) residual += (below[k]![page]! - share * perPage[page]!) ** 2;
    const se = Math.sqrt(fpc * Math.max(residual / (n * n), (p * (1 - p)) / n));
    return [at(Math.floor(n * (p - z * se)), ends.min), at(Math.ceil(n * (p + z * se)) + 1, ends.max)];
  });
}

/**
 * Counts (and sums, for means) by numbered key over sampled rows taken page by page, in page
 * order: what countInterval and meanInterval need, without keeping the rows.
 */
export class PageTally {
  private readonly n: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly pageSumSq: Float64Array;
  private readonly pageSumCount: Float64Array;
  private readonly pageCountSq: Float64Array;
  /** The current page's count and sum under each key. */
  private readonly m: Float64Array;
  private readonly y: Float64Array;
  private readonly touched: number[] = [];
  private page: number | null = null;

  /** Keys are 0 to size − 1. */
  constructor(size: number) {
    const array = () => new Float64Array(size);
    this.n = array();
    this.sum = array();
    this.sumSq = array();
    this.pageSumSq = array();
    this.pageSumCount = array();
    this.pageCountSq = array();
    this.m = array();
    this.y = array();
  }

  /** A row of `page` counted under `key`, with its value when the key has a mean. */
  add(page: number, key: number, value = 0): void {
    if (page !== this.page) {
      this.flush();
      this.page = page;
    }
    if (this.m[key]!++ === 0) this.touched.push(key);
    this.y[key]! += value;
    this.sumSq[key]! += value * value;
  }

  private flush(): void {
    for (const key of this.touched) {
      const m = this.m[key]!;
      const y = this.y[key]!;
      this.n[key]! += m;
      this.sum[key]! += y;
      this.pageSumSq[key]! += y * y;
      this.pageSumCount[key]! += y * m;
      this.pageCountSq[key]! += m * m;
      this.m[key] = 0;
      this.y[key] = 0;
    }
    this.touched.length = 0;
  }

  /** The count under `key` (0 rows when the sample had none). */
  count(key: number): PageCount {
    this.flush();
    return { n: this.n[key]!, sumSq: this.pageCountSq[key]! };
  }

  /** The sums of the values under `key`. */
  sums(key: number): MeanSums {
    this.flush();
    return {
      n: this.n[key]!,
      sum: this.sum[key]!,
      sumSq: this.sumSq[key]!,
      pageSumSq: this.pageSumSq[key]!,
      pageSumCount: this.pageSumCount[key]!,
      pageCountSq: this.pageCountSq[key]!,
    };
  }
}
