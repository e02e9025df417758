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
import { POLICY, type Policy } from './route-policy';

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
