'use client';

import { useQuery } from '@tanstack/react-query';
import Link from '@/components/ui/target-link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useMemo, type FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Button, ErrorText } from '@/components/ui/controls';
import type { Distributions, Interval, MetricStats, QueryProblem } from '@/lib/schemas/evaluations';
import { PERCENTILES } from '@/lib/schemas/evaluations-plain';
import { mergeReach, reachOf } from './chart-data';
import { DistributionsView } from './distributions-view';
import { ForumSelect } from './forum-select';
import { fmtCount, fmtScore } from './format';
import { evaluationKeys } from './query-keys';
import { fieldProps, ProblemNotice } from './problem';
import { DISTRIBUTION_KEYS as KEYS, distributionsRequest } from './url-state';

const LABELS: Record<string, string> = { forum: 'Forum', from: 'Created from', to: 'Created to', bins: 'Bins' };
const NUM = 'py-1.5 pr-3 text-right tabular-nums whitespace-nowrap';

const fmtRange = (r: Interval | null | undefined, f: (v: number) => string) => (r ? `${f(r[0])}–${f(r[1])}` : null);

/**
 * A figure, and under it the estimate's 95 % interval. Once the exact figures replace an
 * estimate, the interval's line stays in place, unseen, so that no row or column changes size.
 */
function Figure({ value, range, estimated, reserve }: { value: string; range: string | null; estimated: boolean; reserve: boolean }) {
  return (
    <td className={NUM}>
      {value}
      {reserve && (
        <div className={`text-xs text-slate-600 dark:text-slate-400 ${estimated && range ? '' : 'invisible'}`} aria-hidden={!estimated || !range}>
          {range ?? '\u00a0'}
        </div>
      )}
    </td>
  );
}

function StatsTable({ data, estimate, metric }: { data: Distributions; estimate: Distributions | null; metric: 'quality' | 'relevance' }) {
  const estimated = data.basis.kind === 'estimate';
  const reserve = estimate !== null;
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
          // The intervals shown (or kept in place) are the estimate's.
          const r = estimate?.groups.find((e) => e.contentType === g.contentType)?.[metric].intervals;
          const approx = (text: string) => (estimated ? `≈ ${text}` : text);
          return (
            <tr key={g.contentType ?? '*'} className="border-b border-slate-100 align-top dark:border-slate-800/60">
              <th scope="row" className="py-1.5 pr-3 font-medium">{g.contentType === null ? 'all' : `${g.contentType}s`}</th>
              <Figure value={approx(fmtCount(s.count))} range={fmtRange(r?.count, fmtCount)} estimated={estimated} reserve={reserve} />
              <Figure value={approx(fmtCount(s.invalid))} range={fmtRange(r?.invalid, fmtCount)} estimated={estimated} reserve={reserve} />
              <Figure value={approx(fmtScore(s.mean))} range={fmtRange(r?.mean, (v) => fmtScore(v))} estimated={estimated} reserve={reserve} />
              {s.percentiles.map((v, i) => (
                <Figure key={i} value={approx(fmtScore(v))} range={fmtRange(r?.percentiles[i], (x) => fmtScore(x))} estimated={estimated} reserve={reserve} />
              ))}
              {/* Exact in an estimate too. */}
              <Figure value={fmtScore(s.min)} range={null} estimated={false} reserve={reserve} />
              <Figure value={fmtScore(s.max)} range={null} estimated={false} reserve={reserve} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * How many evaluations, and what the figures are: an estimate (how it was made; the exact ones on
 * their way) or exact. Two lines either way, so that nothing below moves when one replaces the other.
 */
function Basis({ data, afterEstimate, exact }: { data: Distributions; afterEstimate: boolean; exact: { pending: boolean; error: Error | null } }) {
  const all = data.groups.find((g) => g.contentType === null)!;
  const b = data.basis;
  const note = 'text-xs text-slate-600 dark:text-slate-400';
  if (b.kind === 'exact') {
    return (
      <div className="text-sm">
        <p data-testid="distribution-total">
          <span className="font-semibold tabular-nums">{fmtCount(all.rows)}</span> evaluations.
        </p>
        <p role={afterEstimate ? 'status' : undefined} className={note} data-testid="distribution-basis">
          {afterEstimate ? 'Exact figures, over every row: they have replaced the estimate.' : `Exact figures${b.reason ? `: ${b.reason}` : '.'}`}
        </p>
      </div>
    );
  }
  return (
    <div className="text-sm">
      <p data-testid="distribution-total">
        About <span className="font-semibold tabular-nums">{fmtCount(all.rows)}</span> evaluations
        {all.rowsInterval && <> ({fmtRange(all.rowsInterval, fmtCount)})</>}.
      </p>
      {exact.error ? (
        <ErrorText>The exact figures could not be computed ({exact.error.message}); these estimates stay.</ErrorText>
      ) : (
        <p role="status" className={note} data-testid="distribution-basis">
          Estimated from {fmtCount(b.sampledRows)} rows on {fmtCount(b.sampledPages)} of the table’s pages ({b.percent < 1 ? b.percent.toFixed(2) : b.percent.toFixed(1)} %);
          each range is a {Math.round(b.confidence * 100)} % interval.{exact.pending ? ' Computing the exact figures over every row…' : ''}
        </p>
      )}
    </div>
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
    // How the charts are shown, and the target, stay as they are.
    for (const k of ['view', 'y', 'target']) if (params.get(k)) next.set(k, params.get(k)!);
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
  const sep = query ? '&' : '';
  // A quick estimate first (or the exact figures, when that is as quick), then the exact ones.
  const first = useQuery({
    queryKey: evaluationKeys.distributions(query, 'estimate'),
    queryFn: () => apiFetch<Distributions>(`/api/evaluations/distributions?${query}${sep}mode=estimate`),
    staleTime: 60_000,
    enabled: problem === null,
  });
  const exact = useQuery({
    queryKey: evaluationKeys.distributions(query, 'exact'),
    queryFn: () => apiFetch<Distributions>(`/api/evaluations/distributions?${query}${sep}mode=exact`),
    staleTime: 60_000,
    enabled: problem === null && (first.isError || first.data?.basis.kind === 'estimate'),
  });
  const estimate = first.data?.basis.kind === 'estimate' ? first.data : null;
  const data = exact.data ?? first.data;
  const reach = useMemo(() => mergeReach(estimate ? reachOf(estimate) : null, exact.data ? reachOf(exact.data) : null), [estimate, exact.data]);
  const all = data?.groups.find((g) => g.contentType === null);
  const failed = !data && (first.isError ? (exact.isError ? exact.error : null) : null);
  return (
    <>
      <Filters problem={problem} />
      {problem ? (
        <ProblemNotice problem={problem} labels={LABELS} clearHref="/evaluations/distributions" />
      ) : failed ? (
        <ErrorText>Could not compute the distributions: {failed.message}</ErrorText>
      ) : !data ? (
        <p role="status" className="text-sm">
          Computing the distributions…
        </p>
      ) : !all || all.rows === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No evaluations in this forum and date range. Widen the filter or clear it.</p>
      ) : (
        <DistributionsView
          data={data}
          reach={reach}
          total={<Basis data={data} afterEstimate={estimate !== null} exact={{ pending: exact.isPending, error: exact.isError ? exact.error : null }} />}
          stats={
            <div className="relative space-y-4 overflow-x-auto" tabIndex={0} role="region" aria-label="Count, mean and percentiles">
              <StatsTable data={data} estimate={estimate} metric="quality" />
              <StatsTable data={data} estimate={estimate} metric="relevance" />
            </div>
          }
        />
      )}
    </>
  );
}
