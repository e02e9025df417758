'use client';
// Every run, rollback and lock release through Strata: who, when, how long, what, outcome, error.
import { useQuery } from '@tanstack/react-query';
import Link from '@/components/ui/target-link';
import { usePathname, useSearchParams } from 'next/navigation';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { ErrorText } from '@/components/ui/controls';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import type { RunSummary } from '@/lib/schemas/migrations';
import { describeRun } from '@/lib/schemas/run-outcome';
import { duration, RUN_STYLE } from './format';
import { migrationKeys } from './query-keys';
import { STATUS_WORD } from './run-view';

const KIND = { latest: 'Run pending', rollback: 'Rollback', lock_release: 'Lock release', terminate_backend: 'Session ended' } as const;

export function HistoryClient() {
  const params = useSearchParams();
  const pathname = usePathname();
  const before = params.get('before') ?? undefined;
  const runs = useQuery({
    queryKey: [...migrationKeys.runs, before ?? null],
    queryFn: () => apiFetch<{ runs: RunSummary[]; nextBefore: string | null }>(`/api/migrations/runs${before ? `?before=${encodeURIComponent(before)}` : ''}`),
  });
  return (
    <Card title="Runs, newest first">
      {runs.isPending ? (
        <p role="status" className="text-sm">Loading the history…</p>
      ) : runs.isError ? (
        <ErrorText>Could not load the history: {runs.error.message}</ErrorText>
      ) : runs.data.runs.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Nothing has been run through Strata yet. Runs from the knex CLI do not appear here; <Link href="/migrations" className="underline">the migrations page</Link> shows their result.
        </p>
      ) : (
        <>
          <Table label="Runs">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">Started</th>
                <th scope="col" className="py-2 pr-4">What</th>
                <th scope="col" className="py-2 pr-4">By</th>
                <th scope="col" className="py-2 pr-4 text-right">Duration</th>
                <th scope="col" className="py-2 pr-4">Outcome</th>
                <th scope="col" className="py-2">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((r) => (
                <tr key={r.id} className="border-b border-slate-100 align-top dark:border-slate-800/60" data-testid="history-row">
                  <td className="whitespace-nowrap py-2 pr-4"><Time iso={r.startedAt} /></td>
                  <td className="py-2 pr-4">{KIND[r.kind]}{r.batch !== null ? ` (batch ${r.batch})` : ''}</td>
                  <td className="py-2 pr-4">{r.actorLabel}{r.role ? ` (${r.role})` : ''}</td>
                  <td className="py-2 pr-4 text-right tabular-nums">
                    {r.status === 'running' ? 'running' : r.durationMs !== null ? duration(r.durationMs) : r.status === 'interrupted' ? 'unknown' : '—'}
                  </td>
                  <td className="py-2 pr-4" data-testid="history-outcome">
                    <span className={`font-semibold ${RUN_STYLE[r.status]}`}>{STATUS_WORD[r.status]}</span>
                    {r.atomic === false && <span className="text-slate-600 dark:text-slate-400"> · not one transaction</span>}
                    <p>{describeRun(r).headline}</p>
                    {describeRun(r).details.slice(0, 1).map((d) => (
                      <p key={d} className="text-xs">
                        {d}
                      </p>
                    ))}
                  </td>
                  <td className="py-2">
                    {(r.kind === 'latest' || r.kind === 'rollback') && (
                      <Link href={`/migrations/runs/${r.id}`} className="underline">
                        Open<span className="sr-only"> run {r.id}</span>
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          {runs.data.nextBefore && (
            <Link href={`${pathname}?before=${encodeURIComponent(runs.data.nextBefore)}`} className="mt-4 inline-block text-sm underline">
              Older runs
            </Link>
          )}
        </>
      )}
    </Card>
  );
}
