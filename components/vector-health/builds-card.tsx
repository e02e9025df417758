'use client';
// CREATE INDEX and REINDEX runs in progress in this database, polled while the page is open.
import { useQuery } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import { Table } from '@/components/ui/table';
import type { IndexBuild, Section } from '@/lib/schemas/vector-health';
import { count } from './format';
import { MUTED, NUM, TD, TH } from './parts';
import { vectorKeys } from './query-keys';

export function BuildsCard({ initial }: { initial: Section<IndexBuild[]> }) {
  const builds = useQuery({
    queryKey: vectorKeys.builds,
    queryFn: async () => (await apiFetch<{ builds: IndexBuild[] }>('/api/vector-health/builds')).builds,
    initialData: initial.ok ? initial.data : undefined,
    // Faster while something builds, so the percentage moves.
    refetchInterval: (q) => ((q.state.data?.length ?? 0) > 0 ? 2000 : 10_000),
  });
  return (
    <Card title="Index builds in progress">
      {builds.isError ? (
        <ErrorText>Could not read the index builds: {builds.error.message}</ErrorText>
      ) : !builds.data ? (
        <p role="status" className="text-sm">Loading…</p>
      ) : builds.data.length === 0 ? (
        <p className={`text-sm ${MUTED}`} data-testid="no-builds">No CREATE INDEX or REINDEX is running in this database.</p>
      ) : (
        <Table label="Index builds in progress">
          <thead>
            <tr>
              <th scope="col" className={TH}>Index</th>
              <th scope="col" className={TH}>Command and phase</th>
              <th scope="col" className={`${TH} text-right`}>Phase done</th>
              <th scope="col" className={TH}>Started</th>
            </tr>
          </thead>
          <tbody>
            {builds.data.map((b) => (
              <tr key={b.pid} className="border-t border-slate-200 dark:border-slate-800" data-testid="build-row">
                <td className={`${TD} font-mono`}>
                  {b.index}
                  <span className={`block font-sans text-xs ${MUTED}`}>on {b.table}, process {b.pid}</span>
                </td>
                <td className={TD}>
                  {b.command}: {b.phase}
                </td>
                <td className={NUM}>
                  {b.percent === null ? '—' : `${b.percent.toFixed(0)}%`}
                  {b.tuplesTotal > 0 && <span className={`block text-xs ${MUTED}`}>{count(b.tuplesDone)} of {count(b.tuplesTotal)} rows</span>}
                </td>
                <td className={TD}>
                  <Time iso={b.startedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
