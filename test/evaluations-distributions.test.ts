// The score distributions against an independent computation in the test over the test's own
// rows: histogram counts, percentiles, mean, NULL/NaN counts, the heatmap and weekly medians,
// with and without the forum and date filters.
import { beforeAll, describe, expect, it } from 'vitest';
import { getDistributions } from '../lib/evaluations/distributions';
import { distributionQuerySchema, PERCENTILES, type Distributions } from '../lib/schemas/evaluations';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();

type Row = { forum: number; type: 'topic' | 'post'; q: number; r: number; at: Date };

// A small deterministic generator, so that the rows are varied but the same every run.
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 6); // a Monday
const rows: Row[] = [];
const rand = lcg(7);
for (let i = 0; i < 900; i++) {
  // Scores on a 1/1000 grid offset by half a step, so that none falls on a bin edge of [0, 1]:
  // the test's bins and PostgreSQL's then cannot differ by rounding.
  const q = (Math.floor(rand() * 1000) + 0.5) / 1000;
  const r = (Math.floor(rand() * 1000) + 0.5) / 1000;
  rows.push({ forum: 1 + (i % 3), type: rand() < 0.3 ? 'topic' : 'post', q, r, at: new Date(START + Math.floor(rand() * 70 * DAY)) });
}
// The observed range's ends, values that are not numbers, and ties.
rows.push({ forum: 1, type: 'post', q: 0, r: 1, at: new Date(START + DAY) });
rows.push({ forum: 2, type: 'topic', q: 1, r: 0, at: new Date(START + 2 * DAY) });
for (let i = 0; i < 5; i++) rows.push({ forum: 1, type: 'post', q: 0.5005, r: 0.5005, at: new Date(START + 3 * DAY) });
rows.push({ forum: 1, type: 'post', q: NaN, r: 0.2505, at: new Date(START + 4 * DAY) });
rows.push({ forum: 2, type: 'topic', q: 0.3005, r: NaN, at: new Date(START + 5 * DAY) });
rows.push({ forum: 3, type: 'post', q: Infinity, r: -Infinity, at: new Date(START + 6 * DAY) });

const f32 = (x: number) => Math.fround(x);
const finite = (x: number) => Number.isFinite(x);

function percentileCont(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

function bucket(x: number, lo: number, hi: number, n: number): number {
  if (hi === lo) return 1;
  return Math.min(n, Math.floor((n * (x - lo)) / (hi - lo)) + 1);
}

function mondayOf(d: Date): string {
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day)).toISOString().slice(0, 10);
}

/** What the distributions must be, computed here from the rows (as float4, as stored). */
function expected(subset: Row[], bins: number) {
  const vals = (key: 'q' | 'r', rs: Row[]) => rs.map((r) => f32(r[key])).filter(finite).sort((a, b) => a - b);
  const allQ = vals('q', subset);
  const allR = vals('r', subset);
  const range = (v: number[]) => ({ lo: v[0]!, hi: v[v.length - 1]! });
  const qr = range(allQ);
  const rr = range(allR);
  const stats = (rs: Row[], key: 'q' | 'r') => {
    const v = vals(key, rs);
    return {
      count: v.length,
      invalid: rs.length - v.length,
      mean: v.reduce((a, b) => a + b, 0) / v.length,
      percentiles: PERCENTILES.map((p) => percentileCont(v, p)),
      min: v[0],
      max: v[v.length - 1],
    };
  };
  const hist = (rs: Row[], key: 'q' | 'r') => {
    const { lo, hi } = key === 'q' ? qr : rr;
    const counts = new Array<number>(bins).fill(0);
    for (const x of vals(key, rs)) counts[bucket(x, lo, hi, bins) - 1]!++;
    return counts;
  };
  const grid = Array.from({ length: bins }, () => new Array<number>(bins).fill(0));
  for (const r of subset) {
    const q = f32(r.q);
    const rv = f32(r.r);
    if (finite(q) && finite(rv)) grid[bucket(q, qr.lo, qr.hi, bins) - 1]![bucket(rv, rr.lo, rr.hi, bins) - 1]!++;
  }
  const weeks = new Map<string, Row[]>();
  for (const r of subset) weeks.set(mondayOf(r.at), [...(weeks.get(mondayOf(r.at)) ?? []), r]);
  const weekly = [...weeks.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, rs]) => ({ week, count: rs.length, q50: percentileCont(vals('q', rs), 0.5), r50: percentileCont(vals('r', rs), 0.5) }));
  const byType = (t: string) => subset.filter((r) => r.type === t);
  return { qr, rr, stats, hist, grid, weekly, byType };
}

function check(got: Distributions, subset: Row[], bins: number) {
  const want = expected(subset, bins);
  const groups = [
    { type: null, rs: subset },
    { type: 'post', rs: want.byType('post') },
    { type: 'topic', rs: want.byType('topic') },
  ];
  for (const { type, rs } of groups) {
    const g = got.groups.find((x) => x.contentType === type);
    expect(g, `group ${type}`).toBeDefined();
    expect(g!.rows).toBe(rs.length);
    for (const [key, metric] of [['q', 'quality'], ['r', 'relevance']] as const) {
      const s = want.stats(rs, key);
      const m = g![metric];
      expect(m.count, `${type} ${metric} count`).toBe(s.count);
      expect(m.invalid, `${type} ${metric} NULL/NaN`).toBe(s.invalid);
      expect(m.mean).toBeCloseTo(s.mean, 9);
      expect(m.min).toBe(s.min);
      expect(m.max).toBe(s.max);
      m.percentiles.forEach((p, i) => expect(p, `${type} ${metric} p${PERCENTILES[i]}`).toBeCloseTo(s.percentiles[i]!, 9));
      const h = metric === 'quality' ? g!.qualityHistogram : g!.relevanceHistogram;
      expect(h.map((b) => b.count), `${type} ${metric} histogram`).toEqual(want.hist(rs, key));
      expect(h.reduce((a, b) => a + b.count, 0)).toBe(s.count);
      const { lo, hi } = key === 'q' ? want.qr : want.rr;
      expect(h[0]!.lo).toBe(lo);
      expect(h[h.length - 1]!.hi).toBeCloseTo(hi, 12);
    }
  }
  expect(got.heatmap.counts).toEqual(want.grid);
  const weekly = got.weekly.filter((w) => w.contentType === null);
  expect(weekly.map((w) => w.week.slice(0, 10))).toEqual(want.weekly.map((w) => w.week));
  weekly.forEach((w, i) => {
    expect(w.count).toBe(want.weekly[i]!.count);
    expect(w.qualityMedian).toBeCloseTo(want.weekly[i]!.q50!, 9);
    expect(w.relevanceMedian).toBeCloseTo(want.weekly[i]!.r50!, 9);
  });
  // Each week's per-type counts add up to the week's.
  for (const w of weekly) {
    const parts = got.weekly.filter((x) => x.week === w.week && x.contentType !== null);
    expect(parts.reduce((a, b) => a + b.count, 0)).toBe(w.count);
  }
}

beforeAll(async () => {
  await db.knex.migrate.latest();
  await db.knex('forums').insert([1, 2, 3].map((id) => ({ id, name: `forum ${id}`, url: `https://f${id}.example` })));
  const score = (x: number) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x);
  await db.knex('content_evaluations').insert(
    rows.map((r, i) => ({
      content_id: i + 1,
      content_type: r.type,
      forum_id: r.forum,
      quality_score: score(r.q),
      relevance_score: score(r.r),
      created_at: r.at.toISOString(),
    })),
  );
});

describe('distributions', () => {
  it('match an independent computation over every row', async () => {
    const got = await getDistributions(db.knex, distributionQuerySchema.parse({ bins: '10' }));
    expect(got.bins).toBe(10);
    check(got, rows, 10);
    // The planted values: one NaN quality and one infinite quality; one NaN and one -Infinity relevance.
    const all = got.groups.find((g) => g.contentType === null)!;
    expect(all.quality.invalid).toBe(2);
    expect(all.relevance.invalid).toBe(2);
  });

  it('match it for one forum and a date range', async () => {
    const from = '2025-01-20';
    const to = '2025-02-16';
    const got = await getDistributions(db.knex, distributionQuerySchema.parse({ forum: '1', from, to, bins: '7' }));
    const subset = rows.filter((r) => r.forum === 1 && r.at >= new Date(`${from}T00:00:00Z`) && r.at < new Date(Date.parse(`${to}T00:00:00Z`) + DAY));
    expect(subset.length).toBeGreaterThan(50);
    check(got, subset, 7);
  });

  it('are empty, not an error, when nothing matches', async () => {
    const got = await getDistributions(db.knex, distributionQuerySchema.parse({ from: '2030-01-01' }));
    expect(got.groups).toEqual([
      expect.objectContaining({ contentType: null, rows: 0, qualityHistogram: [], relevanceHistogram: [] }),
    ]);
    expect(got.heatmap.counts).toEqual([]);
    expect(got.weekly).toEqual([]);
  });

  it('say they are exact; asked for an estimate of so few rows, they are the same exact figures and say why', async () => {
    const exact = await getDistributions(db.knex, distributionQuerySchema.parse({ bins: '10' }));
    expect(exact.basis).toEqual({ kind: 'exact', reason: null });
    const asked = await getDistributions(db.knex, distributionQuerySchema.parse({ bins: '10', mode: 'estimate' }));
    expect(asked.basis).toEqual({ kind: 'exact', reason: expect.stringContaining('few enough to read them all') });
    check(asked, rows, 10);
    expect({ ...asked, basis: null }).toEqual({ ...exact, basis: null });
    expect(() => distributionQuerySchema.parse({ mode: 'guess' })).toThrow(/'estimate' or 'exact'/);
  });

  it('put every value in one bin when all values are equal', async () => {
    // The planted rows sit at midnight; the generated ones practically never do.
    const got = await getDistributions(db.knex, distributionQuerySchema.parse({ forum: '2', from: '2025-01-08T00:00:00Z', to: '2025-01-08T00:00:00.001Z' }));
    const all = got.groups.find((g) => g.contentType === null)!;
    expect(all.rows).toBe(1);
    expect(all.qualityHistogram).toEqual([{ lo: 1, hi: 1, count: 1 }]);
  });
});
