'use client';
// The distribution charts, drawn as SVG (components/ui/svg-chart.tsx): the histograms and the
// weekly medians with each week's count. Hover a bar or a week for its figures. An estimate draws
// each bar's 95 % interval as a whisker and each median's as a band; `reach` is how far the axes
// go, so that the exact figures that replace an estimate draw on the same axes.
import { LegendRow, Svg, YAxis, labelEvery, niceTicks } from '@/components/ui/svg-chart';
import type { Distributions, GroupDistribution, Interval } from '@/lib/schemas/evaluations';
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

const interval = (r: Interval | null | undefined, format: (v: number) => string) => (r ? ` (95 % interval ${format(r[0])}–${format(r[1])})` : '');

export function HistogramChart({
  groups,
  metric,
  view,
  reach = 0,
}: {
  groups: GroupDistribution[];
  metric: 'quality' | 'relevance';
  view: HistogramView;
  reach?: number;
}) {
  const { rows, ranges, series } = histogramRows(groups, metric, view);
  const value = view === 'count' ? fmtCount : pct;
  const max = Math.max(reach, ...rows.flatMap((r) => series.map((s) => Number(r[s.key]))));
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
                  const x = m.left + i * band + band * 0.1 + j * barW;
                  const range = ranges[i]?.[s.key];
                  return (
                    <g key={`${i}-${s.key}`}>
                      <rect
                        data-testid="bar"
                        x={x}
                        y={y(v)}
                        width={barW}
                        height={Math.max(0, m.top + plotH - y(v))}
                        fill={TYPE_COLOURS[j % TYPE_COLOURS.length]}
                        fillOpacity={range ? 0.75 : 1}
                      >
                        <title>{`${s.name}, ${metric} ${r.bin}: ${range ? 'about ' : ''}${value(v)}${interval(range, value)}`}</title>
                      </rect>
                      {range && (
                        <path
                          data-testid="whisker"
                          d={`M${x + barW / 2},${y(range[1])}V${y(range[0])}M${x + barW * 0.2},${y(range[1])}H${x + barW * 0.8}M${x + barW * 0.2},${y(range[0])}H${x + barW * 0.8}`}
                          stroke="currentColor"
                          strokeOpacity={0.7}
                          fill="none"
                          pointerEvents="none"
                        />
                      )}
                    </g>
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

export function WeeklyChart({
  weekly,
  fromZero,
  reach,
}: {
  weekly: Distributions['weekly'];
  fromZero: boolean;
  reach?: { count: number; score: Interval | null };
}) {
  const data = weeklyRows(weekly);
  const medians = [...data.flatMap((d) => [d.quality, d.relevance]), ...(reach?.score ?? [])].filter((v): v is number => v !== null);
  const lo = fromZero ? 0 : Math.min(...medians);
  const hi = Math.max(...medians);
  const scoreTicks = medians.length ? niceTicks(lo, hi === lo ? lo + 1 : hi) : [0, 1];
  const countTicks = niceTicks(0, Math.max(1, reach?.count ?? 0, ...data.map((d) => d.count)));
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
          // An estimate's 95 % intervals of the medians, as a band along each line.
          const bandOf = (key: 'qualityMedian' | 'relevanceMedian') => {
            const points = data.flatMap((d, i) => (d.intervals?.[key] ? [{ x: xc(i), r: d.intervals[key]! }] : []));
            if (points.length < 2) return null;
            const upper = points.map((p) => `${p.x.toFixed(1)},${ys(p.r[1]).toFixed(1)}`);
            const lower = points.map((p) => `${p.x.toFixed(1)},${ys(p.r[0]).toFixed(1)}`).reverse();
            return `M${upper.join('L')}L${lower.join('L')}Z`;
          };
          const bands = [
            { d: bandOf('qualityMedian'), colour: QUALITY },
            { d: bandOf('relevanceMedian'), colour: RELEVANCE },
          ];
          const every = labelEvery(data.length, plotW, LABEL_PX);
          return (
            <>
              <YAxis ticks={scoreTicks} y={ys} x={m.left} width={plotW} format={(v) => v.toFixed(2)} title="median score" grid />
              <YAxis ticks={countTicks} y={yc} x={m.left + plotW} width={0} side="right" format={fmtCount} title="evaluations" />
              {data.map((d, i) => (
                <rect key={d.week} data-testid="bar" x={m.left + i * band + band * 0.15} y={yc(d.count)} width={band * 0.7} height={m.top + plotH - yc(d.count)} fill={COUNT} fillOpacity={0.4}>
                  <title>
                    {d.intervals
                      ? `week of ${d.week}, estimated: about ${fmtCount(d.count)} evaluations${interval(d.intervals.count, fmtCount)}, median quality ${d.quality?.toFixed(4) ?? '—'}${interval(d.intervals.qualityMedian, (v) => v.toFixed(4))}, median relevance ${d.relevance?.toFixed(4) ?? '—'}${interval(d.intervals.relevanceMedian, (v) => v.toFixed(4))}`
                      : `week of ${d.week}: ${fmtCount(d.count)} evaluations, median quality ${d.quality?.toFixed(4) ?? '—'}, median relevance ${d.relevance?.toFixed(4) ?? '—'}`}
                  </title>
                </rect>
              ))}
              {bands.map((b, i) => (b.d ? <path key={i} data-testid="median-band" d={b.d} fill={b.colour} fillOpacity={0.18} stroke="none" pointerEvents="none" /> : null))}
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
