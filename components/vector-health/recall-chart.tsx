'use client';
// Recall and latency against probes (or ef_search): the trade an operator chooses a setting from.
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RecallResult } from '@/lib/schemas/vector-health';

export function RecallChart({ result }: { result: RecallResult }) {
  const data = result.points.map((p) => ({ value: String(p.value), recall: Number(p.recall.toFixed(3)), latency: p.p50Ms }));
  const summary = result.points.map((p) => `${result.setting} ${p.value}: recall ${p.recall.toFixed(2)}, ${p.p50Ms} ms`).join('; ');
  return (
    <figure data-testid="recall-chart" className="h-72 w-full text-slate-700 dark:text-slate-300" aria-label={`Recall and median latency by ${result.setting}. ${summary}`} role="img">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.2} />
          <XAxis dataKey="value" stroke="currentColor" label={{ value: result.setting, position: 'insideBottom', offset: -8, fill: 'currentColor' }} />
          <YAxis yAxisId="recall" domain={[0, 1]} stroke="currentColor" label={{ value: `recall@${result.k}`, angle: -90, position: 'insideLeft', fill: 'currentColor' }} />
          <YAxis yAxisId="ms" orientation="right" stroke="currentColor" label={{ value: 'median ms', angle: 90, position: 'insideRight', fill: 'currentColor' }} />
          <Tooltip contentStyle={{ color: '#0f172a' }} />
          <Legend verticalAlign="top" />
          <Bar yAxisId="ms" dataKey="latency" name="median latency (ms)" fill="#94a3b8" isAnimationActive={false} />
          <Line yAxisId="recall" dataKey="recall" name={`recall@${result.k}`} stroke="#0284c7" strokeWidth={2} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
