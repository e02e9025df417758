'use client';
// The distribution charts: histograms and the weekly medians with recharts, the quality ×
// relevance grid as an SVG of its own (recharts has no heatmap).
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Distributions, GroupDistribution } from '@/lib/schemas/evaluations';
import { fmtCount, fmtDay } from './format';

export const TYPE_COLOURS = ['#0369a1', '#c2410c', '#15803d', '#7e22ce'];
const QUALITY = '#0369a1';
const RELEVANCE = '#be185d';

const range = (lo: number, hi: number) => `${lo.toFixed(2)}–${hi.toFixed(2)}`;

export function Histogram({ groups, metric }: { groups: GroupDistribution[]; metric: 'quality' | 'relevance' }) {
  const key = metric === 'quality' ? 'qualityHistogram' : 'relevanceHistogram';
  const typed = groups.filter((g) => g.contentType !== null);
  const frame = groups.find((g) => g.contentType === null)?.[key] ?? [];
  const data = frame.map((bin, i) => ({
    bin: range(bin.lo, bin.hi),
    ...Object.fromEntries(typed.map((g) => [g.contentType!, g[key][i]?.count ?? 0])),
  }));
  const label = `Histogram of ${metric} scores by content type: ${typed.map((g) => `${fmtCount(g.rows)} ${g.contentType}s`).join(', ')}`;
  return (
    <figure data-testid={`histogram-${metric}`} aria-label={label} role="img" className="h-72 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 24, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="bin" angle={-35} textAnchor="end" height={48} interval="preserveStartEnd" fontSize={11} />
          <YAxis tickFormatter={(v: number) => fmtCount(v)} fontSize={11} width={64} />
          <Tooltip formatter={(v) => fmtCount(Number(v))} />
          <Legend verticalAlign="top" height={24} />
          {typed.map((g, i) => (
            <Bar key={g.contentType} dataKey={g.contentType!} name={`${g.contentType}s`} fill={TYPE_COLOURS[i % TYPE_COLOURS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function WeeklyMedians({ weekly }: { weekly: Distributions['weekly'] }) {
  const data = weekly
    .filter((w) => w.contentType === null)
    .map((w) => ({ week: fmtDay(w.week), quality: w.qualityMedian, relevance: w.relevanceMedian, count: w.count }));
  return (
    <figure data-testid="weekly-medians" role="img" aria-label={`Median quality and relevance per week over ${data.length} weeks`} className="h-72 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 24, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="week" angle={-35} textAnchor="end" height={48} fontSize={11} />
          <YAxis domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(3)} fontSize={11} width={52} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
          <Legend verticalAlign="top" height={24} />
          <Line type="monotone" dataKey="quality" name="median quality" stroke={QUALITY} dot={false} strokeWidth={2} isAnimationActive={false} />
          <Line type="monotone" dataKey="relevance" name="median relevance" stroke={RELEVANCE} dot={false} strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function Heatmap({ heatmap }: { heatmap: Distributions['heatmap'] }) {
  const rows = heatmap.quality.length;
  const cols = heatmap.relevance.length;
  const max = Math.max(0, ...heatmap.counts.flat());
  const cell = Math.max(6, Math.min(24, Math.floor(480 / Math.max(rows, cols, 1))));
  const left = 56;
  const bottom = 40;
  const width = left + cols * cell + 8;
  const height = rows * cell + bottom + 8;
  const shade = (n: number) => {
    if (n === 0) return 'transparent';
    const t = Math.log1p(n) / Math.log1p(max);
    return `hsl(205 85% ${Math.round(92 - 62 * t)}%)`;
  };
  if (rows === 0 || cols === 0) return <p className="text-sm">No finite scores to plot.</p>;
  return (
    <figure data-testid="heatmap">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: width }}
        role="img"
        aria-label={`Quality by relevance: ${rows} × ${cols} bins, at most ${fmtCount(max)} evaluations in one bin`}
        className="text-slate-700 dark:text-slate-300"
      >
        {heatmap.counts.map((row, qi) =>
          row.map((n, ri) => (
            <rect
              key={`${qi}-${ri}`}
              x={left + ri * cell}
              y={(rows - 1 - qi) * cell + 4}
              width={cell - 1}
              height={cell - 1}
              fill={shade(n)}
              stroke="currentColor"
              strokeOpacity={0.08}
              data-count={n}
            >
              <title>{`quality ${range(heatmap.quality[qi]!.lo, heatmap.quality[qi]!.hi)}, relevance ${range(heatmap.relevance[ri]!.lo, heatmap.relevance[ri]!.hi)}: ${fmtCount(n)}`}</title>
            </rect>
          )),
        )}
        <text x={left - 6} y={4 + 10} textAnchor="end" fontSize={11} fill="currentColor">
          {heatmap.quality[rows - 1]!.hi.toFixed(2)}
        </text>
        <text x={left - 6} y={rows * cell + 4} textAnchor="end" fontSize={11} fill="currentColor">
          {heatmap.quality[0]!.lo.toFixed(2)}
        </text>
        <text x={12} y={(rows * cell) / 2} fontSize={11} fill="currentColor" transform={`rotate(-90 12 ${(rows * cell) / 2})`} textAnchor="middle">
          quality
        </text>
        <text x={left} y={rows * cell + 20} fontSize={11} fill="currentColor">
          {heatmap.relevance[0]!.lo.toFixed(2)}
        </text>
        <text x={left + cols * cell} y={rows * cell + 20} fontSize={11} fill="currentColor" textAnchor="end">
          {heatmap.relevance[cols - 1]!.hi.toFixed(2)}
        </text>
        <text x={left + (cols * cell) / 2} y={rows * cell + 34} fontSize={11} fill="currentColor" textAnchor="middle">
          relevance
        </text>
      </svg>
      <figcaption className="mt-1 text-xs text-slate-600 dark:text-slate-400">Darker cells hold more evaluations (log scale); hover a cell for its count.</figcaption>
    </figure>
  );
}
