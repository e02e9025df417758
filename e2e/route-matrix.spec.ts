// Every API route × method × kind of caller, against the exact status each must get. The route
// list comes from the app/api tree, so a route added later without an entry here fails the test.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createHash } from 'node:crypto';
import {
  adminCookie,
  bareClient,
  createToken,
  createUser,
  discoverApiRoutes,
  discoverPages,
  fromDashboard,
  sessionCookie,
  withDatabase,
  type Role,
} from './helpers';

type Access = 'public' | Role;
type Policy = {
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
};

const POLICY: Record<string, Policy> = {
  'GET /api/health': { access: 'public', ok: 200 },
  'POST /api/auth/sign-in': { access: 'public', ok: 400, crossOrigin: 403 },
  'POST /api/auth/sign-out': { access: 'viewer', ok: 200, okWithToken: 400, consumesSession: true },
  'GET /api/auth/session': { access: 'viewer', ok: 200 },
  // better-auth's own endpoints: only the OIDC redirect and callback, and only with OIDC configured.
  'GET /api/auth/[...all]': { access: 'public', ok: 404, sample: '/api/auth/no-such-endpoint', crossOrigin: 404 },
  'POST /api/auth/[...all]': { access: 'public', ok: 404, sample: '/api/auth/no-such-endpoint', crossOrigin: 404 },
  'GET /api/users': { access: 'admin', ok: 200 },
  'POST /api/users': { access: 'admin', ok: 400 },
  'PATCH /api/users/[id]': { access: 'admin', ok: 400, sample: '/api/users/no-such-user' },
  'POST /api/users/[id]/password-reset': { access: 'admin', ok: 404, sample: '/api/users/no-such-user/password-reset' },
  // A user's own password: the canned `{}` lacks both passwords; a token has none to change.
  'POST /api/account/password': { access: 'viewer', ok: 400 },
  'GET /api/tokens': { access: 'admin', ok: 200 },
  'POST /api/tokens': { access: 'admin', ok: 400 },
  'DELETE /api/tokens/[id]': { access: 'admin', ok: 404, sample: '/api/tokens/999999999' },
  'GET /api/audit': { access: 'admin', ok: 200 },
  'POST /api/audit/verify': { access: 'admin', ok: 200 },
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

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Caller =
  | { name: string; kind: 'none' | 'proxy-skip' | 'revoked-token' | 'expired-session' | 'idle-session' }
  | { name: string; kind: 'session' | 'token'; role: Role }
  | { name: string; kind: 'cross-origin'; role: Role };

const CALLERS: Caller[] = [
  { name: 'no credentials', kind: 'none' },
  { name: 'proxy-skip header', kind: 'proxy-skip' },
  ...(['viewer', 'operator', 'admin'] as const).map((role) => ({ name: `${role} session`, kind: 'session' as const, role })),
  ...(['viewer', 'operator', 'admin'] as const).map((role) => ({ name: `${role} token`, kind: 'token' as const, role })),
  { name: 'revoked token', kind: 'revoked-token' },
  { name: 'expired session', kind: 'expired-session' },
  { name: 'idle session', kind: 'idle-session' },
  { name: 'admin cookie from another origin', kind: 'cross-origin', role: 'admin' },
];

function expected(method: string, policy: Policy, caller: Caller): number {
  const mutating = MUTATING.has(method);
  if (policy.access === 'public') return caller.kind === 'cross-origin' && mutating ? (policy.crossOrigin ?? 403) : policy.ok;
  switch (caller.kind) {
    case 'none':
    case 'proxy-skip':
    case 'revoked-token':
    case 'expired-session':
    case 'idle-session':
      return 401;
    case 'cross-origin':
      if (mutating) return policy.crossOrigin ?? 403;
      return RANK[caller.role] >= RANK[policy.access] ? policy.ok : 403;
    case 'session':
      return RANK[caller.role] >= RANK[policy.access] ? policy.ok : 403;
    case 'token':
      return RANK[caller.role] >= RANK[policy.access] ? (policy.okWithToken ?? policy.ok) : 403;
  }
}

/** How the session of a cookie is stored: the SHA-256 of its token (as lib/auth/session-tokens.ts does). */
function storedSessionToken(cookie: string): string {
  return createHash('sha256').update(decodeURIComponent(cookie.split('=')[1]!).split('.')[0]!).digest('hex');
}

test('every API route answers every kind of caller with the status its role allows', async () => {
  test.setTimeout(120_000);
  const api: APIRequestContext = await bareClient();
  const admin = await adminCookie(api);
  const users = {} as Record<Role, { email: string; password: string }>;
  for (const role of ['viewer', 'operator'] as const) users[role] = await createUser(api, admin, role);
  users.admin = await createUser(api, admin, 'admin');
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = (await createToken(api, admin, role)).token;
  const revoked = await createToken(api, admin, 'admin', 'revoked admin token');
  expect((await api.delete(`/api/tokens/${revoked.id}`, { headers: fromDashboard(admin) })).status()).toBe(200);

  const sessions = {} as Record<Role, string>;
  const freshSession = (role: Role) => sessionCookie(api, users[role].email, users[role].password);
  for (const role of ['viewer', 'operator', 'admin'] as const) sessions[role] = await freshSession(role);
  const staleSession = async (column: 'expires_at' | 'updated_at') => {
    const cookie = await freshSession('admin');
    await withDatabase((db) =>
      db('strata.sessions').where({ token: storedSessionToken(cookie) }).update({ [column]: db.raw(`now() - interval '1 day'`) }),
    );
    return cookie;
  };
  const expiredSession = await staleSession('expires_at');
  const idleSession = await staleSession('updated_at');

  async function headersFor(caller: Caller, policy: Policy): Promise<Record<string, string>> {
    switch (caller.kind) {
      case 'none':
        return {};
      case 'proxy-skip':
        return { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware', 'x-middleware-subrequest-id': 'x' };
      case 'session':
        return fromDashboard(policy.consumesSession ? await freshSession(caller.role) : sessions[caller.role]);
      case 'token':
        return { authorization: `Bearer ${tokens[caller.role]}` };
      case 'revoked-token':
        return { authorization: `Bearer ${revoked.token}` };
      case 'expired-session':
        return fromDashboard(expiredSession);
      case 'idle-session':
        return fromDashboard(idleSession);
      case 'cross-origin':
        return {
          cookie: policy.consumesSession ? await freshSession(caller.role) : sessions[caller.role],
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
        };
    }
  }

  const routes = discoverApiRoutes();
  const discovered = routes.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`));
  expect(discovered.filter((k) => !POLICY[k]), 'routes without an entry in POLICY').toEqual([]);
  expect(Object.keys(POLICY).filter((k) => !discovered.includes(k)), 'POLICY entries for routes that do not exist').toEqual([]);

  const mismatches: string[] = [];
  let checked = 0;
  for (const key of discovered) {
    const [method, route] = key.split(' ') as [string, string];
    const policy = POLICY[key]!;
    for (const caller of CALLERS) {
      const headers = await headersFor(caller, policy);
      const res = await api.fetch(policy.sample ?? route, {
        method,
        headers: MUTATING.has(method) ? { ...headers, 'content-type': 'application/json' } : headers,
        data: MUTATING.has(method) ? '{}' : undefined,
        maxRedirects: 0,
      });
      const want = expected(method, policy, caller);
      checked++;
      if (res.status() !== want) mismatches.push(`${key} as ${caller.name}: got ${res.status()}, want ${want} — ${(await res.text()).slice(0, 200)}`);
      else if (res.status() >= 400) {
        const body = (await res.json()) as { error?: { code?: string; requestId?: string } };
        if (!body.error?.code || !body.error.requestId) mismatches.push(`${key} as ${caller.name}: error without code or request id`);
      }
    }
  }
  expect(mismatches).toEqual([]);
  expect(checked).toBe(discovered.length * CALLERS.length);
  await api.dispose();
});

test('every page sends a signed-out request to sign-in, with or without the proxy-skip header', async () => {
  const api = await bareClient();
  const pages = discoverPages();
  expect(pages).toContain('/migrations');
  const user = await createUser(api, await adminCookie(api), 'viewer');
  const viewer = await sessionCookie(api, user.email, user.password);
  const skips: Record<string, string>[] = [
    {},
    { 'x-middleware-subrequest': 'proxy:proxy:proxy:proxy:proxy' },
    { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' },
  ];
  for (const pagePath of pages) {
    for (const headers of skips) {
      const res = await api.get(pagePath, { headers, maxRedirects: 0 });
      expect(res.status(), `${pagePath} ${JSON.stringify(headers)}`).toBe(307);
      expect(res.headers().location, pagePath).toMatch(/^\/sign-in\?next=/);
    }
    const res = await api.get(pagePath, { headers: { cookie: viewer }, maxRedirects: 0 });
    // A dynamic page asked with its placeholder ([id]) names nothing: 404, inside the shell.
    expect(res.status(), `${pagePath} as a viewer`).toBe(pagePath.includes('[') ? 404 : 200);
  }
  await api.dispose();
});
