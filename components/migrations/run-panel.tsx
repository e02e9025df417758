'use client';
// A run as it goes and as it ended, on the migrations page: what it says about itself, and after a
// failure that left migrations applied, the way back (roll back what it applied) or forward.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from '@/components/ui/target-link';
import { useEffect } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { useLive } from '@/components/use-live';
import { Button, ErrorText } from '@/components/ui/controls';
import type { RunDetail } from '@/lib/schemas/migrations';
import { migrationKeys } from './query-keys';
import { RunView } from './run-view';
import type { Undo } from './undo';
import { useNow } from './use-now';

const over = (r: RunDetail) => r.status !== 'running' && r.outcomeKnown;

export function useRun(id: string, initial?: RunDetail) {
  const qc = useQueryClient();
  // Pushed while it runs (GET /api/live); polled every second when the stream is not open. A run
  // over (in the cache, or already when the page was made) is not followed.
  const known = qc.getQueryData<RunDetail>(migrationKeys.run(id)) ?? initial;
  const streaming = useLive('run', id, migrationKeys.run(id), !(known && over(known)));
  const run = useQuery({
    queryKey: migrationKeys.run(id),
    queryFn: () => apiFetch<{ run: RunDetail }>(`/api/migrations/runs/${id}`).then((r) => r.run),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && over(q.state.data)) || streaming ? false : 1000,
  });
  const ended = run.data && run.data.status !== 'running';
  useEffect(() => {
    if (ended) {
      void qc.invalidateQueries({ queryKey: migrationKeys.status });
      void qc.invalidateQueries({ queryKey: migrationKeys.runs });
    }
  }, [ended, qc]);
  return run;
}

export function runTitle(r: RunDetail): string {
  if (r.kind === 'rollback') return `Rollback of batch ${r.batch ?? '?'}`;
  const n = r.migrations.length;
  return `Run of ${n} migration${n === 1 ? '' : 's'}${r.batch !== null ? ` (batch ${r.batch})` : ''}`;
}

export function RunPanel({ id, onClose, undoFor }: { id: string; onClose: () => void; undoFor: (run: RunDetail) => Undo & { start: () => void } }) {
  const run = useRun(id);
  const r = run.data;
  const now = useNow(r?.status === 'running');
  if (run.isError) return <ErrorText>Could not follow the run: {run.error.message}</ErrorText>;
  if (!r) return <p role="status" className="text-sm">Starting the run…</p>;
  const undo = undoFor(r);
  const failing = r.error?.migration;
  return (
    <Card title={runTitle(r)}>
      <div data-testid="run-panel" className="flex flex-col gap-3">
        <RunView run={r} now={now} />
        {undo.offer && (
          <div className="flex flex-col gap-2 rounded border border-slate-300 p-3 text-sm dark:border-slate-700" data-testid="run-recovery">
            <div className="flex flex-wrap items-center gap-3">
              <Button tone="danger" disabled={!undo.available} onClick={undo.start}>
                Roll back what this run applied ({undo.names.length})
              </Button>
              {undo.why && <span>{undo.why}</span>}
            </div>
            <p>
              Or fix {failing ? <code className="font-mono">{failing}</code> : 'the failing migration'} and use Run pending: it runs the migrations this run did not
              apply, as a new batch.
            </p>
          </div>
        )}
        <div className="flex gap-4 text-sm">
          <Link href={`/migrations/runs/${r.id}`} className="underline">
            Open this run
          </Link>
          {r.status !== 'running' && (
            <button type="button" onClick={onClose} className="underline">
              Dismiss
            </button>
          )}
        </div>
      </div>
    </Card>
  );
}
