// The quality × relevance grid, an SVG of its own (recharts has no heatmap): cells coloured on a
// log scale (viridis, which reads on a light and a dark page), ticks at bin edges on both axes,
// and a colour legend.
import type { Distributions } from '@/lib/schemas/evaluations';
import { edgeTicks, heatPosition, range, viridis, VIRIDIS_GRADIENT } from './chart-data';
import { fmtCount } from './format';

export function Heatmap({ heatmap }: { heatmap: Distributions['heatmap'] }) {
  const rows = heatmap.quality.length;
  const cols = heatmap.relevance.length;
  if (rows === 0 || cols === 0) return <p className="text-sm">No finite scores to plot.</p>;
  const max = Math.max(0, ...heatmap.counts.flat());
  const cell = Math.max(6, Math.min(24, Math.floor(480 / Math.max(rows, cols, 1))));
  const left = 64;
  const top = 4;
  const bottom = 44;
  const width = left + cols * cell + 24;
  const height = top + rows * cell + bottom;
  const qEdge = (i: number) => (i < rows ? heatmap.quality[i]!.lo : heatmap.quality[rows - 1]!.hi);
  const rEdge = (i: number) => (i < cols ? heatmap.relevance[i]!.lo : heatmap.relevance[cols - 1]!.hi);
  const mid = max > 1 ? Math.round(Math.sqrt(max)) : null;
  return (
    <figure data-testid="heatmap" className="text-slate-700 dark:text-slate-300">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: width }}
        role="img"
        aria-label={`Quality by relevance: ${rows} × ${cols} bins, at most ${fmtCount(max)} evaluations in one bin`}
      >
        {heatmap.counts.map((row, qi) =>
          row.map((n, ri) => (
            <rect
              key={`${qi}-${ri}`}
              x={left + ri * cell}
              y={top + (rows - 1 - qi) * cell}
              width={cell - 1}
              height={cell - 1}
              fill={n === 0 ? 'transparent' : viridis(heatPosition(n, max))}
              stroke="currentColor"
              strokeOpacity={0.1}
              data-count={n}
            >
              <title>{`quality ${range(heatmap.quality[qi]!.lo, heatmap.quality[qi]!.hi)}, relevance ${range(heatmap.relevance[ri]!.lo, heatmap.relevance[ri]!.hi)}: ${fmtCount(n)}`}</title>
            </rect>
          )),
        )}
        {edgeTicks(rows).map((i) => (
          <g key={`q${i}`}>
            <line x1={left - 4} x2={left} y1={top + (rows - i) * cell} y2={top + (rows - i) * cell} stroke="currentColor" />
            <text x={left - 6} y={top + (rows - i) * cell} dy="0.32em" textAnchor="end" fontSize={12} fill="currentColor">
              {qEdge(i).toFixed(2)}
            </text>
          </g>
        ))}
        {edgeTicks(cols).map((i) => (
          <g key={`r${i}`}>
            <line x1={left + i * cell} x2={left + i * cell} y1={top + rows * cell} y2={top + rows * cell + 4} stroke="currentColor" />
            <text x={left + i * cell} y={top + rows * cell + 18} textAnchor="middle" fontSize={12} fill="currentColor">
              {rEdge(i).toFixed(2)}
            </text>
          </g>
        ))}
        <text x={14} y={top + (rows * cell) / 2} fontSize={13} fill="currentColor" transform={`rotate(-90 14 ${top + (rows * cell) / 2})`} textAnchor="middle">
          quality score
        </text>
        <text x={left + (cols * cell) / 2} y={top + rows * cell + 38} fontSize={13} fill="currentColor" textAnchor="middle">
          relevance score
        </text>
      </svg>
      <figcaption className="mt-2 max-w-md text-xs text-slate-600 dark:text-slate-400">
        <div aria-hidden="true" className="h-3 w-full rounded-sm" style={{ background: VIRIDIS_GRADIENT }} />
        <div className="mt-1 flex justify-between tabular-nums" data-testid="heatmap-legend">
          <span>1</span>
          {mid !== null && <span>{fmtCount(mid)}</span>}
          <span>{fmtCount(max)}</span>
        </div>
        <p className="mt-1">Evaluations per cell, on a log scale; an empty cell has none. Hover a cell for its count.</p>
      </figcaption>
    </figure>
  );
}
