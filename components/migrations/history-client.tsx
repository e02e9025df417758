'use client';
// Every run, rollback and lock release through Strata: who, when, how long, what, outcome, error.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import type { RunSummary } from '@/lib/schemas/migrations';
import { duration, RUN_STYLE } from './format';
import { migrationKeys } from './query-keys';

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
          <table className="w-full text-left text-sm">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">Started</th>
                <th scope="col" className="py-2 pr-4">What</th>
                <th scope="col" className="py-2 pr-4">By</th>
                <th scope="col" className="py-2 pr-4 text-right">Duration</th>
                <th scope="col" className="py-2 pr-4">Migrations</th>
                <th scope="col" className="py-2 pr-4">Outcome</th>
                <th scope="col" className="py-2">Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((r) => (
                <tr key={r.id} className="border-b border-slate-100 align-top dark:border-slate-800/60" data-testid="history-row">
                  <td className="whitespace-nowrap py-2 pr-4"><Time iso={r.startedAt} /></td>
                  <td className="py-2 pr-4">{KIND[r.kind]}{r.batch !== null ? ` (batch ${r.batch})` : ''}</td>
                  <td className="py-2 pr-4">{r.actorLabel}{r.role ? ` (${r.role})` : ''}</td>
                  <td className="py-2 pr-4 text-right tabular-nums">
                    {r.finishedAt ? duration(new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime()) : '—'}
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs">{r.migrations.map((m) => m.name).join(', ') || '—'}</td>
                  <td className={`py-2 pr-4 font-semibold ${RUN_STYLE[r.status]}`}>{r.status}</td>
                  <td className="py-2 text-xs">
                    {r.error ? (
                      <>
                        {r.error.migration && <span className="font-mono">{r.error.migration}: </span>}
                        {r.error.message}
                      </>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
