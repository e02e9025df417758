'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import type { FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Button, ErrorText } from '@/components/ui/controls';
import type { Distributions, MetricStats, QueryProblem } from '@/lib/schemas/evaluations';
import { PERCENTILES } from '@/lib/schemas/evaluations-plain';
import { DistributionsView } from './distributions-view';
import { ForumSelect } from './forum-select';
import { fmtCount, fmtScore } from './format';
import { evaluationKeys } from './query-keys';
import { fieldProps, ProblemNotice } from './problem';
import { DISTRIBUTION_KEYS as KEYS, distributionsRequest } from './url-state';

const LABELS: Record<string, string> = { forum: 'Forum', from: 'Created from', to: 'Created to', bins: 'Bins' };
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

function Filters({ problem }: { problem: QueryProblem | null }) {
  const params = useSearchParams();
  const router = useRouter();
  const v = (k: string) => params.get(k) ?? '';
  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    // How the charts are shown stays as it is.
    for (const k of ['view', 'y']) if (params.get(k)) next.set(k, params.get(k)!);
    for (const k of KEYS) {
      const value = String(f.get(k) ?? '').trim();
      if (value && !(k === 'bins' && value === '20')) next.set(k, value);
    }
    const qs = next.toString();
    router.push(qs ? `/evaluations/distributions?${qs}` : '/evaluations/distributions');
  }
  return (
    <form onSubmit={apply} key={params.toString()} aria-label="Filter the distributions" className="mb-6 flex flex-wrap items-end gap-3">
      <ForumSelect value={v('forum')} problem={problem} />
      <label className="text-sm font-medium">
        Created from
        <input name="from" type="date" defaultValue={v('from')} {...fieldProps(problem, 'from')} />
      </label>
      <label className="text-sm font-medium">
        Created to (inclusive)
        <input name="to" type="date" defaultValue={v('to')} {...fieldProps(problem, 'to')} />
      </label>
      <label className="text-sm font-medium">
        Bins
        <select name="bins" defaultValue={v('bins') || '20'} {...fieldProps(problem, 'bins')}>
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

export function DistributionsClient({ problem }: { problem: QueryProblem | null }) {
  const params = useSearchParams();
  const query = distributionsRequest(params);
  const dist = useQuery({
    queryKey: evaluationKeys.distributions(query),
    queryFn: () => apiFetch<Distributions>(`/api/evaluations/distributions?${query}`),
    staleTime: 60_000,
    enabled: problem === null,
  });
  const all = dist.data?.groups.find((g) => g.contentType === null);
  return (
    <>
      <Filters problem={problem} />
      {problem ? (
        <ProblemNotice problem={problem} labels={LABELS} clearHref="/evaluations/distributions" />
      ) : dist.isPending ? (
        <p role="status" className="text-sm">
          Computing the distributions… (on a million rows this takes a few seconds)
        </p>
      ) : dist.isError ? (
        <ErrorText>Could not compute the distributions: {dist.error.message}</ErrorText>
      ) : !all || all.rows === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No evaluations in this forum and date range. Widen the filter or clear it.</p>
      ) : (
        <DistributionsView
          data={dist.data}
          all={all.rows}
          stats={
            <div className="relative space-y-4 overflow-x-auto" tabIndex={0} role="region" aria-label="Count, mean and percentiles">
              <StatsTable data={dist.data} metric="quality" />
              <StatsTable data={dist.data} metric="relevance" />
            </div>
          }
        />
      )}
    </>
  );
}
