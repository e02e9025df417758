'use client';
// Recall (with its 95% interval) and latency against probes (or ef_search): the trade an operator
// chooses a setting from. Drawn with recharts, loaded on demand inside the recall card's frame.
import { Bar, CartesianGrid, ComposedChart, ErrorBar, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS, GRID, TOOLTIP } from '@/components/ui/chart-frame';
import type { RecallResult } from '@/lib/schemas/vector-health';

export function RecallChart({ result }: { result: RecallResult }) {
  const data = result.points.map((p) => ({
    value: String(p.value),
    recall: Number(p.recall.toFixed(3)),
    // How far the interval reaches below and above the measured recall.
    interval: [p.recall - p.low, p.high - p.recall],
    latency: p.p50Ms,
  }));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid {...GRID} />
        <XAxis dataKey="value" {...AXIS} label={{ value: result.setting, position: 'insideBottom', offset: -8, fill: 'currentColor' }} />
        <YAxis yAxisId="recall" domain={[0, 1]} {...AXIS} label={{ value: `recall@${result.k}`, angle: -90, position: 'insideLeft', fill: 'currentColor' }} />
        <YAxis yAxisId="ms" orientation="right" {...AXIS} label={{ value: 'median ms', angle: 90, position: 'insideRight', fill: 'currentColor' }} />
        <Tooltip {...TOOLTIP} />
        <Legend verticalAlign="top" />
        <Bar yAxisId="ms" dataKey="latency" name="median latency (ms)" fill="#94a3b8" isAnimationActive={false} />
        <Line yAxisId="recall" dataKey="recall" name={`recall@${result.k} (95% interval)`} stroke="#0284c7" strokeWidth={2} isAnimationActive={false}>
          <ErrorBar dataKey="interval" width={6} stroke="#0284c7" strokeWidth={1.5} />
        </Line>
      </ComposedChart>
    </ResponsiveContainer>
  );
}
