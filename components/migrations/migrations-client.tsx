'use client';
// The migrations page: every migration with its status, the lock, Run pending and Rollback batch
// (operators), lock release (admins), and the run in progress, which survives a reload (?run=).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from '@/components/ui/target-link';
import { usePathname, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card, Notice } from '@/components/ui/card';
import { Button } from '@/components/ui/controls';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import type { MigrationsStatus, RunSummary } from '@/lib/schemas/migrations';
import { duration, STATUS_LABEL, STATUS_STYLE } from './format';
import { DriftCard } from './drift-card';
import { LockPanel } from './lock-panel';
import { ApprovalsCard } from './approvals-card';
import { PlanDialog, type UndoRequest } from './plan-dialog';
import { migrationKeys } from './query-keys';
import { RoundTripCard } from './round-trip-card';
import { RunPanel } from './run-panel';
import { actionReasons } from './action-reasons';
import { undoOf } from './undo';

type Abilities = { operate: boolean; releaseLock: boolean; role: string; label: string };

export function MigrationsClient({ initial, abilities }: { initial: MigrationsStatus; abilities: Abilities }) {
  const params = useSearchParams();
  const pathname = usePathname();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<{ direction: 'up' | 'down'; undo?: UndoRequest } | null>(null);
  const status = useQuery({
    queryKey: migrationKeys.status,
    queryFn: () => apiFetch<MigrationsStatus>('/api/migrations'),
    initialData: initial,
    // Every tab learns of a run started elsewhere: every second while one runs, every 5 s otherwise.
    refetchInterval: (q) => (q.state.data?.lock.running || q.state.data?.busy ? 1000 : 5000),
  });
  const s = status.data;
  const runId = params.get('run') ?? s.lock.running?.id ?? null;
  // The run in the URL (a reload finds it again) without a server round trip: Next's router
  // follows the browser's own history calls.
  const showRun = (id: string | null) => {
    // The page's other parameters (its target above all) stay.
    const p = new URLSearchParams(window.location.search);
    if (id) p.set('run', id);
    else p.delete('run');
    const qs = p.toString();
    window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
  };
  const pending = s.migrations.filter((m) => m.status === 'pending').length;
  const why = actionReasons(s, abilities);

  return (
    <div className="flex flex-col gap-6">
      {s.blocked && <Notice tone="error">{s.blocked}</Notice>}
      {s.busy && (
        <p role="status" className="text-sm text-slate-600 dark:text-slate-400" data-testid="migrations-busy">
          {s.busy.message} The run and the lock come from this dashboard&apos;s memory; the list below is as Strata last read it, <Time iso={s.asOf} />.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <Button tone="primary" disabled={!!why.up} aria-describedby={why.up ? 'why-up' : undefined} onClick={() => setDialog({ direction: 'up' })}>
          Run pending{pending ? ` (${pending})` : ''}
        </Button>
        <Button tone="danger" disabled={!!why.down} aria-describedby={why.down ? 'why-down' : undefined} onClick={() => setDialog({ direction: 'down' })}>
          {s.lastBatch === null ? 'Roll back batch' : `Roll back batch ${s.lastBatch}`}
        </Button>
        <Link href="/migrations/history" className="text-sm underline">
          History
        </Link>
        {why.up && why.up === why.down ? (
          <p id="why-up" className="w-full text-sm text-slate-600 dark:text-slate-400" data-testid="actions-explanation">
            <span id="why-down">{why.up}</span>
          </p>
        ) : (
          (why.up || why.down) && (
            <div className="w-full text-sm text-slate-600 dark:text-slate-400" data-testid="actions-explanation">
              {why.up && <p id="why-up">Run pending: {why.up}</p>}
              {why.down && <p id="why-down">Roll back: {why.down}</p>}
            </div>
          )
        )}
      </div>
      {runId && (
        <RunPanel
          key={runId}
          id={runId}
          onClose={() => showRun(null)}
          undoFor={(run: RunSummary) => {
            const undo = undoOf(run, s, abilities);
            return { ...undo, start: () => setDialog({ direction: 'down', undo: { runId: run.id, batch: run.batch!, names: undo.names } }) };
          }}
        />
      )}
      <ApprovalsCard
        me={abilities.label}
        mayApprove={abilities.role === 'admin'}
        onStarted={(run) => {
          qc.setQueryData(migrationKeys.run(run.id), { ...run, progress: null, statements: null });
          showRun(run.id);
          void qc.invalidateQueries({ queryKey: migrationKeys.status });
        }}
      />
      <LockPanel status={s} canRelease={abilities.releaseLock} />
      <DriftCard />
      <RoundTripCard pending={pending} canRun={abilities.operate} role={abilities.role} />
      <Card title={`${s.migrations.length} migrations in ${s.migrationsTable}`}>
        {s.migrations.length === 0 ? (
          <p className="text-sm">No migration files found. Create one with npm run migrate:make -- name.</p>
        ) : (
          <Table label="Migrations">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">Name</th>
                <th scope="col" className="py-2 pr-4">Status</th>
                <th scope="col" className="py-2 pr-4 text-right">Batch</th>
                <th scope="col" className="py-2 pr-4">Applied</th>
                <th scope="col" className="py-2 pr-4 text-right">Duration</th>
                <th scope="col" className="py-2 pr-4">By</th>
                <th scope="col" className="py-2">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {s.migrations.map((m) => (
                <tr key={m.name} className="border-b border-slate-100 dark:border-slate-800/60" data-testid="migration-row">
                  <td className="py-2 pr-4 font-mono">{m.name}</td>
                  <td className="py-2 pr-4">
                    <span className={`rounded px-2 py-0.5 text-xs font-semibold ${STATUS_STYLE[m.status]}`} data-testid="migration-status">
                      {STATUS_LABEL[m.status]}
                    </span>
                    {m.loadError && <p className="mt-1 text-xs text-red-700 dark:text-red-300">Cannot load: {m.loadError}</p>}
                  </td>
                  <td className="py-2 pr-4 text-right tabular-nums" data-testid="migration-batch">{m.batch ?? '—'}</td>
                  <td className="py-2 pr-4"><Time iso={m.appliedAt} /></td>
                  <td className="py-2 pr-4 text-right tabular-nums">{duration(m.durationMs)}</td>
                  <td className="py-2 pr-4">{m.appliedBy ?? (m.appliedAt ? <span className="text-slate-600 dark:text-slate-400">outside Strata</span> : '—')}</td>
                  <td className="py-2">{m.transaction === null ? '—' : m.transaction ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      {dialog && (
        <PlanDialog
          direction={dialog.direction}
          undo={dialog.undo}
          mayOverride={abilities.role === 'admin'}
          onClose={() => setDialog(null)}
          onRequested={() => {
            setDialog(null);
            void qc.invalidateQueries({ queryKey: migrationKeys.approvals });
          }}
          onStarted={(run) => {
            setDialog(null);
            // The panel shows the run at once, from the answer that started it.
            qc.setQueryData(migrationKeys.run(run.id), { ...run, progress: null, statements: null });
            showRun(run.id);
            void qc.invalidateQueries({ queryKey: migrationKeys.status });
          }}
        />
      )}
    </div>
  );
}
