import 'server-only';
// The append-only audit trail (strata.audit_events; UPDATE and DELETE are refused by a trigger).
import type { Knex } from 'knex';
import type { DbTarget } from '../db/target';
import { describeTarget } from '../db/target';
import type { Actor, AuditEvent } from '../schemas/auth';

export type AuditActor =
  | Actor
  | { kind: 'anonymous' | 'cli' | 'system'; id?: string; label: string; role?: string };

export type AuditEntry = {
  actor: AuditActor;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  requestId?: string;
  ip?: string | null;
  details?: Record<string, unknown>;
};

export type AuditDb = { knex: Knex; target: DbTarget; targetName?: string };

export function targetLabel(target: DbTarget): string {
  const t = describeTarget(target);
  return `${t.host}/${t.database}`;
}

export async function recordAudit(db: AuditDb, entry: AuditEntry): Promise<void> {
  await db.knex('strata.audit_events').insert({
    actor_type: entry.actor.kind,
    actor_id: entry.actor.id ?? null,
    actor_label: entry.actor.label,
    role: entry.actor.role ?? null,
    action: entry.action,
    outcome: entry.outcome,
    target_database: targetLabel(db.target),
    request_id: entry.requestId ?? null,
    ip: entry.ip ?? null,
    // The target of the targets file the row is about: the trail of the home database gathers several.
    details: JSON.stringify({ ...(db.targetName ? { target: db.targetName } : {}), ...(entry.details ?? {}) }),
  });
}

/** A row of strata.audit_events as the list reads it. */
export type AuditRow = {
  id: string;
  at: Date;
  actor_type: string;
  actor_label: string;
  role: string | null;
  action: string;
  outcome: string;
  target_database: string;
  request_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

/** Newest first, keyset-paged by id; filters match the actor's label and the action exactly. */
export async function listAudit(
  knex: Knex,
  q: { actor?: string; action?: string; runId?: string; before?: number; limit: number },
): Promise<{ events: AuditEvent[]; nextBefore: string | null }> {
  const query = knex<AuditRow>('strata.audit_events').orderBy('id', 'desc').limit(q.limit + 1);
  if (q.actor) query.where('actor_label', q.actor);
  if (q.action) query.where('action', q.action);
  if (q.runId) query.whereRaw(`details->>'runId' = ?`, [q.runId]);
  if (q.before) query.where('id', '<', q.before);
  const rows = (await query) as AuditRow[];
  const page = rows.slice(0, q.limit);
  return {
    events: page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actorType: r.actor_type,
      actorLabel: r.actor_label,
      role: r.role,
      action: r.action,
      outcome: r.outcome,
      targetDatabase: r.target_database,
      target: typeof r.details?.target === 'string' ? r.details.target : null,
      requestId: r.request_id,
      ip: r.ip,
      details: r.details,
    })),
    nextBefore: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
  };
}
