// The values of lib/schemas/auth.ts that pages use in the browser, without zod: a client
// component that imports the schema module carries zod whole (about 31 kB gzip), since its
// schemas are built when the module loads. auth.ts re-exports everything here.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_SUMMARY: Record<Role, string> = {
  viewer: 'reads every page',
  operator: 'also dry-runs, runs pending migrations, rolls back a batch and rebuilds vector indexes',
  admin: 'also releases a migration lock and manages users and tokens',
};

/** What a throttled sign-in is told: how long to wait, when that is known. */
export function throttledMessage(retryAfterSeconds: number | null): string {
  if (!retryAfterSeconds || retryAfterSeconds <= 0) return 'Too many failed sign-ins; try again later';
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait =
    retryAfterSeconds < 60 ? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `Too many failed sign-ins; try again in ${wait}`;
}

/** The actions the audit trail records, for the filter menu. */
export const AUDIT_ACTIONS = [
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.sign_in_throttled',
  'auth.sign_out',
  'user.create',
  'user.update',
  'user.password_reset',
  'user.password_change',
  'token.create',
  'token.revoke',
  'access.denied',
  'request.refused',
  'audit.refusals_suppressed',
  'audit.verify',
  'audit.copy_resumed',
  'migrations.latest',
  'migrations.rollback',
  'migrations.rollback_requested',
  'migrations.rollback_approved',
  'migrations.rollback_refused',
  'migrations.lock_release',
  'migrations.terminate_backend',
  'vector.reindex',
] as const;
