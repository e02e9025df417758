// The route × caller matrix with a target axis: one dashboard serving two targets, "alpha" (its own
// database) and "beta", every API route asked with no `?target=`, with each of the two, and with a
// name the targets file does not have. A user whose role differs per target gets what their role
// on the named target allows, on the routes that act on a target, and what their own role allows on
// the routes that manage the dashboard itself; a token scoped to beta is refused on alpha.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { expect, test } from '@playwright/test';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { discoverApiRoutes, uniqueEmail, type Role } from './helpers';
import { POLICY, type Policy } from './route-policy';
import { startServer, type ExtraServer } from './server';

const postgres = !!process.env.TEST_DATABASE_URL && process.env.STRATA_TEST_DB !== 'embedded';
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Where = 'none' | 'alpha' | 'beta' | 'nowhere';
type Caller = { name: string; kind: 'session'; own: Role; on: Record<'alpha' | 'beta', Role> } | { name: string; kind: 'token'; role: Role; scope: 'beta' };

const CALLERS: Caller[] = [
  // Operator of the dashboard; an admin on alpha, a viewer on beta.
  { name: 'split session', kind: 'session', own: 'operator', on: { alpha: 'admin', beta: 'viewer' } },
  { name: 'viewer session', kind: 'session', own: 'viewer', on: { alpha: 'viewer', beta: 'viewer' } },
  { name: 'admin token scoped to beta', kind: 'token', role: 'admin', scope: 'beta' },
];

function expected(method: string, policy: Policy, caller: Caller, where: Where): number {
  if (where === 'nowhere') return 404;
  if (policy.access === 'public') return policy.ok;
  const target = where === 'none' ? 'alpha' : where;
  if (caller.kind === 'token') {
    if (!policy.home && target !== caller.scope) return 403;
    return RANK[caller.role] >= RANK[policy.access] ? (policy.okWithToken ?? policy.ok) : 403;
  }
  const role = policy.home ? caller.own : caller.on[target];
  return RANK[role] >= RANK[policy.access] ? policy.ok : 403;
}

test('every API route, on every target, answers the role the caller holds there', async () => {
  test.skip(!postgres, 'targets are server databases: this run uses the embedded database (set TEST_DATABASE_URL)');
  test.setTimeout(240_000);
  const admin = knexFactory({ client: 'pg', connection: process.env.TEST_DATABASE_URL, pool: { min: 0, max: 1 } });
  const names = ['alpha', 'beta'].map((n) => `strata_e2e_axis_${n}_${process.pid}`);
  const url = (name: string) => {
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-axis-'));
  fs.writeFileSync(
    path.join(dir, 'strata.targets.json'),
    JSON.stringify({
      targets: [
        { name: 'alpha', label: 'Alpha', color: '#0369a1', urlEnv: 'DATABASE_URL' },
        { name: 'beta', label: 'Beta', color: '#b91c1c', urlEnv: 'AXIS_BETA_URL' },
      ],
    }),
  );
  let server: ExtraServer | undefined;
  try {
    for (const n of names) await admin.raw('CREATE DATABASE ??', [n]);
    server = await startServer(Number(E2E_PORT) + 11, {
      ...serverEnv(),
      DATABASE_URL: url(names[0]!),
      AXIS_BETA_URL: url(names[1]!),
      STRATA_TARGETS_FILE: path.join(dir, 'strata.targets.json'),
    });
    const base = server.url;
    const dash = (cookie: string) => ({ cookie, origin: base, 'sec-fetch-site': 'same-origin' });
    const signIn = async (email: string, password: string) => {
      const res = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      expect(res.status, await res.clone().text()).toBe(200);
      return res.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
    };
    const adminCookie = await signIn(ADMIN.email, ADMIN.password);
    const post = async (p: string, body: unknown, method = 'POST') => {
      const res = await fetch(`${base}${p}`, { method, headers: { ...dash(adminCookie), 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return (await res.json()) as Record<string, { id: string }> & { token: string };
    };
    const people = new Map<string, { email: string; password: string }>();
    for (const c of CALLERS) {
      if (c.kind !== 'session') continue;
      const email = uniqueEmail(c.own);
      const password = `pw-axis-${Math.random().toString(36).slice(2)}-x`;
      const { user } = await post('/api/users', { email, name: c.name, role: c.own, password });
      const targetRoles = Object.fromEntries(Object.entries(c.on).filter(([, r]) => r !== c.own));
      if (Object.keys(targetRoles).length) await post(`/api/users/${user!.id}`, { targetRoles }, 'PATCH');
      people.set(c.name, { email, password });
    }
    const sessions = new Map<string, string>();
    for (const [name, p] of people) sessions.set(name, await signIn(p.email, p.password));
    const scoped = (await post('/api/tokens', { name: 'beta automation', role: 'admin', targets: ['beta'] })).token;

    const routes = discoverApiRoutes();
    const discovered = routes.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`));
    expect(discovered.filter((k) => !POLICY[k]), 'routes without an entry in POLICY').toEqual([]);

    const mismatches: string[] = [];
    let checked = 0;
    for (const key of discovered) {
      const [method, route] = key.split(' ') as [string, string];
      const policy = POLICY[key]!;
      for (const where of ['none', 'alpha', 'beta', 'nowhere'] as const) {
        for (const caller of CALLERS) {
          const at = new URL(policy.sample ?? route, base);
          if (where !== 'none') at.searchParams.set('target', where);
          let headers: Record<string, string>;
          if (caller.kind === 'token') headers = { authorization: `Bearer ${scoped}` };
          else {
            const p = people.get(caller.name)!;
            headers = dash(policy.consumesSession ? await signIn(p.email, p.password) : sessions.get(caller.name)!);
          }
          const res = await fetch(at, {
            method,
            headers: MUTATING.has(method) ? { ...headers, 'content-type': 'application/json' } : headers,
            body: MUTATING.has(method) ? '{}' : undefined,
            redirect: 'manual',
          });
          const want = expected(method, policy, caller, where);
          checked++;
          const text = await res.text();
          if (res.status !== want) mismatches.push(`${key} on ${where} as ${caller.name}: got ${res.status}, want ${want} — ${text.slice(0, 200)}`);
          else if (res.status === 403 && !policy.home && caller.kind === 'token' && !/may act on beta only/.test(text)) {
            mismatches.push(`${key} on ${where} as ${caller.name}: 403 without naming the token's targets — ${text.slice(0, 200)}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(discovered.length * 4 * CALLERS.length);
  } finally {
    await server?.stop();
    for (const n of names) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [n]).catch(() => undefined);
    await admin.destroy();
  }
});
