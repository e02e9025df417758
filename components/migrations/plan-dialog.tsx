'use client';
// The confirmation for Run pending and Rollback batch: the plan first (previews on the live
// database and on a shadow), then one explicit button that sends back exactly what the operator
// saw; when the plan could not preview everything, the operator first says they read that.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { apiFetch, ApiClientError } from '@/components/api-client';
import { Button, ErrorText } from '@/components/ui/controls';
import type { Plan, RunSummary } from '@/lib/schemas/migrations';
import type { RollbackApproval } from '@/lib/schemas/targets';
import { frictionOf } from './friction';
import { planIsIncomplete, PlanView } from './plan-view';
import { PromotionView } from './promotion-view';

const ruleRefuses = (p: Plan) => !!p.promotion?.applies && !p.promotion.allowed;

/** "Roll back what this run applied": the run, its batch and the migrations it left applied. */
export type UndoRequest = { runId: string; batch: number; names: string[] };

export function PlanDialog({
  direction,
  undo,
  mayOverride = false,
  onStarted,
  onRequested,
  onClose,
}: {
  direction: 'up' | 'down';
  undo?: UndoRequest;
  /** An admin may run on a protected target what the "staging first" rule refuses, with a reason. */
  mayOverride?: boolean;
  onStarted: (run: RunSummary) => void;
  /** On a target that needs a second admin: the rollback was requested, not started. */
  onRequested?: (approval: RollbackApproval) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [backupId, setBackupId] = useState('');
  const [backupAt, setBackupAt] = useState('');
  const load = useMutation({
    mutationFn: (exactCounts: boolean) => apiFetch<{ plan: Plan }>('/api/migrations/plan', { method: 'POST', body: { direction, ...(exactCounts ? { exactCounts } : {}) } }),
    onSuccess: (r) => {
      setPlan(r.plan);
      setAcknowledged(false);
      setTyped('');
    },
  });
  const confirm = useMutation({
    mutationFn: (p: Plan) => {
      const backup = p.backup?.how === 'confirm' ? { backup: { id: backupId.trim(), takenAt: new Date(backupAt).toISOString() } } : {};
      return direction === 'up'
        ? apiFetch<{ run?: RunSummary; approval?: RollbackApproval }>('/api/migrations/latest', { method: 'POST', body: { ...p.confirm, ...(ruleRefuses(p) ? { override: { reason: reason.trim() } } : {}), ...backup } })
        : apiFetch<{ run?: RunSummary; approval?: RollbackApproval }>('/api/migrations/rollback', { method: 'POST', body: { ...p.confirm, ...(undo ? { run: undo.runId } : {}), ...backup } });
    },
    onSuccess: (r) => (r.run ? onStarted(r.run) : r.approval && onRequested?.(r.approval)),
    onError: (err) => {
      // The database moved on since the plan: show the new one instead.
      const next = err instanceof ApiClientError && err.status === 409 ? (err.details as { plan?: Plan } | undefined)?.plan : undefined;
      if (next) {
        setPlan(next);
        setAcknowledged(false);
        setTyped('');
        setNotice(`${err.message} The plan below is the current one.`);
      }
    },
  });
  useEffect(() => {
    ref.current?.showModal();
    load.mutate(false);
    // Once, when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const n = plan?.migrations.length ?? 0;
  const incomplete = !!plan && !plan.error && planIsIncomplete(plan);
  const friction = plan ? frictionOf(plan) : { required: false as const };
  const typedOk = !friction.required || typed.trim() === friction.answer;
  const refused = !!plan && ruleRefuses(plan);
  const overrideOk = !refused || (mayOverride && reason.trim().length >= 10);
  const backupOk = !plan?.backup || (plan.backup.how === 'confirm' ? backupId.trim().length > 0 && !Number.isNaN(Date.parse(backupAt)) : !!plan.backup.check?.ok);
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
      {plan?.target && (
        // Which database this changes, in its colour: one dashboard serves several.
        <p className="mb-2 text-sm font-semibold" data-testid="plan-target">
          <span className="mr-1 inline-block h-2.5 w-2.5 rounded-full align-middle" style={{ background: plan.target.color }} aria-hidden />
          On {plan.target.label}
          {plan.target.protected ? ' (protected)' : ''}
        </p>
      )}
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
        Strata previews each migration on the live database, inside a transaction that is rolled back, where it can, and on a shadow database (a scratch database it builds from the migration
        files and throws away). Each migration below says how it was previewed.
      </p>
      {undo && (
        <p className="mb-3 text-sm">
          This reverts the {undo.names.length} migration{undo.names.length === 1 ? '' : 's'} that run left applied ({undo.names.join(', ')}), with their down() in reverse
          order. Strata refuses to start if batch {undo.batch} holds anything else by then.
        </p>
      )}
      {load.isPending && <p role="status">Making the plan: a dry run on the live database, and a run on a shadow database…</p>}
      {load.isError && <ErrorText>Could not make the plan: {load.error.message}</ErrorText>}
      {notice && (
        <p role="alert" className="mb-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          {notice}
        </p>
      )}
      {plan && plan.migrations.length === 0 && <p>{direction === 'up' ? 'Nothing is pending.' : 'No batch is applied.'}</p>}
      {plan?.promotion && <PromotionView check={plan.promotion} />}
      {plan && plan.migrations.length > 0 && <PlanView plan={plan} onCountExactly={load.isPending ? undefined : () => load.mutate(true)} />}
      {confirm.isError && !notice && <ErrorText>{confirm.error.message}</ErrorText>}
      {/* Stays in view below the warnings, however long the plan. */}
      <div className="sticky -bottom-6 -mx-6 mt-4 border-t border-slate-200 bg-white px-6 pb-6 pt-4 dark:border-slate-700 dark:bg-slate-900">
        {incomplete && (
          <label className="mb-3 flex items-start gap-2 text-sm">
            <input type="checkbox" className="mt-1" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} />
            <span>
              I have read that this plan is incomplete: it could not preview everything above, so the run may do more than it shows.
            </span>
          </label>
        )}
        {plan && friction.required && !plan.error && (
          <div className="mb-3 text-sm" data-testid="typed-confirmation">
            <p className="font-semibold text-red-800 dark:text-red-300">{friction.reason}</p>
            <label className="mt-2 flex flex-wrap items-center gap-2">
              <span>
                Type the batch number, <strong>{friction.answer}</strong>, to confirm:
              </span>
              <input
                inputMode="numeric"
                autoComplete="off"
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                className="w-24 rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
              />
            </label>
          </div>
        )}
        {refused && plan?.promotion?.applies && (
          <div className="mb-3 text-sm" data-testid="promotion-override">
            {mayOverride ? (
              <label className="flex flex-col gap-1">
                <span>
                  To run it on {plan.promotion.target.label} anyway, say why (at least 10 characters). The reason goes into the run record and the audit trail.
                </span>
                <textarea
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  rows={2}
                  className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
                />
              </label>
            ) : (
              <p>Apply these migrations on {plan.promotion.previous.label} first, or ask an admin: only an admin may override the rule, with a written reason.</p>
            )}
          </div>
        )}
        {plan?.approval && plan.migrations.length > 0 && (
          <p className="mb-3 text-sm" data-testid="approval-rule">
            {plan.target?.label ?? 'This target'} asks for a second admin: this records a request, and the rollback starts when another admin approves it, within {plan.approval.expiresMinutes} minutes.
          </p>
        )}
        {plan?.backup && plan.migrations.length > 0 && (
          <div className="mb-3 text-sm" data-testid="backup-rule">
            <p className="font-semibold">
              {plan.backup.target} requires a backup taken within the last {plan.backup.maxAgeHours} hours.
            </p>
            {plan.backup.how === 'confirm' ? (
              <div className="mt-2 flex flex-wrap gap-3">
                <label className="flex flex-col gap-1">
                  <span>Backup identifier</span>
                  <input value={backupId} onChange={(e) => setBackupId(e.target.value)} autoComplete="off" className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950" />
                </label>
                <label className="flex flex-col gap-1">
                  <span>Taken at (your time zone)</span>
                  <input type="datetime-local" value={backupAt} onChange={(e) => setBackupAt(e.target.value)} className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950" />
                </label>
              </div>
            ) : plan.backup.check?.ok ? (
              <p>
                The team&apos;s {plan.backup.how === 'command' ? 'check command' : 'check URL'} says the latest backup was taken {plan.backup.check.latestBackupAt} (checked {plan.backup.check.checkedAt}); it is checked again when the run starts.
              </p>
            ) : (
              <p className="text-red-800 dark:text-red-300">
                The team&apos;s {plan.backup.how === 'command' ? 'check command' : 'check URL'} says no: {plan.backup.check?.problem}. Take a backup, then ask for the plan again.
              </p>
            )}
          </div>
        )}
        <div className="flex gap-3">
          {plan && plan.confirm && (
            <Button
              tone={direction === 'up' ? 'primary' : 'danger'}
              disabled={confirm.isPending || !!plan.error || (incomplete && !acknowledged) || !typedOk || !overrideOk || !backupOk}
              onClick={() => {
                setNotice(null);
                confirm.mutate(plan);
              }}
            >
              {confirm.isPending ? 'Starting…' : plan.approval ? `Request approval to ${verb.toLowerCase()}` : refused ? `${verb}, overriding the rule` : verb}
            </Button>
          )}
          <Button onClick={() => ref.current?.close()}>Cancel</Button>
        </div>
        {plan?.error && (
          <p className="mt-2 text-sm">
            {plan.migrations.some((m) => m.loadError) ? 'Fix the file first: knex would not run any migration of this batch.' : 'Fix the failing migration first: the run would fail the same way.'}
          </p>
        )}
      </div>
    </dialog>
  );
}
