'use client';
// The distributions drawn: both histograms (counts, or each content type's share, since topics
// and posts differ in number), the percentile tables, the quality × relevance grid and the weekly
// medians with each week's count. How the charts are shown is in the URL (shareable), changed
// with history.replaceState so that no request is made for it.
import { useSearchParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { Card } from '@/components/ui/card';
import { ChartFrame } from '@/components/ui/chart-frame';
import type { Distributions } from '@/lib/schemas/evaluations';
import type { ChartReach, HistogramView } from './chart-data';
import { fmtCount } from './format';
import { HistogramChart, WeeklyChart } from './charts';
import { Heatmap } from './heatmap';

function useUrlOption<T extends string>(name: string, values: readonly [T, T]): [T, (v: T) => void] {
  const params = useSearchParams();
  const current = params.get(name) === values[1] ? values[1] : values[0];
  const set = (v: T) => {
    const next = new URLSearchParams(params.toString());
    if (v === values[0]) next.delete(name);
    else next.set(name, v);
    const qs = next.toString();
    window.history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
  };
  return [current, set];
}

function Choice({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
      <legend className="float-left mr-2 font-medium">{legend}</legend>
      {children}
    </fieldset>
  );
}

function Radio({ name, checked, onChange, children }: { name: string; checked: boolean; onChange: () => void; children: ReactNode }) {
  return (
    <label className="flex items-center gap-1.5">
      <input type="radio" name={name} checked={checked} onChange={onChange} />
      {children}
    </label>
  );
}

/** `reach`: how far the axes go (both answers', when an estimate came first); `total`: the line that counts the evaluations. */
export function DistributionsView({ data, total, stats, reach }: { data: Distributions; total: ReactNode; stats: ReactNode; reach: ChartReach | null }) {
  const [view, setView] = useUrlOption<HistogramView>('view', ['count', 'share']);
  const [y, setY] = useUrlOption('y', ['auto', 'zero'] as const);
  const typed = data.groups.filter((g) => g.contentType !== null);
  const histogram = (metric: 'quality' | 'relevance') => (
    <ChartFrame
      testId={`histogram-${metric}`}
      label={`Histogram of ${metric} scores by content type, ${view === 'count' ? 'as counts' : 'as each type’s share'}: ${typed.map((g) => `${fmtCount(g.rows)} ${g.contentType}s`).join(', ')}`}
    >
      <HistogramChart groups={data.groups} metric={metric} view={view} reach={reach?.histogram[metric][view]} />
    </ChartFrame>
  );
  return (
    <div className="space-y-6">
      {total}
      <Choice legend="Histograms show">
        <Radio name="view" checked={view === 'count'} onChange={() => setView('count')}>
          counts
        </Radio>
        <Radio name="view" checked={view === 'share'} onChange={() => setView('share')}>
          each content type’s share (%)
        </Radio>
      </Choice>
      <div className="grid gap-6 xl:grid-cols-2">
        <Card title="Quality scores">{histogram('quality')}</Card>
        <Card title="Relevance scores">{histogram('relevance')}</Card>
      </div>
      <Card title="Count, mean and percentiles">{stats}</Card>
      <div className="grid gap-6 xl:grid-cols-2">
        <Card title="Quality × relevance">
          <Heatmap heatmap={data.heatmap} reach={reach?.cells} />
        </Card>
        <Card title="Median per week">
          <ChartFrame testId="weekly-medians" label={`Median quality and relevance per week over ${data.weekly.filter((w) => w.contentType === null).length} weeks, with each week’s number of evaluations`}>
            <WeeklyChart weekly={data.weekly} fromZero={y === 'zero'} reach={reach ? { count: reach.weeklyCount, score: reach.weeklyScore } : undefined} />
          </ChartFrame>
          <label className="mt-3 flex items-center gap-2 text-sm">
            <input type="checkbox" checked={y === 'zero'} onChange={(e) => setY(e.target.checked ? 'zero' : 'auto')} />
            Start the score axis at 0
          </label>
        </Card>
      </div>
    </div>
  );
}
