'use client';
// The migrations page: every migration with its status, the lock, Run pending and Rollback batch
// (operators), lock release (admins), and the run in progress, which survives a reload (?run=).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card, Notice } from '@/components/ui/card';
import { Button, ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import type { MigrationsStatus } from '@/lib/schemas/migrations';
import { duration, STATUS_LABEL, STATUS_STYLE } from './format';
import { DriftCard } from './drift-card';
import { PlanDialog } from './plan-dialog';
import { migrationKeys } from './query-keys';
import { RoundTripCard } from './round-trip-card';
import { RunPanel } from './run-panel';

type Abilities = { operate: boolean; releaseLock: boolean; role: string };

function LockPanel({ status, canRelease }: { status: MigrationsStatus; canRelease: boolean }) {
  const qc = useQueryClient();
  const release = useMutation({
    mutationFn: () => apiFetch<{ released: boolean }>('/api/migrations/lock/release', { method: 'POST', body: { confirm: true } }),
    onSettled: () => qc.invalidateQueries({ queryKey: migrationKeys.status }),
  });
  const { lock } = status;
  const held = lock.knexLocked || lock.running;
  return (
    <Card title="Lock">
      <p className="text-sm" data-testid="lock-state">
        <span className="font-semibold">{held ? 'Held' : 'Free'}.</span> {held ? lock.explanation : 'No run is in progress.'}
      </p>
      {lock.knexLocked && !lock.running && (
        <div className="mt-3">
          <Button
            tone="danger"
            disabled={!canRelease || release.isPending}
            onClick={() => {
              if (
                window.confirm(
                  `Release knex's lock in ${status.migrationsTable}_lock? Strata first checks that no database session could still be migrating. If one is, nothing changes. The release is audited.`,
                )
              )
                release.mutate();
            }}
          >
            Release the migration lock
          </Button>
          {!canRelease && <p className="mt-1 text-sm">Only an admin can release the lock.</p>}
          {release.isError && <ErrorText>{release.error.message}</ErrorText>}
        </div>
      )}
    </Card>
  );
}

export function MigrationsClient({ initial, abilities }: { initial: MigrationsStatus; abilities: Abilities }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const [dialog, setDialog] = useState<'up' | 'down' | null>(null);
  const status = useQuery({
    queryKey: migrationKeys.status,
    queryFn: () => apiFetch<MigrationsStatus>('/api/migrations'),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.lock.running ? 2000 : false),
  });
  const s = status.data;
  const runId = params.get('run') ?? s.lock.running?.id ?? null;
  const showRun = (id: string | null) => router.replace(id ? `${pathname}?run=${id}` : pathname, { scroll: false });
  const pending = s.migrations.filter((m) => m.status === 'pending').length;
  const busy = !!s.lock.running || s.lock.knexLocked;
  const why = !abilities.operate
    ? `Your role (${abilities.role}) may view migrations but not run or roll them back; ask an operator.`
    : s.blocked
      ? s.blocked
      : busy
        ? 'The lock is held; wait for the run to finish.'
        : null;

  return (
    <div className="flex flex-col gap-6">
      {s.blocked && <Notice tone="error">{s.blocked}</Notice>}
      <div className="flex flex-wrap items-center gap-3">
        <Button tone="primary" disabled={!abilities.operate || !!s.blocked || busy || pending === 0} onClick={() => setDialog('up')}>
          Run pending{pending ? ` (${pending})` : ''}
        </Button>
        <Button tone="danger" disabled={!abilities.operate || !!s.blocked || busy || s.lastBatch === null} onClick={() => setDialog('down')}>
          {s.lastBatch === null ? 'Rollback batch' : `Roll back batch ${s.lastBatch}`}
        </Button>
        <Link href="/migrations/history" className="text-sm underline">
          History
        </Link>
        {why && (
          <p className="w-full text-sm text-slate-600 dark:text-slate-400" data-testid="actions-explanation">
            {why}
          </p>
        )}
      </div>
      {runId && <RunPanel key={runId} id={runId} onClose={() => showRun(null)} />}
      <LockPanel status={s} canRelease={abilities.releaseLock} />
      <DriftCard />
      <RoundTripCard pending={pending} canRun={abilities.operate} role={abilities.role} />
      <Card title={`${s.migrations.length} migrations in ${s.migrationsTable}`}>
        {s.migrations.length === 0 ? (
          <p className="text-sm">No migration files found. Create one with npm run migrate:make -- name.</p>
        ) : (
          <table className="w-full text-left text-sm">
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
          </table>
        )}
      </Card>
      {dialog && (
        <PlanDialog
          direction={dialog}
          onClose={() => setDialog(null)}
          onStarted={(id) => {
            setDialog(null);
            showRun(id);
          }}
        />
      )}
    </div>
  );
}
