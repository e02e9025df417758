'use client';
// The distribution charts, drawn as SVG (components/ui/svg-chart.tsx): the histograms and the
// weekly medians with each week's count. Hover a bar or a week for its figures.
import { LegendRow, Svg, YAxis, labelEvery, niceTicks } from '@/components/ui/svg-chart';
import type { Distributions, GroupDistribution } from '@/lib/schemas/evaluations';
import { histogramRows, weeklyRows, type HistogramView } from './chart-data';
import { fmtCount } from './format';

const TYPE_COLOURS = ['#0284c7', '#ea580c', '#16a34a', '#9333ea'];
const QUALITY = '#0284c7';
const RELEVANCE = '#db2777';
const COUNT = '#94a3b8';
const HEIGHT = 256;
// The room a slanted bin or week label takes along the axis.
const LABEL_PX = 30;

const pct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;

export function HistogramChart({ groups, metric, view }: { groups: GroupDistribution[]; metric: 'quality' | 'relevance'; view: HistogramView }) {
  const { rows, series } = histogramRows(groups, metric, view);
  const value = view === 'count' ? fmtCount : pct;
  const max = Math.max(0, ...rows.flatMap((r) => series.map((s) => Number(r[s.key]))));
  const ticks = niceTicks(0, max || 1);
  const top = ticks[ticks.length - 1]!;
  return (
    <>
      <LegendRow items={series.map((s, i) => ({ name: `${s.name} (${fmtCount(s.total)})`, colour: TYPE_COLOURS[i % TYPE_COLOURS.length]! }))} />
      <Svg height={HEIGHT}>
        {(width) => {
          const m = { left: 64, right: 8, top: 6, bottom: 64 };
          const plotW = width - m.left - m.right;
          const plotH = HEIGHT - m.top - m.bottom;
          const band = plotW / Math.max(1, rows.length);
          const barW = Math.max(1, (band * 0.8) / Math.max(1, series.length));
          const y = (v: number) => m.top + plotH - (v / top) * plotH;
          const every = labelEvery(rows.length, plotW, LABEL_PX);
          return (
            <>
              <YAxis ticks={ticks} y={y} x={m.left} width={plotW} format={value} title={view === 'count' ? 'evaluations' : 'share of the type'} grid />
              {rows.map((r, i) =>
                series.map((s, j) => {
                  const v = Number(r[s.key]);
                  return (
                    <rect
                      key={`${i}-${s.key}`}
                      data-testid="bar"
                      x={m.left + i * band + band * 0.1 + j * barW}
                      y={y(v)}
                      width={barW}
                      height={Math.max(0, m.top + plotH - y(v))}
                      fill={TYPE_COLOURS[j % TYPE_COLOURS.length]}
                    >
                      <title>{`${s.name}, ${metric} ${r.bin}: ${value(v)}`}</title>
                    </rect>
                  );
                }),
              )}
              <line x1={m.left} x2={m.left + plotW} y1={m.top + plotH} y2={m.top + plotH} stroke="currentColor" strokeOpacity={0.6} />
              <g fontSize={10} fill="currentColor">
                {rows.map((r, i) =>
                  i % every === 0 ? (
                    <text key={r.bin} transform={`translate(${m.left + (i + 0.5) * band} ${m.top + plotH + 8}) rotate(-35)`} textAnchor="end" dy="0.7em">
                      {r.bin}
                    </text>
                  ) : null,
                )}
              </g>
              <text x={m.left + plotW / 2} y={HEIGHT - 4} fontSize={12} textAnchor="middle" fill="currentColor">
                {metric} score
              </text>
            </>
          );
        }}
      </Svg>
    </>
  );
}

export function WeeklyChart({ weekly, fromZero }: { weekly: Distributions['weekly']; fromZero: boolean }) {
  const data = weeklyRows(weekly);
  const medians = data.flatMap((d) => [d.quality, d.relevance]).filter((v): v is number => v !== null);
  const lo = fromZero ? 0 : Math.min(...medians);
  const hi = Math.max(...medians);
  const scoreTicks = medians.length ? niceTicks(lo, hi === lo ? lo + 1 : hi) : [0, 1];
  const countTicks = niceTicks(0, Math.max(1, ...data.map((d) => d.count)));
  return (
    <>
      <LegendRow
        items={[
          { name: 'evaluations', colour: COUNT },
          { name: 'median quality', colour: QUALITY, shape: 'line' },
          { name: 'median relevance', colour: RELEVANCE, shape: 'line' },
        ]}
      />
      <Svg height={HEIGHT}>
        {(width) => {
          const m = { left: 64, right: 64, top: 6, bottom: 64 };
          const plotW = width - m.left - m.right;
          const plotH = HEIGHT - m.top - m.bottom;
          const band = plotW / Math.max(1, data.length);
          const [s0, s1] = [scoreTicks[0]!, scoreTicks[scoreTicks.length - 1]!];
          const ys = (v: number) => m.top + plotH - ((v - s0) / (s1 - s0 || 1)) * plotH;
          const yc = (v: number) => m.top + plotH - (v / countTicks[countTicks.length - 1]!) * plotH;
          const xc = (i: number) => m.left + (i + 0.5) * band;
          const path = (key: 'quality' | 'relevance') =>
            data.map((d, i) => (d[key] === null ? '' : `${i === 0 || data[i - 1]![key] === null ? 'M' : 'L'}${xc(i).toFixed(1)},${ys(d[key]!).toFixed(1)}`)).join(' ');
          const every = labelEvery(data.length, plotW, LABEL_PX);
          return (
            <>
              <YAxis ticks={scoreTicks} y={ys} x={m.left} width={plotW} format={(v) => v.toFixed(2)} title="median score" grid />
              <YAxis ticks={countTicks} y={yc} x={m.left + plotW} width={0} side="right" format={fmtCount} title="evaluations" />
              {data.map((d, i) => (
                <rect key={d.week} data-testid="bar" x={m.left + i * band + band * 0.15} y={yc(d.count)} width={band * 0.7} height={m.top + plotH - yc(d.count)} fill={COUNT} fillOpacity={0.4}>
                  <title>{`week of ${d.week}: ${fmtCount(d.count)} evaluations, median quality ${d.quality?.toFixed(4) ?? '—'}, median relevance ${d.relevance?.toFixed(4) ?? '—'}`}</title>
                </rect>
              ))}
              <path data-testid="median-line" d={path('quality')} fill="none" stroke={QUALITY} strokeWidth={2} />
              <path data-testid="median-line" d={path('relevance')} fill="none" stroke={RELEVANCE} strokeWidth={2} />
              <line x1={m.left} x2={m.left + plotW} y1={m.top + plotH} y2={m.top + plotH} stroke="currentColor" strokeOpacity={0.6} />
              <g fontSize={10} fill="currentColor">
                {data.map((d, i) =>
                  i % every === 0 ? (
                    <text key={d.week} transform={`translate(${xc(i)} ${m.top + plotH + 8}) rotate(-35)`} textAnchor="end" dy="0.7em">
                      {d.week}
                    </text>
                  ) : null,
                )}
              </g>
              <text x={m.left + plotW / 2} y={HEIGHT - 4} fontSize={12} textAnchor="middle" fill="currentColor">
                week (Monday, UTC)
              </text>
            </>
          );
        }}
      </Svg>
    </>
  );
}
