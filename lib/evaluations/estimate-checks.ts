// An estimate's intervals beside the exact figures they claim to hold: what the tests and the
// benchmark count. Plain data, no database.
import type { Distributions, Interval } from '../schemas/evaluations';

export type EstimateCheck = { what: string; interval: Interval | null | undefined; exact: number | null };

/** Every figure of the exact answer that the estimate gives an interval for. */
export function estimateChecks(est: Distributions, exact: Distributions): EstimateCheck[] {
  const out: EstimateCheck[] = [];
  for (const g of exact.groups) {
    const e = est.groups.find((x) => x.contentType === g.contentType);
    if (!e) continue;
    const name = g.contentType ?? 'all';
    out.push({ what: `${name} rows`, interval: e.rowsInterval, exact: g.rows });
    for (const metric of ['quality', 'relevance'] as const) {
      const s = e[metric];
      out.push({ what: `${name} ${metric} count`, interval: s.intervals?.count, exact: g[metric].count });
      out.push({ what: `${name} ${metric} mean`, interval: s.intervals?.mean, exact: g[metric].mean });
      g[metric].percentiles.forEach((p, i) => out.push({ what: `${name} ${metric} p${i}`, interval: s.intervals?.percentiles[i], exact: p }));
      const h = metric === 'quality' ? 'qualityHistogram' : 'relevanceHistogram';
      g[h].forEach((bin, i) => out.push({ what: `${name} ${metric} bin ${i + 1}`, interval: e[h][i]?.interval, exact: bin.count }));
    }
  }
  exact.heatmap.counts.forEach((row, qi) => row.forEach((n, ri) => out.push({ what: `cell ${qi},${ri}`, interval: est.heatmap.intervals?.[qi]?.[ri], exact: n })));
  for (const w of exact.weekly) {
    const e = est.weekly.find((x) => x.week === w.week && x.contentType === w.contentType);
    if (!e) continue; // a type the sample did not see in that week
    out.push({ what: `week ${w.week} ${w.contentType} count`, interval: e.intervals?.count, exact: w.count });
    out.push({ what: `week ${w.week} ${w.contentType} median quality`, interval: e.intervals?.qualityMedian, exact: w.qualityMedian });
    out.push({ what: `week ${w.week} ${w.contentType} median relevance`, interval: e.intervals?.relevanceMedian, exact: w.relevanceMedian });
  }
  return out;
}

export const holds = (c: EstimateCheck) => c.exact === null || (c.interval != null && c.interval[0] <= c.exact && c.exact <= c.interval[1]);

/** The share of the checks whose names match that hold, and the ones that do not. */
export function coverage(checks: EstimateCheck[], match: RegExp = /./): { share: number; n: number; missed: string[] } {
  const some = checks.filter((c) => match.test(c.what));
  const missed = some.filter((c) => !holds(c));
  return { share: some.length ? 1 - missed.length / some.length : 1, n: some.length, missed: missed.map((c) => `${c.what}: ${c.exact} not in ${JSON.stringify(c.interval)}`) };
}
