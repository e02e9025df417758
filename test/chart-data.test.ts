// The distribution charts' data: histogram shares per content type, the heatmap's colour scale
// and its axis ticks.
import { describe, expect, it } from 'vitest';
import { edgeTicks, heatPosition, histogramRows, viridis, weeklyRows } from '../components/evaluations/chart-data';
import { labelEvery, niceTicks } from '../components/ui/svg-chart';
import type { GroupDistribution, MetricStats } from '../lib/schemas/evaluations';

const stats: MetricStats = { count: 0, invalid: 0, mean: null, min: null, max: null, percentiles: [] };
const group = (contentType: string | null, counts: number[]): GroupDistribution => {
  const hist = counts.map((count, i) => ({ lo: i / counts.length, hi: (i + 1) / counts.length, count }));
  return { contentType, rows: counts.reduce((a, b) => a + b, 0), quality: stats, relevance: stats, qualityHistogram: hist, relevanceHistogram: hist };
};

describe('histogramRows', () => {
  // 300 posts and 100 topics: three times as many posts, the same shape.
  const groups = [group(null, [40, 200, 160]), group('post', [30, 150, 120]), group('topic', [10, 50, 40])];

  it('counts per bin and content type', () => {
    const { rows, series } = histogramRows(groups, 'quality', 'count');
    expect(rows.map((r) => [r.bin, r.post, r.topic])).toEqual([
      ['0.00–0.33', 30, 10],
      ['0.33–0.67', 150, 50],
      ['0.67–1.00', 120, 40],
    ]);
    expect(series).toEqual([
      { key: 'post', name: 'posts', total: 300 },
      { key: 'topic', name: 'topics', total: 100 },
    ]);
  });

  it('as each type’s share, types of different sizes with one shape draw the same bars', () => {
    const { rows } = histogramRows(groups, 'relevance', 'share');
    for (const r of rows) expect(r.post).toBeCloseTo(r.topic as number, 10);
    expect(rows.map((r) => r.post)).toEqual([10, 50, 40]);
  });
});

describe('the heatmap scale', () => {
  it('runs from dark blue to yellow, on a log scale of the counts', () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(1)).toBe('#fde725');
    expect(heatPosition(1, 1000)).toBe(0);
    expect(heatPosition(1000, 1000)).toBe(1);
    expect(heatPosition(Math.round(Math.sqrt(1000)), 1000)).toBeCloseTo(0.5, 1);
  });

  it('ticks about five bin edges, both ends included', () => {
    expect(edgeTicks(20)).toEqual([0, 5, 10, 15, 20]);
    expect(edgeTicks(10)).toEqual([0, 3, 6, 10]);
    expect(edgeTicks(0)).toEqual([]);
  });
});

describe('weeklyRows', () => {
  it('keeps the weeks of all content types together, with their counts', () => {
    const rows = weeklyRows([
      { week: '2026-01-05T00:00:00.000Z', contentType: null, count: 12, qualityMedian: 0.7, relevanceMedian: 0.6 },
      { week: '2026-01-05T00:00:00.000Z', contentType: 'post', count: 9, qualityMedian: 0.71, relevanceMedian: 0.62 },
    ]);
    expect(rows).toEqual([{ week: '2026-01-05', quality: 0.7, relevance: 0.6, count: 12 }]);
  });
});

describe('axes', () => {
  it('tick round numbers that cover the data', () => {
    expect(niceTicks(0, 240)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(niceTicks(0, 57)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(niceTicks(0.58, 0.77)).toEqual([0.55, 0.6, 0.65, 0.7, 0.75, 0.8]);
    expect(niceTicks(0, 0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('label every n-th band so that labels do not overlap', () => {
    expect(labelEvery(20, 480, 18)).toBe(1);
    expect(labelEvery(52, 480, 18)).toBe(2);
    expect(labelEvery(52, 200, 18)).toBe(5);
  });
});
