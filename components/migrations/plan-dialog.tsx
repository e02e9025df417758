'use client';
// The confirmation for Run pending and Rollback batch: the plan first (a dry run), then one
// explicit button that sends back exactly what the operator saw.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { apiFetch, ApiClientError } from '@/components/api-client';
import { Button, ErrorText } from '@/components/ui/controls';
import type { Plan, RunSummary } from '@/lib/schemas/migrations';
import { PlanView } from './plan-view';

/** "Roll back what this run applied": the run, its batch and the migrations it left applied. */
export type UndoRequest = { runId: string; batch: number; names: string[] };

export function PlanDialog({
  direction,
  undo,
  onStarted,
  onClose,
}: {
  direction: 'up' | 'down';
  undo?: UndoRequest;
  onStarted: (run: RunSummary) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useMutation({
    mutationFn: () => apiFetch<{ plan: Plan }>('/api/migrations/plan', { method: 'POST', body: { direction } }),
    onSuccess: (r) => setPlan(r.plan),
  });
  const confirm = useMutation({
    mutationFn: (p: Plan) =>
      direction === 'up'
        ? apiFetch<{ run: RunSummary }>('/api/migrations/latest', { method: 'POST', body: p.confirm })
        : apiFetch<{ run: RunSummary }>('/api/migrations/rollback', { method: 'POST', body: undo ? { ...p.confirm, run: undo.runId } : p.confirm }),
    onSuccess: (r) => onStarted(r.run),
    onError: (err) => {
      // The database moved on since the plan: show the new one instead.
      const next = err instanceof ApiClientError && err.status === 409 ? (err.details as { plan?: Plan } | undefined)?.plan : undefined;
      if (next) {
        setPlan(next);
        setNotice(`${err.message} The plan below is the current one.`);
      }
    },
  });
  useEffect(() => {
    ref.current?.showModal();
    load.mutate();
    // Once, when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const n = plan?.migrations.length ?? 0;
  const verb = direction === 'up' ? `Run ${n} migration${n === 1 ? '' : 's'}` : `Roll back batch ${plan?.batch ?? ''}`;
  const title =
    direction === 'up' ? 'Run pending migrations' : undo ? `Roll back what run ${undo.runId.slice(0, 8)} applied (batch ${undo.batch})` : `Roll back batch ${plan?.batch ?? ''}`;
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby="plan-title"
      className="m-auto max-h-[90vh] w-[min(56rem,95vw)] overflow-auto rounded-lg border border-slate-300 bg-white p-6 text-slate-900 backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id="plan-title" className="mb-1 text-xl font-bold">
        {title}
      </h2>
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
        The plan below comes from a dry run: the migrations really ran inside a transaction that was rolled back, so nothing has changed yet.
      </p>
      {undo && (
        <p className="mb-3 text-sm">
          This reverts the {undo.names.length} migration{undo.names.length === 1 ? '' : 's'} that run left applied ({undo.names.join(', ')}), with their down() in reverse
          order. Strata refuses to start if batch {undo.batch} holds anything else by then.
        </p>
      )}
      {load.isPending && <p role="status">Making the plan (dry run)…</p>}
      {load.isError && <ErrorText>Could not make the plan: {load.error.message}</ErrorText>}
      {notice && (
        <p role="alert" className="mb-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          {notice}
        </p>
      )}
      {plan && plan.migrations.length === 0 && <p>{direction === 'up' ? 'Nothing is pending.' : 'No batch is applied.'}</p>}
      {plan && plan.migrations.length > 0 && <PlanView plan={plan} />}
      {confirm.isError && !notice && <ErrorText>{confirm.error.message}</ErrorText>}
      <div className="mt-6 flex gap-3">
        {plan && plan.confirm && (
          <Button
            tone={direction === 'up' ? 'primary' : 'danger'}
            disabled={confirm.isPending || !!plan.error}
            onClick={() => {
              setNotice(null);
              confirm.mutate(plan);
            }}
          >
            {confirm.isPending ? 'Starting…' : verb}
          </Button>
        )}
        <Button onClick={() => ref.current?.close()}>Cancel</Button>
      </div>
      {plan?.error && <p className="mt-2 text-sm">Fix the failing migration first: the run would fail the same way.</p>}
    </dialog>
  );
}
