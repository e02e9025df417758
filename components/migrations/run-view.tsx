'use client';
// What a run says about itself, for the run panel and the run page: the outcome first (what
// stayed applied, whether the database is as it was), then progress while it runs, then each
// migration with what became of it. The sentences come from lib/schemas/run-outcome.ts, which the
// API and the audit trail use too.
import type { RunDetail, RunMigration } from '@/lib/schemas/migrations';
import { describeRun, outcomeLabel, type RunTone } from '@/lib/schemas/run-outcome';
import { duration, RUN_STYLE } from './format';

const TONE: Record<RunTone, string> = {
  ok: 'border-emerald-300 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100',
  info: 'border-sky-300 bg-sky-50 text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100',
  warn: 'border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100',
  bad: 'border-red-300 bg-red-50 text-red-950 dark:border-red-700 dark:bg-red-950 dark:text-red-100',
};

const OUTCOME_STYLE: Record<RunMigration['status'], string> = {
  pending: 'text-slate-600 dark:text-slate-400',
  running: 'text-sky-800 dark:text-sky-300',
  done: 'text-sky-800 dark:text-sky-300',
  committed: 'text-emerald-800 dark:text-emerald-300',
  unrecorded: 'text-amber-800 dark:text-amber-300',
  rolled_back: 'text-slate-700 dark:text-slate-300',
  partial: 'text-red-800 dark:text-red-300',
  not_started: 'text-slate-600 dark:text-slate-400',
};

export const STATUS_WORD = { running: 'Running', succeeded: 'Succeeded', failed: 'Failed', interrupted: 'Interrupted' } as const;

const fmt = (n: number) => n.toLocaleString('en-US');

/** Time since `startedAt`, for what is still running. */
export function soFar(startedAt: string | null, now: number): string {
  return startedAt ? `${duration(Math.max(0, now - Date.parse(startedAt)))} so far` : '—';
}

export function RunView({ run, now, full = false }: { run: RunDetail; now: number; full?: boolean }) {
  const said = describeRun(run);
  const running = run.status === 'running';
  const unknownDuration = run.status === 'interrupted' && run.durationMs === null;
  return (
    <div className="flex flex-col gap-3 text-sm">
      <p>
        <span className={`font-semibold ${RUN_STYLE[run.status]}`} data-testid="run-status">
          {STATUS_WORD[run.status]}
        </span>{' '}
        · <span data-testid="run-duration">{unknownDuration ? 'duration unknown (the process stopped)' : running ? soFar(run.startedAt, now) : duration(run.durationMs)}</span> · by{' '}
        {run.actorLabel}
        {run.atomic !== null && (
          <span data-testid="run-atomic">
            {' '}
            · {run.atomic ? 'one transaction (all or nothing)' : 'not one transaction (each migration commits on its own)'}
          </span>
        )}
      </p>
      <div role={said.tone === 'bad' ? 'alert' : 'status'} aria-live="polite" className={`rounded border p-3 ${TONE[said.tone]}`} data-testid="run-outcome">
        <p className="font-semibold" data-testid="run-headline">
          {said.headline}
        </p>
        {said.details.map((d) => (
          <p key={d} className="mt-1">
            {d}
          </p>
        ))}
      </div>
      {running && run.progress && (
        <div data-testid="run-progress">
          <p>
            Index build on <code className="font-mono">{run.progress.relation ?? 'a table'}</code>: {run.progress.phase}
            {run.progress.blocksTotal ? ` · ${fmt(run.progress.blocksDone ?? 0)} of ${fmt(run.progress.blocksTotal)} blocks` : ''}
            {run.progress.percent !== null ? ` (${run.progress.percent}%)` : ''}
          </p>
          <progress className="w-full" max={100} value={run.progress.percent ?? undefined} aria-label="Index build progress" />
        </div>
      )}
      {run.migrations.length > 0 && (
        <ol className="flex flex-col gap-1" data-testid="run-migrations">
          {run.migrations.map((m, i) => (
            <li key={m.name} data-testid="run-migration">
              <span className="tabular-nums text-slate-600 dark:text-slate-400">{i + 1}. </span>
              <code className="break-all font-mono">{m.name}</code>
              {!m.transaction && <span className="text-slate-600 dark:text-slate-400"> (outside a transaction)</span>} —{' '}
              <span className={`font-medium ${OUTCOME_STYLE[m.status]}`} data-testid="run-migration-outcome">
                {outcomeLabel(m.status, run.kind)}
              </span>
              {m.ms !== null && <span className="tabular-nums"> · {duration(m.ms)}</span>}
              {m.status === 'running' && <span className="tabular-nums"> · {soFar(m.startedAt, now)}</span>}
              {full && m.backendPid !== null && <span className="text-slate-600 dark:text-slate-400"> · session {m.backendPid}</span>}
              {full && run.statements?.[m.name] && run.statements[m.name]!.length > 0 && (
                <details className="mt-1">
                  <summary className="cursor-pointer">
                    {run.statements[m.name]!.length} SQL statement{run.statements[m.name]!.length === 1 ? '' : 's'}
                  </summary>
                  <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
                    {run.statements[m.name]!.join(';\n\n')};
                  </pre>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
      {run.error && (
        <div className="rounded border border-slate-300 p-3 dark:border-slate-700" data-testid="run-error">
          <p className="font-semibold">{run.error.migration ? `Error in ${run.error.migration}` : 'Error'}</p>
          <p className="mt-1 whitespace-pre-wrap break-words">{run.error.message}</p>
          {run.error.statement && (
            <pre tabIndex={0} className="mt-2 max-h-48 overflow-auto whitespace-pre-wrap break-all font-mono text-xs">
              {run.error.statement}
            </pre>
          )}
        </div>
      )}
    </div>
  );
}
