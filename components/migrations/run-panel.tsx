'use client';
// A run as it goes: which migration is running, elapsed time, index-build progress; then the outcome.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { ErrorText } from '@/components/ui/controls';
import type { RunDetail } from '@/lib/schemas/migrations';
import { duration, RUN_STYLE } from './format';
import { migrationKeys } from './query-keys';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function RunPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const qc = useQueryClient();
  const run = useQuery({
    queryKey: migrationKeys.run(id),
    queryFn: () => apiFetch<{ run: RunDetail }>(`/api/migrations/runs/${id}`).then((r) => r.run),
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'running' ? false : 1000),
    // The record appears a moment after the run starts.
    retry: (count, err) => count < 10 && (err as { status?: number }).status === 404,
    retryDelay: 300,
  });
  const r = run.data;
  const running = r?.status === 'running';
  const now = useNow(running);
  useEffect(() => {
    if (r && r.status !== 'running') {
      void qc.invalidateQueries({ queryKey: migrationKeys.status });
      void qc.invalidateQueries({ queryKey: migrationKeys.runs });
    }
  }, [r, qc]);
  if (run.isError) return <ErrorText>Could not follow the run: {run.error.message}</ErrorText>;
  if (!r) return <p role="status" className="text-sm">Starting the run…</p>;
  const elapsed = (r.finishedAt ? new Date(r.finishedAt).getTime() : now) - new Date(r.startedAt).getTime();
  const title = `${r.kind === 'rollback' ? `Rollback of batch ${r.batch ?? '?'}` : `Run of ${r.migrations.length || 'the pending'} migration(s)`}`;
  return (
    <Card title={title}>
      <div data-testid="run-panel" aria-live="polite" className="flex flex-col gap-3 text-sm">
        <p>
          <span className={`font-semibold ${RUN_STYLE[r.status]}`} data-testid="run-status">
            {r.status === 'running' ? 'Running' : r.status === 'succeeded' ? 'Succeeded' : r.status === 'failed' ? 'Failed' : 'Interrupted'}
          </span>{' '}
          · {duration(Math.max(0, elapsed))} · by {r.actorLabel}
        </p>
        {running && r.currentMigration && (
          <p>
            Now running <code className="font-mono">{r.currentMigration}</code>
          </p>
        )}
        {running && r.progress && (
          <div>
            <p>
              Index build on {r.progress.relation ?? 'a table'}: {r.progress.phase}
              {r.progress.percent !== null ? ` (${r.progress.percent}%)` : ''}
            </p>
            <progress className="w-full" max={100} value={r.progress.percent ?? undefined} aria-label="Index build progress" />
          </div>
        )}
        {r.migrations.length > 0 && (
          <ol className="list-decimal pl-6">
            {r.migrations.map((m) => (
              <li key={m.name}>
                <code className="font-mono">{m.name}</code> — {m.status === 'done' ? duration(m.ms) : m.status}
              </li>
            ))}
          </ol>
        )}
        {r.error && (
          <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100">
            <p className="font-semibold">
              {r.error.migration ? `${r.error.migration} failed` : 'The run stopped'}; {r.status === 'failed' ? 'the batch was rolled back and the database is as it was.' : ''}
            </p>
            <p className="mt-1 whitespace-pre-wrap">{r.error.message}</p>
            {r.error.statement && <pre tabIndex={0} className="mt-2 overflow-x-auto whitespace-pre-wrap font-mono text-xs">{r.error.statement}</pre>}
          </div>
        )}
        {!running && (
          <button type="button" onClick={onClose} className="self-start text-sm underline">
            Dismiss
          </button>
        )}
      </div>
    </Card>
  );
}
