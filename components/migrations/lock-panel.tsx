'use client';
// The lock: free, held by a run through Strata, or knex's flag set outside Strata with the
// sessions that could be the migrator holding it. Admins may release the flag (Strata checks
// again first) or end one of the listed sessions, each after a confirmation that says what it does.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import type { MigrationsStatus, SuspectSession } from '@/lib/schemas/migrations';
import { migrationKeys } from './query-keys';

function SessionRow({ s, canEnd }: { s: SuspectSession; canEnd: boolean }) {
  const qc = useQueryClient();
  const end = useMutation({
    mutationFn: () => apiFetch<{ terminated: boolean }>('/api/migrations/lock/terminate', { method: 'POST', body: { pid: s.pid, confirm: true } }),
    onSettled: () => qc.invalidateQueries({ queryKey: migrationKeys.status }),
  });
  return (
    <li className="rounded border border-slate-200 p-2 dark:border-slate-800" data-testid="lock-suspect">
      <p>
        <span className="font-semibold">Session {s.pid}</span> · {s.application ? <code className="font-mono">{s.application}</code> : 'no application name'}
        {s.user && <> · user {s.user}</>}
        {s.clientAddress && <> · from {s.clientAddress}</>} · {s.state ?? 'unknown state'}
        {s.transactionStart && (
          <>
            {' '}
            · in a transaction since <Time iso={s.transactionStart} />
          </>
        )}
      </p>
      <p className="text-slate-700 dark:text-slate-300">Counted because it {s.reasons.join('; ')}.</p>
      {s.query && <pre tabIndex={0} className="mt-1 max-h-24 overflow-auto whitespace-pre-wrap break-all font-mono text-xs">{s.query}</pre>}
      {canEnd && (
        <Button
          tone="danger"
          className="mt-2"
          disabled={end.isPending}
          onClick={() => {
            if (
              window.confirm(
                `End database session ${s.pid} (pg_terminate_backend)? If it is a migrator, PostgreSQL rolls back its open transaction; whatever it ran outside a transaction stays. Its client sees its connection closed. This is audited.`,
              )
            )
              end.mutate();
          }}
        >
          End session {s.pid}
        </Button>
      )}
      {end.isError && <ErrorText>{end.error.message}</ErrorText>}
    </li>
  );
}

export function LockPanel({ status, canRelease }: { status: MigrationsStatus; canRelease: boolean }) {
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
      {lock.suspects.length > 0 && (
        <ul className="mt-3 flex flex-col gap-2 text-sm" aria-label="Sessions that could hold the lock">
          {lock.suspects.map((s) => (
            <SessionRow key={s.pid} s={s} canEnd={canRelease} />
          ))}
        </ul>
      )}
      {lock.knexLocked && !lock.running && (
        <div className="mt-3">
          <Button
            tone="danger"
            disabled={!canRelease || release.isPending}
            onClick={() => {
              if (
                window.confirm(
                  `Release knex's lock in ${status.migrationsTable}_lock? Strata first checks again that no database session could be migrating; if one could, nothing changes. The release is audited.`,
                )
              )
                release.mutate();
            }}
          >
            Release the migration lock
          </Button>
          {!canRelease && <p className="mt-1 text-sm">Only an admin can release the lock or end a session.</p>}
          {release.isError && <ErrorText>{release.error.message}</ErrorText>}
        </div>
      )}
    </Card>
  );
}
