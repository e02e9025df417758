import 'server-only';
// "A second admin's approval" for rollbacks on a target whose entry in the targets file asks for
// it (`rollbackApproval`): Rollback batch records a request instead of running; another admin
// approves it (or refuses it) before it expires, and the approval starts the run, as the requester,
// with the approval in the run record. Nobody decides their own request. Every step is audited.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/errors';
import { recordAudit } from '../auth/audit';
import type { StrataConfig } from '../config';
import type { Db } from '../db/knex';
import type { Actor } from '../schemas/auth';
import type { RollbackApproval } from '../schemas/targets';
import { requireBackup, type BackupClaim } from '../targets/backup';
import type { Target } from '../targets/registry';
import { activeTarget } from '../targets/scope';
import { currentWork } from './plan';
import { startRun, PlanChangedError, type StartedRun } from './runner';

const TABLE = 'strata.rollback_approvals';

type Row = {
  id: string;
  migrations_table: string;
  target_name: string | null;
  batch: number;
  names: string[];
  undoes_run: string | null;
  backup: BackupClaim | null;
  requested_by_id: string;
  requested_by_label: string;
  requested_role: string | null;
  requested_at: Date;
  expires_at: Date;
  status: RollbackApproval['status'];
  decided_by_label: string | null;
  decided_at: Date | null;
  run_id: string | null;
};

function toApproval(r: Row, now = Date.now()): RollbackApproval {
  return {
    id: r.id,
    target: r.target_name,
    batch: r.batch,
    names: r.names,
    undoesRun: r.undoes_run,
    requestedBy: r.requested_by_label,
    requestedRole: r.requested_role,
    requestedAt: r.requested_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    status: r.status === 'pending' && r.expires_at.getTime() <= now ? 'expired' : r.status,
    decidedBy: r.decided_by_label,
    decidedAt: r.decided_at?.toISOString() ?? null,
    runId: r.run_id,
  };
}

/** The current target's rule, when it asks for an approval of rollbacks. */
export function approvalRule(): { target: Target; expiresMinutes: number } | null {
  const t = activeTarget();
  return t?.rollbackApproval ? { target: t, expiresMinutes: t.rollbackApproval.expiresMinutes } : null;
}

export type RollbackAsk = { batch: number; undoesRun?: string; backup?: BackupClaim };

/** Records a request to roll back `batch` (which must be the last one); 409 when one is already waiting. */
export async function requestRollback(db: Db, config: StrataConfig, actor: Actor, ask: RollbackAsk, meta: { requestId: string; ip: string }): Promise<RollbackApproval> {
  const rule = approvalRule();
  if (!rule) throw new ApiError('conflict', 'This target does not ask for approval of rollbacks.');
  const work = await currentWork(db.knex, config, 'down');
  if (work.batch === null) throw new ApiError('conflict', 'Nothing is applied, so there is no batch to roll back.');
  if (work.batch !== ask.batch) throw new PlanChangedError(`the last batch is now ${work.batch}`);
  // The backup is checked now (so a request that cannot run is refused at once) and again when the run starts.
  await requireBackup(rule.target, ask.backup, actor.label);
  const waiting = (await db.knex(TABLE).where({ migrations_table: config.migrationsTable, status: 'pending' }).where('expires_at', '>', new Date()).first()) as Row | undefined;
  if (waiting) {
    throw new ApiError('conflict', `A rollback of batch ${waiting.batch} requested by ${waiting.requested_by_label} already waits for approval (until ${waiting.expires_at.toISOString()}).`, {
      approval: toApproval(waiting),
    });
  }
  const id = randomUUID();
  const row = {
    id,
    migrations_table: config.migrationsTable,
    target_name: rule.target.name,
    batch: ask.batch,
    names: JSON.stringify(work.files.map((f) => f.name)),
    undoes_run: ask.undoesRun ?? null,
    backup: ask.backup ? JSON.stringify(ask.backup) : null,
    requested_by_id: actor.id,
    requested_by_label: actor.label,
    requested_role: actor.role,
    expires_at: new Date(Date.now() + rule.expiresMinutes * 60_000),
  };
  const approval = await db.knex.transaction(async (trx) => {
    const [inserted] = (await trx(TABLE).insert(row).returning('*')) as Row[];
    const a = toApproval(inserted!);
    await recordAudit(
      { knex: trx, target: db.target, targetName: db.targetName },
      {
        actor,
        action: 'migrations.rollback_requested',
        outcome: 'success',
        requestId: meta.requestId,
        ip: meta.ip,
        details: { approvalId: id, target: a.target, batch: a.batch, names: a.names, expiresAt: a.expiresAt },
      },
    );
    return a;
  });
  return approval;
}

export async function listApprovals(db: Db, config: StrataConfig): Promise<RollbackApproval[]> {
  const rows = (await db.knex(TABLE).where({ migrations_table: config.migrationsTable }).orderBy('requested_at', 'desc').limit(20)) as Row[];
  return rows.map((r) => toApproval(r));
}

/**
 * Another admin approves (the run starts, as the requester) or refuses a waiting request. 404 for
 * no such request; 403 for one's own; 409 when it was decided already or has expired, or when the
 * run cannot start (the request then stays waiting).
 */
export async function decideRollback(
  db: Db,
  config: StrataConfig,
  actor: Actor,
  id: string,
  decision: 'approve' | 'refuse',
  meta: { requestId: string; ip: string },
): Promise<{ approval: RollbackApproval; started: StartedRun | null }> {
  const row = (await db.knex(TABLE).where({ id, migrations_table: config.migrationsTable }).first()) as Row | undefined;
  if (!row) throw new ApiError('not_found', 'No such rollback request');
  const audit = (action: string, outcome: 'success' | 'denied', extra: Record<string, unknown> = {}) =>
    recordAudit(db, { actor, action, outcome, requestId: meta.requestId, ip: meta.ip, details: { approvalId: id, batch: row.batch, requestedBy: row.requested_by_label, ...extra } });
  if (row.requested_by_id === actor.id) {
    throw new ApiError('forbidden', `Nobody approves or refuses their own request: another admin must decide on this rollback of batch ${row.batch}.`);
  }
  const now = toApproval(row);
  if (now.status !== 'pending') {
    throw new ApiError('conflict', now.status === 'expired' ? `This request expired at ${now.expiresAt}; request the rollback again.` : `This request was ${now.status} already by ${now.decidedBy ?? '?'} at ${now.decidedAt ?? '?'}.`, {
      approval: now,
    });
  }
  // Decided once: the update takes only a request that is still waiting and not expired.
  const status = decision === 'approve' ? 'approved' : 'refused';
  const [claimed] = (await db
    .knex(TABLE)
    .where({ id, status: 'pending' })
    .where('expires_at', '>', new Date())
    .update({ status, decided_by_label: actor.label, decided_at: new Date() })
    .returning('*')) as Row[];
  if (!claimed) {
    const again = toApproval((await db.knex(TABLE).where({ id }).first()) as Row);
    throw new ApiError('conflict', again.status === 'expired' ? `This request expired at ${again.expiresAt}; request the rollback again.` : `This request was ${again.status} already by ${again.decidedBy ?? '?'}.`, { approval: again });
  }
  if (decision === 'refuse') {
    await audit('migrations.rollback_refused', 'success');
    return { approval: toApproval(claimed), started: null };
  }
  const requester = { kind: 'user' as const, id: row.requested_by_id, label: row.requested_by_label, role: (row.requested_role ?? 'operator') as Actor['role'] };
  let started: StartedRun;
  try {
    started = await startRun(
      db,
      config,
      requester,
      {
        kind: 'rollback',
        batch: row.batch,
        undoesRun: row.undoes_run ?? undefined,
        backup: row.backup ?? undefined,
        approval: { id, requestedBy: row.requested_by_label, approvedBy: actor.label, approvedAt: claimed.decided_at!.toISOString() },
      },
      meta,
    );
  } catch (err) {
    // The run could not start (the batch moved on, the lock is held, the backup is too old now): the request waits again.
    await db.knex(TABLE).where({ id, status: 'approved', run_id: null }).update({ status: 'pending', decided_by_label: null, decided_at: null });
    throw err;
  }
  const [done] = (await db.knex(TABLE).where({ id }).update({ run_id: started.id }).returning('*')) as Row[];
  await audit('migrations.rollback_approved', 'success', { runId: started.id });
  return { approval: toApproval(done!), started };
}

