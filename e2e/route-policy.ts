// What every API route allows: who may call it, and the status an allowed caller gets for the
// canned request. Shared by the route × caller matrix and its target axis (route-matrix*.spec.ts).
import type { Role } from './helpers';

export type Access = 'public' | Role;
export type Policy = {
  access: Access;
  /** The status an allowed caller gets for the canned request (an empty JSON body for changes). */
  ok: number;
  /** The same for a caller with an API token, when it differs (sign-out has no session to end). */
  okWithToken?: number;
  /** A concrete path for a dynamic route. */
  sample?: string;
  /** The request ends the session it uses, so each one gets a session of its own. */
  consumesSession?: boolean;
  /** The status of a cookie request from another origin, when not the usual one. */
  crossOrigin?: number;
  /**
   * The route manages the dashboard itself (users, tokens, one's own account and session): judged
   * by the caller's own role whatever `?target=` names, and a token's scope does not apply.
   */
  home?: boolean;
};

export const POLICY: Record<string, Policy> = {
  'GET /api/health': { access: 'public', ok: 200 },
  'POST /api/auth/sign-in': { access: 'public', ok: 400, crossOrigin: 403 },
  'POST /api/auth/sign-out': { access: 'viewer', ok: 200, okWithToken: 400, consumesSession: true, home: true },
  'GET /api/auth/session': { access: 'viewer', ok: 200, home: true },
  // better-auth's own endpoints: only the OIDC redirect and callback, and only with OIDC configured.
  'GET /api/auth/[...all]': { access: 'public', ok: 404, sample: '/api/auth/no-such-endpoint', crossOrigin: 404 },
  'POST /api/auth/[...all]': { access: 'public', ok: 404, sample: '/api/auth/no-such-endpoint', crossOrigin: 404 },
  'GET /api/users': { access: 'admin', ok: 200, home: true },
  'POST /api/users': { access: 'admin', ok: 400, home: true },
  'PATCH /api/users/[id]': { access: 'admin', ok: 400, sample: '/api/users/no-such-user', home: true },
  'POST /api/users/[id]/password-reset': { access: 'admin', ok: 404, sample: '/api/users/no-such-user/password-reset', home: true },
  // A user's own password: the canned `{}` lacks both passwords; a token has none to change.
  'POST /api/account/password': { access: 'viewer', ok: 400, home: true },
  'GET /api/tokens': { access: 'admin', ok: 200, home: true },
  'POST /api/tokens': { access: 'admin', ok: 400, home: true },
  'DELETE /api/tokens/[id]': { access: 'admin', ok: 404, sample: '/api/tokens/999999999', home: true },
  'GET /api/audit': { access: 'admin', ok: 200 },
  'POST /api/audit/verify': { access: 'admin', ok: 200 },
  // The canned `{}` names no target to resume.
  'POST /api/audit/forwarding': { access: 'admin', ok: 400, home: true },
  // Any other path under /api: a JSON 404 for every method and caller.
  ...Object.fromEntries(
    ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => [`${m} /api/[...path]`, { access: 'public' as const, ok: 404, sample: '/api/no-such-endpoint', crossOrigin: 404 }]),
  ),
  'GET /api/migrations': { access: 'viewer', ok: 200 },
  'POST /api/migrations/plan': { access: 'operator', ok: 400 },
  'POST /api/migrations/latest': { access: 'operator', ok: 400 },
  'POST /api/migrations/rollback': { access: 'operator', ok: 400 },
  'POST /api/migrations/lock/release': { access: 'admin', ok: 400 },
  'POST /api/migrations/lock/terminate': { access: 'admin', ok: 400 },
  // The drift check replays the applied migrations (none here) on a shadow; verify needs a scope.
  'GET /api/migrations/drift': { access: 'viewer', ok: 200 },
  'POST /api/migrations/verify': { access: 'operator', ok: 400 },
  'GET /api/migrations/runs': { access: 'viewer', ok: 200 },
  'GET /api/migrations/approvals': { access: 'viewer', ok: 200 },
  'POST /api/migrations/approvals/[id]': { access: 'admin', ok: 400, sample: '/api/migrations/approvals/00000000-0000-4000-8000-000000000000' },
  'GET /api/migrations/runs/[id]': { access: 'viewer', ok: 404, sample: '/api/migrations/runs/00000000-0000-4000-8000-000000000000' },
  // Live progress of a run or a job: no such run here (a stream opens only for one that exists).
  'GET /api/live': { access: 'viewer', ok: 404, sample: '/api/live?run=00000000-0000-4000-8000-000000000000' },
  // Without a targets file: one target, this dashboard's database.
  'GET /api/targets': { access: 'viewer', ok: 200 },
  'GET /api/targets/matrix': { access: 'viewer', ok: 200 },
  // Two target names are required; without them, 400 naming the fields.
  'GET /api/targets/compare': { access: 'viewer', ok: 400 },
  'GET /api/vector-health': { access: 'viewer', ok: 200 },
  'GET /api/vector-health/builds': { access: 'viewer', ok: 200 },
  'GET /api/vector-health/jobs': { access: 'viewer', ok: 200 },
  'GET /api/vector-health/jobs/[id]': { access: 'viewer', ok: 404, sample: '/api/vector-health/jobs/no-such-job' },
  // Read-only background jobs: a recall run needs an index; exact counts start (or join) one job.
  'POST /api/vector-health/recall': { access: 'viewer', ok: 400 },
  'POST /api/vector-health/exact-counts': { access: 'viewer', ok: 202 },
  'POST /api/vector-health/reindex': { access: 'operator', ok: 400 },
  // The guide's tables are not migrated in this spec's database (evaluations.spec.ts rolls its
  // own back), so the evaluation endpoints answer 404 naming the missing table.
  'GET /api/evaluations': { access: 'viewer', ok: 404 },
  'GET /api/evaluations/[id]': { access: 'viewer', ok: 404, sample: '/api/evaluations/999999999' },
  'GET /api/evaluations/count': { access: 'viewer', ok: 404 },
  'GET /api/evaluations/distributions': { access: 'viewer', ok: 404 },
  'GET /api/evaluations/export': { access: 'viewer', ok: 404 },
  'GET /api/evaluations/forums': { access: 'viewer', ok: 404 },
};

