// The arithmetic of the estimates' intervals, on populations made here: the textbook binomial
// interval when every row is a page of its own, and about 95 % coverage over many page samples,
// also when the rows of a page are alike, where intervals that ignored the pages would miss.
import { describe, expect, it } from 'vitest';
import { countInterval, meanInterval, PageTally, quantileIntervals, scaleOf, Z95, type PageSample } from '../lib/evaluations/sample-intervals';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('quantileIntervals', () => {
  it('is the binomial order-statistic interval when each row is a page of its own', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, unsorted
    const pages = values.map((_, i) => i);
    const [median] = quantileIntervals({ values, pages }, [0.5], 0, { min: null, max: null });
    // The 95 % interval for the median of 1,000 runs from the 469th to the 532nd value.
    expect(median).toEqual([469, 532]);
  });

  it('falls back on the exact ends where a rank leaves the sample', () => {
    const values = [0.2, 0.4, 0.6];
    const [p10] = quantileIntervals({ values, pages: [0, 1, 2] }, [0.1], 0, { min: 0.05, max: 0.95 });
    expect(p10).toEqual([0.05, 0.6]);
    expect(quantileIntervals({ values: [], pages: [] }, [0.5], 0.1, { min: 0, max: 1 })).toEqual([null]);
  });
});

describe('countInterval', () => {
  const sample: PageSample = { pages: 200, rows: 8_000, tablePages: 10_000 };
  it('is the count itself when every page was read', () => {
    expect(countInterval({ n: 37, sumSq: 100 }, { pages: 50, rows: 2_000, tablePages: 50 })).toEqual([37, 37]);
  });
  it('gives a count never seen an upper bound of z²(1 − f)/f rows', () => {
    const f = 200 / 10_000;
    const [lo, hi] = countInterval({ n: 0, sumSq: 0 }, sample);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo((Z95 * Z95 * (1 - f)) / f, 6);
  });
  it("widens with the pages' clustering: the same rows on fewer pages say less", () => {
    const spread = countInterval({ n: 400, sumSq: 400 }, sample); // one row a page
    const bunched = countInterval({ n: 400, sumSq: 400 * 20 }, sample); // twenty rows a page
    expect(bunched[1] - bunched[0]).toBeGreaterThan(3 * (spread[1] - spread[0]));
    expect(spread[0]).toBeLessThan(400 * scaleOf(sample));
    expect(spread[1]).toBeGreaterThan(400 * scaleOf(sample));
  });
});

/**
 * A table of 4,000 pages of 40 rows; `ordered` writes the rows in value order (a page's rows are
 * alike). Samples pages with probability f as TABLESAMPLE SYSTEM does and counts how often each
 * interval holds the table's figure.
 */
function simulate(ordered: boolean, trials: number, pagesAsRows = false) {
  const rand = lcg(ordered ? 11 : 12);
  const rowsPerPage = 40;
  const pagesN = 4_000;
  const values = Array.from({ length: pagesN * rowsPerPage }, () => rand() + rand() + rand());
  if (ordered) values.sort((a, b) => a - b);
  else {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
  }
  const sorted = [...values].sort((a, b) => a - b);
  const trueMedian = sorted[Math.ceil(sorted.length / 2) - 1]!;
  const trueMean = values.reduce((a, b) => a + b, 0) / values.length;
  const trueHigh = values.filter((v) => v > 2).length; // a "bin"
  const f = 0.02;
  let medianHeld = 0;
  let meanHeld = 0;
  let countHeld = 0;
  for (let t = 0; t < trials; t++) {
    const s = { values: [] as number[], pages: [] as number[] };
    const tally = new PageTally(2);
    let page = 0;
    for (let p = 0; p < pagesN; p++) {
      if (rand() >= f) continue;
      for (let r = 0; r < rowsPerPage; r++) {
        const v = values[p * rowsPerPage + r]!;
        const id = pagesAsRows ? s.values.length : page;
        s.values.push(v);
        s.pages.push(id);
        tally.add(id, 0, v);
        if (v > 2) tally.add(id, 1);
      }
      page++;
    }
    const sample: PageSample = { pages: pagesAsRows ? s.values.length : page, rows: s.values.length, tablePages: pagesAsRows ? values.length : pagesN };
    const [m] = quantileIntervals(s, [0.5], page / pagesN, { min: sorted[0]!, max: sorted[sorted.length - 1]! });
    if (m && m[0] <= trueMedian && trueMedian <= m[1]) medianHeld++;
    const mean = meanInterval(tally.sums(0), page / pagesN);
    if (mean && mean[0] <= trueMean && trueMean <= mean[1]) meanHeld++;
    const c = countInterval(tally.count(1), sample);
    if (c[0] <= trueHigh && trueHigh <= c[1]) countHeld++;
  }
  return { median: medianHeld / trials, mean: meanHeld / trials, count: countHeld / trials };
}

describe('coverage over repeated page samples', () => {
  it('is about 95 % when rows fall on pages at random', () => {
    const c = simulate(false, 300);
    for (const [what, share] of Object.entries(c)) {
      expect(share, what).toBeGreaterThanOrEqual(0.9);
      expect(share, what).toBeLessThanOrEqual(0.995);
    }
  });

  it('stays about 95 % when each page holds alike rows, where treating rows as drawn one by one would miss', () => {
    const c = simulate(true, 300);
    for (const [what, share] of Object.entries(c)) {
      expect(share, what).toBeGreaterThanOrEqual(0.9);
      expect(share, what).toBeLessThanOrEqual(1);
    }
    const naive = simulate(true, 300, true);
    expect(naive.median).toBeLessThan(0.5);
    expect(naive.count).toBeLessThan(0.5);
  });
});
