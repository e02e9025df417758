'use client';
// What the distribution charts are drawn with: an SVG at the width its frame has, and the axes'
// arithmetic. Drawn by the server too (at 560 px, scaled to the frame until the browser measures
// it), so the charts are in the page's first paint with no charting library to load.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

const SERVER_WIDTH = 560;

/** `height` may follow the width (a grid of square cells). */
export function Svg({ height, children }: { height: number | ((width: number) => number); children: (width: number) => ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(200, Math.round(entry!.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const w = width ?? SERVER_WIDTH;
  const h = typeof height === 'number' ? height : height(w);
  return (
    <div ref={ref} className="w-full">
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" height={width === null ? undefined : h} aria-hidden="true" className="overflow-visible">
        {children(w)}
      </svg>
    </div>
  );
}

/** Round steps (1, 2, 2.5 or 5 times a power of ten) covering [lo, hi], at most `count` + 1 of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const least = (hi - lo) / (count + 1);
  const power = 10 ** Math.floor(Math.log10(least));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= least)!;
  const start = Math.floor(lo / step) * step;
  const out: number[] = [];
  for (let v = start; v <= hi + step * 1e-9 || out.length < 2; v += step) out.push(Number(v.toFixed(10)));
  if (out[out.length - 1]! < hi) out.push(Number((out[out.length - 1]! + step).toFixed(10)));
  return out;
}

/** Every n-th of `count` band labels, so that labels `labelPx` wide do not overlap in `widthPx`. */
export function labelEvery(count: number, widthPx: number, labelPx: number): number {
  return Math.max(1, Math.ceil((count * labelPx) / Math.max(1, widthPx)));
}

export type Legend = { name: string; colour: string; shape?: 'box' | 'line' }[];

export function LegendRow({ items }: { items: Legend }) {
  return (
    <ul className="mb-1 flex flex-wrap justify-center gap-x-4 gap-y-1 text-xs" aria-hidden="true">
      {items.map((i) => (
        <li key={i.name} className="flex items-center gap-1.5">
          <span
            className={i.shape === 'line' ? 'inline-block h-0.5 w-4' : 'inline-block size-3 rounded-sm'}
            style={{ background: i.colour }}
          />
          {i.name}
        </li>
      ))}
    </ul>
  );
}

/** A vertical axis with grid lines across the plot: ticks at `ticks`, placed by `y`. */
export function YAxis({
  ticks,
  y,
  x,
  width,
  side = 'left',
  format,
  title,
  grid = false,
}: {
  ticks: number[];
  y: (v: number) => number;
  x: number;
  width: number;
  side?: 'left' | 'right';
  format: (v: number) => string;
  title: string;
  grid?: boolean;
}) {
  const dir = side === 'left' ? -1 : 1;
  const mid = (y(ticks[0]!) + y(ticks[ticks.length - 1]!)) / 2;
  const titleX = x + dir * 46;
  return (
    <g fontSize={11} fill="currentColor">
      {ticks.map((t) => (
        <g key={t}>
          {grid && <line x1={x} x2={x + width} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.15} strokeDasharray="3 3" />}
          <text x={x + dir * 6} y={y(t)} dy="0.32em" textAnchor={side === 'left' ? 'end' : 'start'} className="tabular-nums">
            {format(t)}
          </text>
        </g>
      ))}
      <text x={titleX} y={mid} fontSize={12} textAnchor="middle" transform={`rotate(${dir * 90} ${titleX} ${mid})`}>
        {title}
      </text>
    </g>
  );
}
