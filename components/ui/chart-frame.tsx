'use client';
// The one frame every chart is drawn in: a figure of fixed height named for screen readers, with
// an optional note (e.g. "estimated from a sample") under it. A chart drawn with recharts (which
// is large) is loaded with `lazyChart` only when it is on screen, after the page's own JavaScript,
// the frame holding its place meanwhile; the distribution charts are SVG of their own
// (components/ui/svg-chart.tsx), drawn with the page.
import dynamic from 'next/dynamic';
import type { ComponentType, ReactNode } from 'react';

export function ChartFrame({
  label,
  testId,
  height = 'h-72',
  note,
  children,
}: {
  label: string;
  testId: string;
  height?: string;
  note?: ReactNode;
  children: ReactNode;
}) {
  return (
    <figure data-testid={testId} className="text-slate-700 dark:text-slate-300">
      <div role="img" aria-label={label} className={`${height} w-full`}>
        {children}
      </div>
      {note && <figcaption className="mt-1 text-xs text-slate-600 dark:text-slate-400">{note}</figcaption>}
    </figure>
  );
}

function Drawing() {
  return (
    <p role="status" className="flex h-full items-center justify-center text-sm text-slate-600 dark:text-slate-400">
      Drawing the chart…
    </p>
  );
}

/** A chart component loaded on first use (in the browser only: its size comes from the screen). */
export function lazyChart<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  return dynamic(load, { ssr: false, loading: Drawing });
}

/** Axis, grid and tooltip colours that read on a light and a dark page (they follow the text colour). */
export const AXIS = { stroke: 'currentColor', fontSize: 11 } as const;
export const GRID = { stroke: 'currentColor', strokeOpacity: 0.15, strokeDasharray: '3 3' } as const;
export const TOOLTIP = { contentStyle: { color: '#0f172a' } } as const;
