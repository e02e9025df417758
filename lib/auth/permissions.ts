// What each role may do. Every route handler names one of these predicates when it authorizes
// (lib/auth/guard.ts), and pages use the same ones to enable or explain their buttons.
import type { Role } from '../schemas/auth';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export type Permission = ((role: Role) => boolean) & { description: string };

function atLeast(min: Role, description: string): Permission {
  return Object.assign((role: Role) => RANK[role] >= RANK[min], { description });
}

/** Read every page and every read-only API. */
export const mayView = atLeast('viewer', 'view Strata');
/** Ask for a migration plan (a dry run that is always rolled back). */
export const mayDryRun = atLeast('operator', 'dry-run migrations');
export const mayRunMigrations = atLeast('operator', 'run pending migrations');
export const mayRollback = atLeast('operator', 'roll back a batch');
/** Rebuild an ivfflat or HNSW index (REINDEX), from the vector health page. */
export const mayReindex = atLeast('operator', 'rebuild vector indexes');
export const mayReleaseLock = atLeast('admin', 'release a migration lock');
/** Approve or refuse another user's rollback on a target that asks for a second admin. */
export const mayApproveRollback = atLeast('admin', 'approve a rollback');
/** End a database session that could hold knex's lock (pg_terminate_backend). */
export const mayTerminateSession = atLeast('admin', 'end a database session');
export const mayManageUsers = atLeast('admin', 'manage users');
export const mayManageTokens = atLeast('admin', 'manage API tokens');
export const mayReadAudit = atLeast('admin', 'read the audit trail');
/** Go on copying a target's audit rows home after its trail was reported rewritten. */
export const mayResumeAuditCopy = atLeast('admin', "resume copying a target's audit trail");
