// Shapes shared by the auth route handlers and the pages that call them (no server imports).
import { z } from 'zod';
import { ROLES, type Role } from './auth-plain';

export * from './auth-plain';

export const roleSchema = z.enum(ROLES);

const email = z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address' }));
// Long enough to resist guessing; better-auth caps passwords at 128 characters.
export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(128, 'must be at most 128 characters');

export const signInBodySchema = z.strictObject({
  email,
  password: z.string().min(1, 'is required').max(128, 'must be at most 128 characters'),
});

/** The sign-in page's form, posted by the browser itself when its scripts have not loaded. */
export const signInFormSchema = signInBodySchema.extend({ next: z.string().max(2048).optional() });


/** Why a form sign-in failed, as the sign-in page is told in `?failed=`. */
export const SIGN_IN_FAILURES: Record<string, string> = {
  unauthorized: 'Wrong email or password, or the account is disabled',
  too_many_requests: 'Too many failed sign-ins; try again later',
  bad_request: 'Enter your email and a password of at most 128 characters',
};

export const createUserBodySchema = z.strictObject({
  email,
  name: z.string().trim().min(1, 'is required').max(200),
  role: roleSchema,
  // Omitted: a random password is generated and returned once.
  password: passwordSchema.optional(),
});

/** A target's name, as the targets file spells it (lib/targets/config.ts). */
const targetName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'is not a target name');

export const updateUserBodySchema = z
  .strictObject({
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    /** The user's role on each named target; null gives them their own role there again. */
    targetRoles: z.record(targetName, roleSchema.nullable()).optional(),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined || (b.targetRoles !== undefined && Object.keys(b.targetRoles).length > 0), {
    message: 'give role, disabled or targetRoles',
  });

/** An admin's password reset takes no parameters: Strata generates the new password. The body is `{}`. */
export const resetPasswordBodySchema = z.strictObject({});

/** A signed-in user's own password change: the current one, and a new one by the rules of creation. */
export const changePasswordBodySchema = z
  .strictObject({
    currentPassword: z.string().min(1, 'is required').max(128, 'must be at most 128 characters'),
    newPassword: passwordSchema,
  })
  .refine((b) => b.newPassword !== b.currentPassword, { path: ['newPassword'], message: 'must differ from the current password' });

export const createTokenBodySchema = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100),
  role: roleSchema,
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  /** The targets it may act on; omitted: every target. */
  targets: z.array(targetName).min(1, 'name at least one target, or leave it out for every target').max(20).optional(),
});

export const idParamSchema = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a valid id') });
export const tokenIdParamSchema = z.strictObject({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'is not a valid token id') });

export const auditQuerySchema = z.strictObject({
  actor: z.string().trim().min(1).max(200).optional(),
  action: z.string().trim().regex(/^[a-z_.]{1,64}$/, 'is not an action name').optional(),
  /** The rows of one migration run (its start, outcome and anything refused about it). */
  runId: z.uuid('is not a run id').optional(),
  // The id of the last event on the previous page: events older than it come next.
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Resuming the copy of a target's audit rows into the home trail: the target's name. */
export const auditForwardingBodySchema = z.strictObject({
  resume: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'is not a target name'),
});

/** Verifying the audit chain takes no parameters; the body is `{}`. */
export const auditVerifyBodySchema = z.strictObject({});

export type ChainReportView = {
  ok: boolean;
  rows: number;
  head: { seq: number; hash: string };
  problem: { kind: string; seq: number; id: string | null; message: string } | null;
  ms: number;
};

export type Actor = {
  kind: 'user' | 'token';
  id: string;
  /** The user's email or the token's name. */
  label: string;
  role: Role;
};

export type UserRow = {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  activeSessions: number;
  /** When their password was last set (created, reset or changed); null for a user who signs in only with SSO. */
  passwordChangedAt: string | null;
  /** The roles that differ from `role` on a target of the targets file: target name → role there. */
  targetRoles: Record<string, Role>;
};

export type TokenRow = {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
  /** Why the token does not work although neither revoked nor expired (its maker was disabled or demoted). */
  suspended: string | null;
  /** The targets it may act on; null: every target. */
  targets: string[] | null;
};

export type AuditEvent = {
  id: string;
  at: string;
  actorType: string;
  actorLabel: string;
  role: string | null;
  action: string;
  outcome: string;
  targetDatabase: string;
  /** The target of the targets file the row is about, when it names one. */
  target: string | null;
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

/**
 * Where to go after signing in: a path on this site only, never another origin. It ends up in a
 * Location header, which carries ASCII only, so anything else is percent-encoded (UTF-8).
 */
export function safeNextPath(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string' || v.length > 2048 || !/^\/(?![/\\])[^\s]*$/.test(v) || v.startsWith('/sign-in')) return '/';
  try {
    return v.replace(/[^\x21-\x7e]+/gu, (run) => encodeURIComponent(run));
  } catch {
    // A lone surrogate has no UTF-8 form.
    return '/';
  }
}

