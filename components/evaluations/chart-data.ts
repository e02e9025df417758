// The distribution charts' data, shaped from the API's answer: plain functions, so that the
// drawing only draws, and the shapes can be tested.
import type { Distributions, GroupDistribution, Interval } from '@/lib/schemas/evaluations';

export type HistogramView = 'count' | 'share';

export const range = (lo: number, hi: number) => `${lo.toFixed(2)}–${hi.toFixed(2)}`;

/**
 * One row per bin with a value per content type: the count, or the share of that type's scores
 * that fall in the bin (in %), so that types of very different sizes can be compared. `ranges`
 * holds each value's 95 % interval in the same unit, when the figures are an estimate.
 */
export function histogramRows(groups: GroupDistribution[], metric: 'quality' | 'relevance', view: HistogramView) {
  const key = metric === 'quality' ? 'qualityHistogram' : 'relevanceHistogram';
  const typed = groups.filter((g): g is GroupDistribution & { contentType: string } => g.contentType !== null);
  const frame = groups.find((g) => g.contentType === null)?.[key] ?? [];
  const totals = typed.map((g) => g[key].reduce((a, b) => a + b.count, 0));
  const inUnit = (n: number, t: number) => (view === 'count' ? n : totals[t] ? (100 * n) / totals[t]! : 0);
  const rows: ({ bin: string } & Record<string, string | number>)[] = frame.map((bin, i) => ({
    bin: range(bin.lo, bin.hi),
    ...Object.fromEntries(typed.map((g, t) => [g.contentType, inUnit(g[key][i]?.count ?? 0, t)])),
  }));
  const ranges = frame.map((_, i) =>
    Object.fromEntries(
      typed.flatMap((g, t) => {
        const r = g[key][i]?.interval;
        return r ? [[g.contentType, [inUnit(r[0], t), inUnit(r[1], t)] as Interval]] : [];
      }),
    ),
  ) as Record<string, Interval>[];
  return { rows, ranges, series: typed.map((g, t) => ({ key: g.contentType, name: `${g.contentType}s`, total: totals[t]! })) };
}

/**
 * How far each chart's axes reach: the largest value drawn or, for an estimate, the top of its
 * interval. The page keeps the reach of the estimate it showed first when the exact figures
 * replace it (mergeReach), so that the axes do not move under the reader's eyes.
 */
export type ChartReach = {
  histogram: Record<'quality' | 'relevance', Record<HistogramView, number>>;
  weeklyCount: number;
  weeklyScore: Interval | null;
  cells: number;
};

export function reachOf(d: Distributions): ChartReach {
  const top = (metric: 'quality' | 'relevance', view: HistogramView) => {
    const { rows, ranges, series } = histogramRows(d.groups, metric, view);
    return Math.max(0, ...rows.flatMap((r, i) => series.map((s) => Math.max(Number(r[s.key]), ranges[i]?.[s.key]?.[1] ?? 0))));
  };
  const weekly = d.weekly.filter((w) => w.contentType === null);
  const scores = weekly.flatMap((w) => [
    w.qualityMedian,
    w.relevanceMedian,
    ...(w.intervals?.qualityMedian ?? []),
    ...(w.intervals?.relevanceMedian ?? []),
  ]).filter((v): v is number => v !== null);
  return {
    histogram: {
      quality: { count: top('quality', 'count'), share: top('quality', 'share') },
      relevance: { count: top('relevance', 'count'), share: top('relevance', 'share') },
    },
    weeklyCount: Math.max(0, ...weekly.map((w) => Math.max(w.count, w.intervals?.count[1] ?? 0))),
    weeklyScore: scores.length ? [Math.min(...scores), Math.max(...scores)] : null,
    cells: Math.max(0, ...d.heatmap.counts.flat()),
  };
}

/** The reach of both answers together (either may be missing). */
export function mergeReach(a: ChartReach | null, b: ChartReach | null): ChartReach | null {
  if (!a || !b) return a ?? b;
  const h = (m: 'quality' | 'relevance') => ({ count: Math.max(a.histogram[m].count, b.histogram[m].count), share: Math.max(a.histogram[m].share, b.histogram[m].share) });
  const s = [a.weeklyScore, b.weeklyScore].filter((x): x is Interval => x !== null);
  return {
    histogram: { quality: h('quality'), relevance: h('relevance') },
    weeklyCount: Math.max(a.weeklyCount, b.weeklyCount),
    weeklyScore: s.length ? [Math.min(...s.map((x) => x[0])), Math.max(...s.map((x) => x[1]))] : null,
    cells: Math.max(a.cells, b.cells),
  };
}

/** The weekly medians of every content type together, with each week's number of evaluations (and, for an estimate, their intervals). */
export function weeklyRows(weekly: Distributions['weekly']) {
  return weekly
    .filter((w) => w.contentType === null)
    .map((w) => ({
      week: w.week.slice(0, 10),
      quality: w.qualityMedian,
      relevance: w.relevanceMedian,
      count: w.count,
      ...(w.intervals ? { intervals: w.intervals } : {}),
    }));
}

// viridis, sampled: dark blue to yellow, even steps in lightness, readable on a light and a dark
// page alike, and by readers who do not tell red from green.
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** The colour for `t` in [0, 1]. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const mix = (a: string, b: string, k: number) => Math.round(parseInt(a, 16) * (1 - k) + parseInt(b, 16) * k);
  const [a, b] = [VIRIDIS[i]!, VIRIDIS[i + 1]!];
  const c = [1, 3, 5].map((o) => mix(a.slice(o, o + 2), b.slice(o, o + 2), f).toString(16).padStart(2, '0'));
  return `#${c.join('')}`;
}

export const VIRIDIS_GRADIENT = `linear-gradient(to right, ${VIRIDIS.join(', ')})`;

/** Where a count sits on the heatmap's log scale, 0 for 1 and 1 for the largest count. */
export function heatPosition(n: number, max: number): number {
  if (n <= 0 || max <= 1) return n > 0 ? 1 : 0;
  return Math.log(n) / Math.log(max);
}

/** About `want` evenly spaced bin indices from 0 to n (bin edges), for axis ticks. */
export function edgeTicks(n: number, want = 5): number[] {
  if (n <= 0) return [];
  const step = Math.max(1, Math.round(n / (want - 1)));
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i);
  if (out[out.length - 1] !== n) {
    if (n - out[out.length - 1]! < step / 2) out.pop();
    out.push(n);
  }
  return out;
}
