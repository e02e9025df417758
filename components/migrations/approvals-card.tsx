'use client';
// Rollbacks waiting for a second admin, on a target that asks for one: who asked, for which batch,
// until when; another admin approves (the run starts) or refuses. Nobody decides their own.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import type { RunSummary } from '@/lib/schemas/migrations';
import type { RollbackApproval } from '@/lib/schemas/targets';
import { migrationKeys } from './query-keys';

type Answer = { required: { target: string; expiresMinutes: number } | null; approvals: RollbackApproval[] };

export function ApprovalsCard({ me, mayApprove, onStarted }: { me: string; mayApprove: boolean; onStarted: (run: RunSummary) => void }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: migrationKeys.approvals, queryFn: () => apiFetch<Answer>('/api/migrations/approvals'), refetchInterval: 10_000 });
  const decide = useMutation({
    mutationFn: (v: { id: string; decision: 'approve' | 'refuse' }) =>
      apiFetch<{ approval: RollbackApproval; run: RunSummary | null }>(`/api/migrations/approvals/${v.id}`, { method: 'POST', body: { decision: v.decision } }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: migrationKeys.approvals });
      if (r.run) onStarted(r.run);
    },
  });
  if (!list.data?.required && !list.data?.approvals.some((a) => a.status === 'pending')) return null;
  const waiting = list.data.approvals.filter((a) => a.status === 'pending');
  return (
    <Card title="Rollbacks waiting for approval">
      {list.data.required && (
        <p className="mb-3 text-sm">
          On {list.data.required.target}, a rollback starts only when another admin approves it, within {list.data.required.expiresMinutes} minutes of the request.
        </p>
      )}
      {waiting.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No rollback is waiting.</p>
      ) : (
        <ul className="flex flex-col gap-3">
          {waiting.map((a) => {
            const own = a.requestedBy === me;
            const why = own ? 'Another admin must decide on your own request.' : !mayApprove ? 'Only an admin can approve or refuse.' : null;
            return (
              <li key={a.id} className="rounded border border-slate-300 p-3 text-sm dark:border-slate-700" data-testid="approval">
                <p>
                  <strong>{a.requestedBy}</strong> asks to roll back batch {a.batch} ({a.names.join(', ')}), requested <Time iso={a.requestedAt} />, expires <Time iso={a.expiresAt} />.
                </p>
                <div className="mt-2 flex flex-wrap items-center gap-3">
                  <Button tone="danger" disabled={!!why || decide.isPending} onClick={() => decide.mutate({ id: a.id, decision: 'approve' })}>
                    Approve and roll back batch {a.batch}
                  </Button>
                  <Button disabled={!!why || decide.isPending} onClick={() => decide.mutate({ id: a.id, decision: 'refuse' })}>
                    Refuse
                  </Button>
                  {why && <span className="text-slate-600 dark:text-slate-400">{why}</span>}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {decide.isError && <ErrorText>{decide.error.message}</ErrorText>}
    </Card>
  );
}
