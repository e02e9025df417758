// The distributions' first answer from a sample of the table's pages, against the exact answer on
// the generator's data (seed 42, 60,000 evaluations): the estimate draws on the exact frame (bin
// edges, ends, weeks, types), and its 95 % intervals hold the exact figures, also when the table
// is written in score order (pages whose rows are alike), where the intervals must widen.
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateDistributions, percentileCont, sampleFigures, sampleStatement, unpackSample, type PackedSample, type SamplingOptions } from '../lib/evaluations/distribution-estimate';
import { DISTRIBUTION_SETTINGS, distributionStatements, shapeDistributions, type RawResults } from '../lib/evaluations/distribution-sql';
import { exactDistributions, getDistributions } from '../lib/evaluations/distributions';
import { SCALES, type Scale } from '../lib/generator/scales';
import { coverage, estimateChecks, holds } from '../lib/evaluations/estimate-checks';
import { distributionQuerySchema, type Distributions } from '../lib/schemas/evaluations';
import { freshTestDatabase } from './harness/db';
import { loadGenerated } from './harness/generated';

const db = freshTestDatabase();
const scale: Scale = { ...SCALES.small, topics: 200, postsPerTopic: 2, evaluations: 60_000 };

/** Sized for this table: about 4,000 sampled rows of 60,000 (some 110 of its pages). */
const SMALL_TABLE: SamplingOptions = { targetRows: 4_000, exactUpToRows: 20_000, maxPercent: 50, quickPercent: 50, minPages: 30, minRows: 500, seed: 1 };

function sameFrame(est: Distributions, exact: Distributions) {
  expect(est.basis.kind).toBe('estimate');
  expect(est.groups.map((g) => g.contentType)).toEqual(exact.groups.map((g) => g.contentType));
  for (const g of exact.groups) {
    const e = est.groups.find((x) => x.contentType === g.contentType)!;
    for (const metric of ['quality', 'relevance'] as const) {
      expect([e[metric].min, e[metric].max], `${g.contentType} ${metric} ends`).toEqual([g[metric].min, g[metric].max]);
    }
    expect(e.qualityHistogram.map((b) => [b.lo, b.hi])).toEqual(g.qualityHistogram.map((b) => [b.lo, b.hi]));
    expect(e.relevanceHistogram.map((b) => [b.lo, b.hi])).toEqual(g.relevanceHistogram.map((b) => [b.lo, b.hi]));
  }
  expect(est.heatmap.quality).toEqual(exact.heatmap.quality);
  expect(est.heatmap.relevance).toEqual(exact.heatmap.relevance);
  const weeks = (d: Distributions) => d.weekly.filter((w) => w.contentType === null).map((w) => w.week);
  expect(weeks(est)).toEqual(weeks(exact));
}

beforeAll(async () => {
  await db.knex.migrate.latest();
  await loadGenerated(db, scale, 42);
}, 300_000);

describe('the estimate of the distributions', () => {
  it('draws on the exact frame, and its intervals hold the exact figures', async () => {
    const q = distributionQuerySchema.parse({ mode: 'estimate' });
    const est = await estimateDistributions(db.knex, q, SMALL_TABLE);
    const exact = await exactDistributions(db.knex, q);
    if ('exactBecause' in est) throw new Error(est.exactBecause);
    expect(est.basis).toMatchObject({ kind: 'estimate', method: 'TABLESAMPLE SYSTEM', confidence: 0.95 });
    if (est.basis.kind !== 'estimate') return;
    expect(est.basis.sampledRows).toBeGreaterThan(2_000);
    expect(est.basis.sampledRows).toBeLessThan(8_000);
    expect(est.basis.percent).toBeCloseTo((100 * 4_000) / 60_000, 0);
    sameFrame(est, exact);

    const checks = estimateChecks(est, exact);
    // 95 % intervals: about one in twenty may miss; the percentiles and totals are few and must hold.
    for (const [what, match, least] of [
      ['rows and counts', /(rows|count)$/, 0.9],
      ['means', /mean$/, 0.9],
      ['percentiles', /p\d$/, 0.9],
      ['histogram bins', /bin \d+$/, 0.9],
      ['grid cells', /^cell/, 0.9],
      ['weekly counts', /^week .* count$/, 0.9],
      ['weekly medians', /median (quality|relevance)$/, 0.9],
    ] as const) {
      const c = coverage(checks, match);
      expect(c.n, what).toBeGreaterThan(0);
      expect(c.share, `${what}: ${c.missed.join('; ')}`).toBeGreaterThanOrEqual(least);
    }
    const all = (d: Distributions) => d.groups.find((g) => g.contentType === null)!;
    const a = all(est);
    expect(a.rowsInterval![0]).toBeLessThanOrEqual(60_000);
    expect(a.rowsInterval![1]).toBeGreaterThanOrEqual(60_000);
    for (const metric of ['quality', 'relevance'] as const) {
      a[metric].intervals!.percentiles.forEach((i, n) => expect(holds({ what: `p${n}`, interval: i, exact: all(exact)[metric].percentiles[n]! }), `all ${metric} p${n}`).toBe(true));
    }
    // Narrow enough to be worth showing: a few hundredths of a score, a few % of the rows.
    const median = a.quality.intervals!.percentiles[2]!;
    expect(median[1] - median[0]).toBeLessThan(0.03);
    expect(a.rowsInterval![1] - a.rowsInterval![0]).toBeLessThan(60_000 * 0.15);
  });

  it('reads the sample once and computes from its rows what the SQL statements answer over the same sample', async () => {
    for (const params of [{ mode: 'estimate' }, { mode: 'estimate', forum: '1,2,3', from: '2025-05-01', to: '2025-11-30', bins: '7' }]) {
      const q = distributionQuerySchema.parse(params);
      const sample = { percent: 20, seed: 5 };
      await db.knex.transaction(
        async (trx) => {
          const run = async <T>(st: { knex: { sql: string; bindings: readonly unknown[] } }) => (await trx.raw(st.knex.sql, st.knex.bindings as never)).rows as T;
          // A server whose default rounds floats as text: the distributions' settings keep the sample's values exact.
          await trx.raw('SET LOCAL extra_float_digits = 0');
          await trx.raw(DISTRIBUTION_SETTINGS);
          const [read] = await run<PackedSample[]>(sampleStatement(db.knex, q, sample));
          const rows = unpackSample(read!);
          const sql: unknown[][] = [];
          for (const st of distributionStatements(db.knex, q, sample)) sql.push(await run<unknown[]>(st));
          const [pages] = await run<{ pages: number; rows: number }[]>({
            knex: { sql: 'SELECT count(DISTINCT (ctid::text::point)[0])::int AS pages, count(*)::int AS rows FROM content_evaluations TABLESAMPLE SYSTEM (?) REPEATABLE (?)', bindings: [sample.percent, sample.seed] },
          });
          expect(rows.n, JSON.stringify(params)).toBeGreaterThan(1_000);
          // The scale of the counts: every row the sampled pages hold, filter or not.
          expect({ pages: rows.sampledPages, rows: rows.sampledRows }).toEqual(pages);
          // With a filter the statement counts them; without one, they are counted from the rows.
          if (params.forum) expect(rows.sampledRows).toBeGreaterThan(2 * rows.n);
          else expect(read!.sampled_pages).toBeNull();
          const weeks = [...new Set((sql[2] as { week: string }[]).map((w) => w.week))];
          const fromSql = shapeDistributions(q, sql as RawResults);
          const fromRows = shapeDistributions(q, sampleFigures(q, rows, weeks));
          // Sums of the same values in another order may differ in the last bits: means to 1e-9.
          const means = (d: typeof fromSql) => d.groups.flatMap((g) => [g.quality.mean, g.relevance.mean]);
          means(fromRows).forEach((m, i) => expect(m, `mean ${i}`).toBeCloseTo(means(fromSql)[i]!, 9));
          const rest = (d: typeof fromSql) => ({ ...d, groups: d.groups.map((g) => ({ ...g, quality: { ...g.quality, mean: 0 }, relevance: { ...g.relevance, mean: 0 } })) });
          expect(rest(fromRows)).toEqual(rest(fromSql));
          expect(fromSql.weekly.length).toBeGreaterThan(10);
          expect(fromSql.groups.length).toBeGreaterThan(2);
        },
        { isolationLevel: 'repeatable read' },
      );
    }
  });

  it('unpacks the sample: known types by position, any other type by its bytes, scores that are not finite as NaN', async () => {
    const hex = Buffer.from('vidéo,1;x', 'utf8').toString('hex');
    const read = { packed: `7,1,1735516800,0.5,0.25,11,6;7,x${hex},1735516800,,0.75,,16;9,0,1736121600,1,0,20,1`, sampled_pages: null, sampled_rows: null };
    const s = unpackSample(read);
    expect(s.n).toBe(3);
    expect(s.types).toEqual(['post', 'vidéo,1;x', 'topic']);
    expect([...s.type]).toEqual([0, 1, 2]);
    expect([...s.page]).toEqual([7, 7, 9]);
    expect([...s.weekMs]).toEqual([1735516800000, 1735516800000, 1736121600000]);
    expect([...s.q]).toEqual([0.5, NaN, 1]);
    expect([...s.qb]).toEqual([11, 0, 20]);
    // Without a filter the pages and rows are the sample's own: two pages, three rows.
    expect([s.sampledPages, s.sampledRows]).toEqual([2, 3]);
    expect(unpackSample({ packed: null, sampled_pages: 4, sampled_rows: 10 })).toMatchObject({ n: 0, sampledPages: 4, sampledRows: 10 });
    // The statement writes the hex the same way.
    const r = await db.knex.raw<{ rows: { h: string }[] }>("SELECT encode(convert_to(?, 'UTF8'), 'hex') AS h", ['vidéo,1;x']);
    expect(r.rows[0]!.h).toBe(hex);
  });

  it('interpolates percentiles as PostgreSQL does', async () => {
    const values = [0.3, -1.5, 2.25, 7, 7, 11.125, 0.1];
    const sorted = Float64Array.from(values).sort();
    const ps = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1];
    const r = await db.knex.raw<{ rows: { p: number[] }[] }>('SELECT percentile_cont(?::float8[]) WITHIN GROUP (ORDER BY v) AS p FROM unnest(?::float8[]) v', [`{${ps.join(',')}}`, `{${values.join(',')}}`]);
    expect(ps.map((p) => percentileCont(sorted, p))).toEqual(r.rows[0]!.p);
    expect(percentileCont(new Float64Array(), 0.5)).toBeNull();
  });

  it('takes the forum and date filters, on the sample and on the frame', async () => {
    const q = distributionQuerySchema.parse({ mode: 'estimate', forum: '1,2,3', from: '2025-05-01', to: '2025-11-30' });
    const est = await estimateDistributions(db.knex, q, { ...SMALL_TABLE, exactUpToRows: 5_000 });
    const exact = await exactDistributions(db.knex, q);
    if ('exactBecause' in est) throw new Error(est.exactBecause);
    const all = exact.groups.find((g) => g.contentType === null)!;
    expect(all.rows).toBeGreaterThan(10_000);
    expect(all.rows).toBeLessThan(50_000);
    sameFrame(est, exact);
    const checks = estimateChecks(est, exact);
    expect(coverage(checks, /rows$/).share).toBe(1);
    expect(coverage(checks, /p\d$/).share).toBeGreaterThanOrEqual(0.9);
  });

  it('reads at most its quick share of the pages for a filter that leaves few rows, with wider intervals that still hold', async () => {
    const q = distributionQuerySchema.parse({ mode: 'estimate', forum: '1,2,3', from: '2025-05-01', to: '2025-11-30' });
    const full = await estimateDistributions(db.knex, q, { ...SMALL_TABLE, exactUpToRows: 5_000 });
    const quick = await estimateDistributions(db.knex, q, { ...SMALL_TABLE, exactUpToRows: 5_000, quickPercent: 10 });
    const exact = await exactDistributions(db.knex, q);
    if ('exactBecause' in full || 'exactBecause' in quick) throw new Error('expected estimates');
    if (full.basis.kind !== 'estimate' || quick.basis.kind !== 'estimate') throw new Error('expected estimates');
    expect(full.basis.percent).toBeGreaterThan(10);
    expect(quick.basis.percent).toBe(10);
    expect(quick.basis.sampledRows).toBeLessThan(full.basis.sampledRows);
    const width = (d: typeof quick) => {
      const [lo, hi] = d.groups.find((g) => g.contentType === null)!.quality.intervals!.percentiles[2]!;
      return hi - lo;
    };
    expect(width(quick)).toBeGreaterThan(width(full));
    sameFrame(quick, exact);
    const checks = estimateChecks(quick, exact);
    expect(coverage(checks, /rows$/).share).toBe(1);
    expect(coverage(checks, /p\d$/).share).toBeGreaterThanOrEqual(0.9);
  });

  it('widens its intervals when the pages hold alike rows (the table in score order)', async () => {
    const q = distributionQuerySchema.parse({ mode: 'estimate' });
    const before = await estimateDistributions(db.knex, q, SMALL_TABLE);
    await db.knex.raw('CLUSTER content_evaluations USING content_evaluations_quality_score_id_idx');
    await db.knex.raw('ANALYZE content_evaluations');
    const after = await estimateDistributions(db.knex, q, SMALL_TABLE);
    const exact = await exactDistributions(db.knex, q);
    if ('exactBecause' in before || 'exactBecause' in after) throw new Error('no estimate');
    const width = (d: Distributions, i: number) => {
      const [lo, hi] = d.groups.find((g) => g.contentType === null)!.quality.intervals!.percentiles[i]!;
      return hi - lo;
    };
    // Each page now holds a narrow band of quality scores: a sampled page says far less.
    for (const i of [1, 2, 3]) expect(width(after, i), `p${i}`).toBeGreaterThan(2 * width(before, i));
    const checks = estimateChecks(after, exact);
    expect(coverage(checks, /quality p\d$/).share).toBeGreaterThanOrEqual(0.9);
    // A bin's rows now sit on a few pages: one the sample missed is still within its interval.
    expect(coverage(checks, /quality bin \d+$/).share).toBeGreaterThanOrEqual(0.9);
    expect(coverage(checks, /^cell/).share).toBeGreaterThanOrEqual(0.9);
  });

  it('is the exact answer, saying why, when few rows match', async () => {
    const q = distributionQuerySchema.parse({ mode: 'estimate', forum: '2' });
    const got = await getDistributions(db.knex, q);
    expect(got.basis).toEqual({ kind: 'exact', reason: expect.stringMatching(/^About [\d,]+ evaluations match \(the planner's estimate\): few enough/) });
    const exact = await getDistributions(db.knex, { ...q, mode: 'exact' });
    expect(exact.basis).toEqual({ kind: 'exact', reason: null });
    expect({ ...got, basis: null }).toEqual({ ...exact, basis: null });
  });
});
