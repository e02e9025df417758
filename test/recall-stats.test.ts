// How sure a recall measurement is: the interval the vector health page shows beside each recall,
// and how many queries a ±0.02 answer needs.
import { describe, expect, it } from 'vitest';
import { recallUncertainty, t95, wilson } from '../lib/diagnostics/vector/recall-stats';

const repeat = (value: number, times: number) => Array<number>(times).fill(value);

describe('wilson', () => {
  it('is the Wilson score interval', () => {
    // p = 0.85, n = 200: centre (0.85 + z²/400) / (1 + z²/200) = 0.8434, half-width 0.0495.
    const w = wilson(170, 200);
    expect(w.low).toBeCloseTo(0.7939, 3);
    expect(w.high).toBeCloseTo(0.8929, 3);
  });
  it('stays inside 0..1 and is not a point at 0 or 1', () => {
    expect(wilson(200, 200).high).toBe(1);
    expect(wilson(200, 200).low).toBeLessThan(0.99);
    expect(wilson(0, 50).low).toBe(0);
  });
});

describe('t95', () => {
  it('follows the t table and approaches 1.96', () => {
    expect(t95(19)).toBe(2.093);
    expect(t95(60)).toBeCloseTo(2.0003, 2);
    expect(t95(10_000)).toBeCloseTo(1.96, 2);
  });
});

describe('recallUncertainty', () => {
  // Ten of twenty queries find all 10 neighbours and ten find 4: recall 0.70. Fifteen and five: 0.85.
  const a = [...repeat(1, 10), ...repeat(0.4, 10)];
  const b = [...repeat(1, 15), ...repeat(0.4, 5)];
  const hits = (rs: number[]) => Math.round(rs.reduce((x, y) => x + y, 0) * 10);

  it('two runs 0.15 apart at 20 queries have overlapping intervals: the difference is not a finding', () => {
    const ua = recallUncertainty(a, hits(a), a.length * 10, 10);
    const ub = recallUncertainty(b, hits(b), b.length * 10, 10);
    expect(ua.low).toBeLessThan(0.7);
    expect(ua.high).toBeGreaterThan(0.7);
    expect(ua.high).toBeGreaterThan(ub.low);
    // The pairs alone (200 of them) would have said otherwise: the spread between queries widens it.
    expect(wilson(hits(a), 200).high).toBeLessThan(wilson(hits(b), 200).low);
  });

  it('the same difference at 200 queries is one', () => {
    const many = (rs: number[]) => Array.from({ length: 10 }, () => rs).flat();
    const ua = recallUncertainty(many(a), hits(many(a)), 2000, 10);
    const ub = recallUncertainty(many(b), hits(many(b)), 2000, 10);
    expect(ua.high).toBeLessThan(ub.low);
  });

  it('says how many queries a ±0.02 interval needs', () => {
    // A spread of 0.31 between queries: (1.96 × 0.31 / 0.02)² ≈ 910 queries.
    expect(recallUncertainty(a, hits(a), 200, 10).queriesForTwoHundredths).toBeGreaterThan(850);
    expect(recallUncertainty(a, hits(a), 200, 10).queriesForTwoHundredths).toBeLessThan(1000);
    // Every query perfect: the pairs decide, and a handful of queries is not enough to say 1.000.
    const perfect = recallUncertainty(repeat(1, 20), 200, 200, 10);
    expect(perfect.high).toBe(1);
    expect(perfect.low).toBeGreaterThan(0.97);
    expect(perfect.queriesForTwoHundredths).toBeGreaterThanOrEqual(5);
  });

  it('one query says nothing about the spread', () => {
    expect(recallUncertainty([0.9], 9, 10, 10)).toMatchObject({ low: 0, high: 1 });
  });
});
