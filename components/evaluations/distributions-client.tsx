'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import type { FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText, INPUT } from '@/components/ui/controls';
import { PERCENTILES, type Distributions, type MetricStats } from '@/lib/schemas/evaluations';
import { Heatmap, Histogram, WeeklyMedians } from './charts';
import { ForumSelect } from './forum-select';
import { fmtCount, fmtScore } from './format';
import { evaluationKeys } from './query-keys';
import { pick } from './url-state';

const KEYS = ['forum', 'from', 'to', 'bins'] as const;
const NUM = 'py-1.5 pr-3 text-right tabular-nums';

function StatsTable({ data, metric }: { data: Distributions; metric: 'quality' | 'relevance' }) {
  return (
    <table className="w-full text-left text-sm" data-testid={`stats-${metric}`}>
      <caption className="mb-1 text-left text-sm font-semibold capitalize">{metric}</caption>
      <thead>
        <tr className="border-b border-slate-200 dark:border-slate-800">
          <th scope="col" className="py-1.5 pr-3">Content type</th>
          <th scope="col" className={NUM}>Count</th>
          <th scope="col" className={NUM}>NULL/NaN</th>
          <th scope="col" className={NUM}>Mean</th>
          {PERCENTILES.map((p) => (
            <th key={p} scope="col" className={NUM}>
              p{Math.round(p * 100)}
            </th>
          ))}
          <th scope="col" className={NUM}>Min</th>
          <th scope="col" className={NUM}>Max</th>
        </tr>
      </thead>
      <tbody>
        {data.groups.map((g) => {
          const s: MetricStats = g[metric];
          return (
            <tr key={g.contentType ?? '*'} className="border-b border-slate-100 dark:border-slate-800/60">
              <th scope="row" className="py-1.5 pr-3 font-medium">{g.contentType === null ? 'all' : `${g.contentType}s`}</th>
              <td className={NUM}>{fmtCount(s.count)}</td>
              <td className={NUM}>{fmtCount(s.invalid)}</td>
              <td className={NUM}>{fmtScore(s.mean)}</td>
              {s.percentiles.map((v, i) => (
                <td key={i} className={NUM}>
                  {fmtScore(v)}
                </td>
              ))}
              <td className={NUM}>{fmtScore(s.min)}</td>
              <td className={NUM}>{fmtScore(s.max)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Filters() {
  const params = useSearchParams();
  const router = useRouter();
  const v = (k: string) => params.get(k) ?? '';
  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const k of KEYS) {
      const value = String(f.get(k) ?? '').trim();
      if (value && !(k === 'bins' && value === '20')) next.set(k, value);
    }
    const qs = next.toString();
    router.push(qs ? `/evaluations/distributions?${qs}` : '/evaluations/distributions');
  }
  return (
    <form onSubmit={apply} key={params.toString()} aria-label="Filter the distributions" className="mb-6 flex flex-wrap items-end gap-3">
      <ForumSelect value={v('forum')} />
      <label className="text-sm font-medium">
        Created from
        <input name="from" type="date" defaultValue={v('from')} className={INPUT} />
      </label>
      <label className="text-sm font-medium">
        Created to (inclusive)
        <input name="to" type="date" defaultValue={v('to')} className={INPUT} />
      </label>
      <label className="text-sm font-medium">
        Bins
        <select name="bins" defaultValue={v('bins') || '20'} className={INPUT}>
          {[10, 20, 40, 50].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <Button type="submit" tone="primary">
        Show
      </Button>
      {KEYS.some((k) => params.get(k)) && (
        <Link href="/evaluations/distributions" className="text-sm underline">
          Clear
        </Link>
      )}
    </form>
  );
}

export function DistributionsClient() {
  const params = useSearchParams();
  const query = pick(params, KEYS).toString();
  const dist = useQuery({
    queryKey: evaluationKeys.distributions(query),
    queryFn: () => apiFetch<Distributions>(`/api/evaluations/distributions?${query}`),
    staleTime: 60_000,
  });
  const all = dist.data?.groups.find((g) => g.contentType === null);
  return (
    <>
      <Filters />
      {dist.isPending ? (
        <p role="status" className="text-sm">
          Computing the distributions… (on a million rows this takes a few seconds)
        </p>
      ) : dist.isError ? (
        <ErrorText>Could not compute the distributions: {dist.error.message}</ErrorText>
      ) : !all || all.rows === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No evaluations in this forum and date range. Widen the filter or clear it.</p>
      ) : (
        <div className="space-y-6">
          <p className="text-sm" data-testid="distribution-total">
            <span className="font-semibold tabular-nums">{fmtCount(all.rows)}</span> evaluations.
          </p>
          <div className="grid gap-6 xl:grid-cols-2">
            <Card title="Quality scores">
              <Histogram groups={dist.data.groups} metric="quality" />
            </Card>
            <Card title="Relevance scores">
              <Histogram groups={dist.data.groups} metric="relevance" />
            </Card>
          </div>
          <Card title="Count, mean and percentiles">
            <div className="space-y-4 overflow-x-auto" tabIndex={0} role="region" aria-label="Count, mean and percentiles">
              <StatsTable data={dist.data} metric="quality" />
              <StatsTable data={dist.data} metric="relevance" />
            </div>
          </Card>
          <div className="grid gap-6 xl:grid-cols-2">
            <Card title="Quality × relevance">
              <Heatmap heatmap={dist.data.heatmap} />
            </Card>
            <Card title="Median per week">
              <WeeklyMedians weekly={dist.data.weekly} />
            </Card>
          </div>
        </div>
      )}
    </>
  );
}
