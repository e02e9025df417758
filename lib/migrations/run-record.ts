import 'server-only';
// A run's final record and its audit row, written together in one transaction (so the audit trail
// and the history cannot disagree), and retried while the database cannot be reached: a run
// whose database went away records its outcome when the database is back.
import type { Knex } from 'knex';
import { recordAudit, type AuditActor, type AuditDb } from '../auth/audit';
import { retryWhileUnreachable } from '../db/connection-errors';
import { log } from '../log';
import type { RunSummary } from '../schemas/migrations';
import { describeRun } from '../schemas/run-outcome';
import { RUNS } from './runs';

export type RunMeta = { requestId?: string | null; ip?: string | null };

function rowUpdate(run: RunSummary, knex: Knex, statements?: Record<string, string[]>): Record<string, unknown> {
  return {
    ...(statements ? { statements: JSON.stringify(statements) } : {}),
    status: run.status,
    finished_at: run.finishedAt ?? knex.fn.now(),
    duration_ms: run.durationMs,
    batch: run.batch,
    atomic: run.atomic,
    migrations: JSON.stringify(run.migrations),
    current_migration: null,
    error: run.error ? JSON.stringify(run.error) : null,
    aftermath: run.aftermath ? JSON.stringify(run.aftermath) : null,
  };
}

export function auditDetails(run: RunSummary): Record<string, unknown> {
  return {
    runId: run.id,
    batch: run.batch,
    atomic: run.atomic,
    outcome: describeRun(run).headline,
    migrations: run.migrations.map((m) => ({ name: m.name, status: m.status, ms: m.ms })),
    ms: run.durationMs,
    ...(run.undoesRun ? { undoesRun: run.undoesRun } : {}),
    ...(run.target ? { target: run.target } : {}),
    ...(run.backup ? { backup: run.backup } : {}),
    ...(run.approval ? { approval: run.approval } : {}),
    ...(run.promotion ? { promotion: { verdicts: run.promotion.check.applies ? run.promotion.check.verdicts.map((v) => ({ name: v.name, verdict: v.verdict })) : [], override: run.promotion.override } } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
}

/**
 * Writes the finished run and its audit row; resolves once both are in the database.
 * `onlyIfRunning`: only while the record still says 'running' (another process may have recorded
 * it meanwhile); false when true.
 */
export async function writeFinishedRun(
  db: AuditDb,
  run: RunSummary,
  actor: AuditActor,
  meta: RunMeta,
  options: { delayMs?: number; onlyIfRunning?: boolean; statements?: Record<string, string[]> } = {},
): Promise<boolean> {
  return retryWhileUnreachable(
    () =>
      db.knex.transaction(async (trx) => {
        const updated = await trx(RUNS)
          .where(options.onlyIfRunning ? { id: run.id, status: 'running' } : { id: run.id })
          .update(rowUpdate(run, trx, options.statements));
        if (!updated) return false;
        await recordAudit(
          { knex: trx, target: db.target, targetName: db.targetName },
          {
            actor,
            action: run.kind === 'rollback' ? 'migrations.rollback' : 'migrations.latest',
            outcome: run.status === 'succeeded' ? 'success' : 'failure',
            requestId: meta.requestId ?? undefined,
            ip: meta.ip,
            details: auditDetails(run),
          },
        );
        return true;
      }),
    {
      label: 'run record',
      delayMs: options.delayMs,
      onRetry: (err, attempt, next) => log.warn({ err, runId: run.id, attempt, nextMs: next }, 'the database cannot be reached; the run record and its audit row wait for it'),
    },
  );
}
