'use client';
// The quality × relevance grid, an SVG like the other distribution charts: cells coloured on a
// log scale (viridis, which reads on a light and a dark page), ticks at bin edges on both axes,
// and a colour legend.
import { Svg } from '@/components/ui/svg-chart';
import type { Distributions } from '@/lib/schemas/evaluations';
import { edgeTicks, heatPosition, range, viridis, VIRIDIS_GRADIENT } from './chart-data';
import { fmtCount } from './format';

const M = { left: 64, right: 16, top: 4, bottom: 44 };

const cellText = (n: number, r: [number, number] | undefined) => (r ? `about ${fmtCount(n)} (95 % interval ${fmtCount(r[0])}–${fmtCount(r[1])})` : fmtCount(n));

/** `reach`: the colour scale's top, when it must not move (an estimate followed by the exact counts). */
export function Heatmap({ heatmap, reach = 0 }: { heatmap: Distributions['heatmap']; reach?: number }) {
  const rows = heatmap.quality.length;
  const cols = heatmap.relevance.length;
  if (rows === 0 || cols === 0) return <p className="text-sm">No finite scores to plot.</p>;
  const max = Math.max(reach, ...heatmap.counts.flat());
  // Square cells as large as the width allows, 6 to 24 px.
  const cellFor = (width: number) => Math.max(6, Math.min(24, Math.floor((width - M.left - M.right) / Math.max(rows, cols))));
  const qEdge = (i: number) => (i < rows ? heatmap.quality[i]!.lo : heatmap.quality[rows - 1]!.hi);
  const rEdge = (i: number) => (i < cols ? heatmap.relevance[i]!.lo : heatmap.relevance[cols - 1]!.hi);
  const mid = max > 1 ? Math.round(Math.sqrt(max)) : null;
  return (
    <figure data-testid="heatmap" className="text-slate-700 dark:text-slate-300">
      <div role="img" aria-label={`Quality by relevance: ${rows} × ${cols} bins, at most ${fmtCount(max)} evaluations in one bin`}>
        <Svg height={(w) => M.top + rows * cellFor(w) + M.bottom}>
          {(width) => {
            const cell = cellFor(width);
            const plotH = rows * cell;
            return (
              <>
                {heatmap.counts.map((row, qi) =>
                  row.map((n, ri) => (
                    <rect
                      key={`${qi}-${ri}`}
                      x={M.left + ri * cell}
                      y={M.top + (rows - 1 - qi) * cell}
                      width={cell - 1}
                      height={cell - 1}
                      fill={n === 0 ? 'transparent' : viridis(heatPosition(n, max))}
                      stroke="currentColor"
                      strokeOpacity={0.1}
                      data-count={n}
                    >
                      <title>{`quality ${range(heatmap.quality[qi]!.lo, heatmap.quality[qi]!.hi)}, relevance ${range(heatmap.relevance[ri]!.lo, heatmap.relevance[ri]!.hi)}: ${cellText(n, heatmap.intervals?.[qi]?.[ri])}`}</title>
                    </rect>
                  )),
                )}
                <g fontSize={11} fill="currentColor">
                  {edgeTicks(rows).map((i) => (
                    <g key={`q${i}`}>
                      <line x1={M.left - 4} x2={M.left} y1={M.top + (rows - i) * cell} y2={M.top + (rows - i) * cell} stroke="currentColor" />
                      <text x={M.left - 6} y={M.top + (rows - i) * cell} dy="0.32em" textAnchor="end" className="tabular-nums">
                        {qEdge(i).toFixed(2)}
                      </text>
                    </g>
                  ))}
                  {edgeTicks(cols).map((i) => (
                    <g key={`r${i}`}>
                      <line x1={M.left + i * cell} x2={M.left + i * cell} y1={M.top + plotH} y2={M.top + plotH + 4} stroke="currentColor" />
                      <text x={M.left + i * cell} y={M.top + plotH + 16} textAnchor="middle" className="tabular-nums">
                        {rEdge(i).toFixed(2)}
                      </text>
                    </g>
                  ))}
                  <text x={14} y={M.top + plotH / 2} fontSize={12} transform={`rotate(-90 14 ${M.top + plotH / 2})`} textAnchor="middle">
                    quality score
                  </text>
                  <text x={M.left + (cols * cell) / 2} y={M.top + plotH + 36} fontSize={12} textAnchor="middle">
                    relevance score
                  </text>
                </g>
              </>
            );
          }}
        </Svg>
      </div>
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
