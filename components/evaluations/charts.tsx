'use client';
// The distribution charts drawn with recharts; loaded on demand (see lazyChart), inside the
// chart frames the distributions page draws.
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS, GRID, TOOLTIP } from '@/components/ui/chart-frame';
import type { GroupDistribution } from '@/lib/schemas/evaluations';
import { histogramRows, weeklyRows, type HistogramView } from './chart-data';
import { fmtCount } from './format';

const TYPE_COLOURS = ['#0284c7', '#ea580c', '#16a34a', '#9333ea'];
const QUALITY = '#0284c7';
const RELEVANCE = '#db2777';
const COUNT = '#94a3b8';

const pct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;

export function HistogramChart({ groups, metric, view }: { groups: GroupDistribution[]; metric: 'quality' | 'relevance'; view: HistogramView }) {
  const { rows, series } = histogramRows(groups, metric, view);
  const value = (v: number) => (view === 'count' ? fmtCount(v) : pct(v));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid {...GRID} vertical={false} />
        <XAxis dataKey="bin" {...AXIS} angle={-35} textAnchor="end" height={64} interval="preserveStartEnd" label={{ value: `${metric} score`, position: 'insideBottom', fill: 'currentColor', fontSize: 12 }} />
        <YAxis
          {...AXIS}
          width={72}
          tickFormatter={value}
          label={{ value: view === 'count' ? 'evaluations' : 'share of the type', angle: -90, position: 'insideLeft', fill: 'currentColor', fontSize: 12, style: { textAnchor: 'middle' } }}
        />
        <Tooltip {...TOOLTIP} formatter={(v) => value(Number(v))} />
        <Legend verticalAlign="top" height={24} />
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={`${s.name} (${fmtCount(s.total)})`} fill={TYPE_COLOURS[i % TYPE_COLOURS.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

export function WeeklyChart({ weekly, fromZero }: { weekly: Parameters<typeof weeklyRows>[0]; fromZero: boolean }) {
  const data = weeklyRows(weekly);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid {...GRID} />
        <XAxis dataKey="week" {...AXIS} angle={-35} textAnchor="end" height={64} label={{ value: 'week (Monday, UTC)', position: 'insideBottom', fill: 'currentColor', fontSize: 12 }} />
        <YAxis
          yAxisId="median"
          {...AXIS}
          domain={fromZero ? [0, 'auto'] : ['auto', 'auto']}
          tickFormatter={(v: number) => v.toFixed(2)}
          width={56}
          label={{ value: 'median score', angle: -90, position: 'insideLeft', fill: 'currentColor', fontSize: 12, style: { textAnchor: 'middle' } }}
        />
        <YAxis
          yAxisId="count"
          orientation="right"
          {...AXIS}
          tickFormatter={(v: number) => fmtCount(v)}
          width={56}
          label={{ value: 'evaluations', angle: 90, position: 'insideRight', fill: 'currentColor', fontSize: 12, style: { textAnchor: 'middle' } }}
        />
        <Tooltip {...TOOLTIP} formatter={(v, name) => (name === 'evaluations' ? fmtCount(Number(v)) : typeof v === 'number' ? v.toFixed(4) : String(v))} />
        <Legend verticalAlign="top" height={24} />
        <Bar yAxisId="count" dataKey="count" name="evaluations" fill={COUNT} fillOpacity={0.35} isAnimationActive={false} />
        <Line yAxisId="median" type="monotone" dataKey="quality" name="median quality" stroke={QUALITY} dot={false} strokeWidth={2} isAnimationActive={false} />
        <Line yAxisId="median" type="monotone" dataKey="relevance" name="median relevance" stroke={RELEVANCE} dot={false} strokeWidth={2} isAnimationActive={false} />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
