// Passwords after creation: an admin's reset (API and `npm run user -- reset-password`) and a
// user's change of their own, through the real route handlers on a real database. What is checked
// is what a user would see: which password signs in, which cookie still answers, the audit rows.
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAuth } from '../lib/auth/auth';
import { settleRefusals } from '../lib/auth/refusals';
import { createToken } from '../lib/auth/tokens';
import { createUser, listUsers } from '../lib/auth/users';
import type { Role } from '../lib/schemas/auth';
import { closeDb } from '../lib/db/knex';
import { freshTestDatabase } from './harness/db';
import { run } from './harness/run';

const db = freshTestDatabase();

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
let routes: { signIn: { POST: Handler }; session: { GET: Handler }; reset: { POST: Handler }; change: { POST: Handler } };
let admin: { email: string; password: string; id: string; cookie: string };

const ORIGIN = 'http://strata.test';
let n = 0;
const uniqueEmail = (role: string) => `${role}-${++n}-${Date.now().toString(36)}@accounts.test`;

beforeAll(async () => {
  process.env.DATABASE_URL = db.url;
  routes = {
    signIn: await import('../app/api/auth/sign-in/route'),
    session: await import('../app/api/auth/session/route'),
    reset: await import('../app/api/users/[id]/password-reset/route'),
    change: await import('../app/api/account/password/route'),
  } as unknown as typeof routes;
  admin = { ...(await makeUser('admin')), cookie: '' };
  admin.cookie = await signIn(admin.email, admin.password);
});

afterAll(async () => {
  await settleRefusals();
  await closeDb();
});

async function makeUser(role: Role): Promise<{ email: string; password: string; id: string }> {
  const email = uniqueEmail(role);
  const password = `first-password-${role}-${n}`;
  const auth = await getAuth({ knex: db.knex, target: db.target });
  const user = await createUser(db.knex, auth, { email, name: role, role, password });
  return { email, password, id: user.id };
}

const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

function request(path: string, init: { method?: string; cookie?: string; body?: string; ip?: string; headers?: Record<string, string> } = {}) {
  const requestId = `accounts-test-${++n}-${Date.now()}`;
  const headers: Record<string, string> = { 'x-request-id': requestId, 'x-forwarded-for': init.ip ?? '198.51.100.20', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  // A change from the dashboard's own pages, as the browser marks it.
  if (init.cookie !== undefined) Object.assign(headers, { cookie: init.cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' }, init.headers);
  return { requestId, req: new NextRequest(`${ORIGIN}${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body }) };
}

/** Signs in through the sign-in route; the session cookie, or the status when it failed. */
async function trySignIn(email: string, password: string, ip = '198.51.100.21'): Promise<{ status: number; cookie: string }> {
  const { req } = request('/api/auth/sign-in', { body: JSON.stringify({ email, password }), ip });
  const res = await routes.signIn.POST(req, ctx());
  const cookie = res.headers.getSetCookie().find((c) => c.includes('session_token='))?.split(';')[0] ?? '';
  return { status: res.status, cookie };
}

async function signIn(email: string, password: string): Promise<string> {
  const r = await trySignIn(email, password);
  expect(r.status, `sign-in of ${email}`).toBe(200);
  return r.cookie;
}

/** What GET /api/auth/session answers a cookie: 200 while its session lives, 401 after. */
async function sessionStatus(cookie: string): Promise<number> {
  const { req } = request('/api/auth/session', { cookie });
  return (await routes.session.GET(req, ctx())).status;
}

async function resetAs(cookie: string, id: string, init: { body?: string; headers?: Record<string, string> } = {}) {
  const { requestId, req } = request(`/api/users/${id}/password-reset`, { cookie, body: init.body ?? '{}', headers: init.headers });
  const res = await routes.reset.POST(req, ctx({ id }));
  return { requestId, res, json: (await res.json()) as Record<string, unknown> };
}

async function changeAs(cookie: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  const { requestId, req } = request('/api/account/password', { cookie, body: JSON.stringify(body), headers });
  const res = await routes.change.POST(req, ctx());
  return { requestId, res, json: (await res.json()) as Record<string, unknown> };
}

const passwordHash = async (userId: string) => (await db.knex('strata.accounts').where({ user_id: userId, provider_id: 'credential' }).first()).password as string;

async function auditRow(requestId: string) {
  await settleRefusals();
  return db.knex('strata.audit_events').where({ request_id: requestId }).first();
}

describe('an admin resets a password', () => {
  it('returns a new password once; the old one stops working and the new one signs in; every session of the user ends; audited', async () => {
    const user = await makeUser('viewer');
    const sessions = [await signIn(user.email, user.password), await signIn(user.email, user.password)];
    for (const s of sessions) expect(await sessionStatus(s)).toBe(200);
    // A session past its expiry is gone already: it is not counted among those the reset ends.
    await signIn(user.email, user.password);
    const newest = await db.knex('strata.sessions').where({ user_id: user.id }).orderBy('created_at', 'desc').first('id');
    await db.knex('strata.sessions').where({ id: newest.id }).update({ expires_at: db.knex.raw(`now() - interval '1 minute'`) });
    const changedBefore = (await listUsers(db.knex)).find((u) => u.id === user.id)!.passwordChangedAt;

    const { requestId, res, json } = await resetAs(admin.cookie, user.id);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const password = json.password as string;
    expect(password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(json).toMatchObject({ sessionsEnded: 2, user: { id: user.id, email: user.email, activeSessions: 0 } });
    expect(Date.parse((json.user as { passwordChangedAt: string }).passwordChangedAt)).toBeGreaterThan(Date.parse(changedBefore!));

    // Their cookies no longer answer; nothing of their sessions is left.
    for (const s of sessions) expect(await sessionStatus(s)).toBe(401);
    expect(await db.knex('strata.sessions').where({ user_id: user.id })).toEqual([]);
    expect((await trySignIn(user.email, user.password, '198.51.100.30')).status).toBe(401);
    expect(await sessionStatus(await signIn(user.email, password))).toBe(200);
    // The admin's own session goes on.
    expect(await sessionStatus(admin.cookie)).toBe(200);

    const row = await auditRow(requestId);
    expect(row).toMatchObject({ action: 'user.password_reset', outcome: 'success', actor_type: 'user', actor_id: admin.id, actor_label: admin.email, role: 'admin' });
    expect(row.details).toEqual({ userId: user.id, email: user.email, sessionsEnded: 2 });
    expect(JSON.stringify(row)).not.toContain(password);
  });

  it('an operator or a viewer gets 403, recorded as access.denied, and the password stays', async () => {
    const target = await makeUser('viewer');
    const before = await passwordHash(target.id);
    for (const role of ['operator', 'viewer'] as const) {
      const caller = await makeUser(role);
      const { requestId, res } = await resetAs(await signIn(caller.email, caller.password), target.id);
      expect(res.status, role).toBe(403);
      expect(await auditRow(requestId)).toMatchObject({ action: 'access.denied', outcome: 'denied', actor_label: caller.email, role });
    }
    expect(await passwordHash(target.id)).toBe(before);
    expect((await trySignIn(target.email, target.password)).status).toBe(200);
  });

  it('an unknown user is a 404 and a body with a password of the caller\'s choosing a 400, each recorded as a refusal', async () => {
    const missing = await resetAs(admin.cookie, 'no-such-user');
    expect(missing.res.status).toBe(404);
    expect((await auditRow(missing.requestId)).details).toMatchObject({ status: 404, code: 'not_found', path: '/api/users/no-such-user/password-reset' });

    const target = await makeUser('viewer');
    const before = await passwordHash(target.id);
    const chosen = await resetAs(admin.cookie, target.id, { body: '{"password":"chosen-by-the-caller"}' });
    expect(chosen.res.status).toBe(400);
    expect((chosen.json.error as { message: string }).message).toMatch(/password/);
    expect(await auditRow(chosen.requestId)).toMatchObject({ action: 'request.refused', actor_label: admin.email });
    expect(await passwordHash(target.id)).toBe(before);
  });

  it('an admin cookie sent from another origin is refused and changes nothing', async () => {
    const target = await makeUser('viewer');
    const before = await passwordHash(target.id);
    const { requestId, res } = await resetAs(admin.cookie, target.id, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(res.status).toBe(403);
    expect((await auditRow(requestId)).details).toMatchObject({ status: 403, reason: expect.stringMatching(/dashboard itself/) });
    expect(await passwordHash(target.id)).toBe(before);
  });
});

describe('a user changes their own password', () => {
  it('with a wrong current password: 400 naming it, and nothing changes (password, sessions)', async () => {
    const user = await makeUser('operator');
    const here = await signIn(user.email, user.password);
    const elsewhere = await signIn(user.email, user.password);
    const before = await passwordHash(user.id);
    const { requestId, res, json } = await changeAs(here, { currentPassword: 'not-the-current-one', newPassword: 'a-brand-new-password' });
    expect(res.status).toBe(400);
    expect((json.error as { message: string }).message).toBe('currentPassword: is not your current password');
    expect(await auditRow(requestId)).toMatchObject({ action: 'request.refused', actor_label: user.email });
    expect(await passwordHash(user.id)).toBe(before);
    expect(await sessionStatus(here)).toBe(200);
    expect(await sessionStatus(elsewhere)).toBe(200);
    expect((await trySignIn(user.email, 'a-brand-new-password', '198.51.100.31')).status).toBe(401);
    expect((await trySignIn(user.email, user.password)).status).toBe(200);
  });

  it('a new password shorter than the creation rules allow, or the same as the current one, is a 400 naming newPassword', async () => {
    const user = await makeUser('viewer');
    const cookie = await signIn(user.email, user.password);
    const before = await passwordHash(user.id);
    const short = await changeAs(cookie, { currentPassword: user.password, newPassword: 'too-short' });
    expect(short.res.status).toBe(400);
    expect((short.json.error as { message: string }).message).toBe('newPassword: must be at least 12 characters');
    const same = await changeAs(cookie, { currentPassword: user.password, newPassword: user.password });
    expect((same.json.error as { message: string }).message).toBe('newPassword: must differ from the current password');
    expect(await passwordHash(user.id)).toBe(before);
  });

  it('with the right one: the new password signs in, the old one not; other sessions end, this browser gets a new session; audited', async () => {
    const user = await makeUser('viewer');
    const here = await signIn(user.email, user.password);
    const elsewhere = await signIn(user.email, user.password);
    const changedBefore = (await listUsers(db.knex)).find((u) => u.id === user.id)!.passwordChangedAt!;
    const newPassword = 'my-own-new-password-1';
    const { requestId, res, json } = await changeAs(here, { currentPassword: user.password, newPassword });
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json).toEqual({ changed: true, sessionsEnded: 1 });
    const reissued = res.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
    expect(reissued).not.toBe(here);
    expect(await sessionStatus(reissued)).toBe(200);
    expect(await sessionStatus(elsewhere)).toBe(401);
    expect(await sessionStatus(here)).toBe(401);
    expect(await db.knex('strata.sessions').where({ user_id: user.id })).toHaveLength(1);
    expect((await trySignIn(user.email, user.password, '198.51.100.32')).status).toBe(401);
    expect((await trySignIn(user.email, newPassword)).status).toBe(200);
    // The Users page sees the change, so that a password an admin was shown earlier is no longer offered.
    const changedAfter = (await listUsers(db.knex)).find((u) => u.id === user.id)!.passwordChangedAt!;
    expect(Date.parse(changedAfter)).toBeGreaterThan(Date.parse(changedBefore));

    const row = await auditRow(requestId);
    expect(row).toMatchObject({ action: 'user.password_change', outcome: 'success', actor_id: user.id, actor_label: user.email });
    expect(row.details).toEqual({ userId: user.id, email: user.email, sessionsEnded: 1 });
    expect(JSON.stringify(row)).not.toContain(newPassword);
  });

  it('wrong current passwords count as failed sign-ins: past the limit the change is throttled (429)', async () => {
    const user = await makeUser('viewer');
    const cookie = await signIn(user.email, user.password);
    const ip = '198.51.100.40';
    for (let i = 0; i < 5; i++) {
      const { req } = request('/api/account/password', { cookie, ip, body: JSON.stringify({ currentPassword: `guess-${i}-guess`, newPassword: 'a-brand-new-password' }) });
      expect((await routes.change.POST(req, ctx())).status).toBe(400);
    }
    const { req } = request('/api/account/password', { cookie, ip, body: JSON.stringify({ currentPassword: user.password, newPassword: 'a-brand-new-password' }) });
    const res = await routes.change.POST(req, ctx());
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await trySignIn(user.email, user.password)).status).toBe(200);
  });

  it('an API token has no password to change: 400', async () => {
    const { token } = await createToken(db.knex, { name: 'accounts', role: 'admin', createdBy: admin.email, owner: { kind: 'user', userId: admin.id } });
    const { req } = request('/api/account/password', {
      body: JSON.stringify({ currentPassword: admin.password, newPassword: 'a-brand-new-password' }),
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await routes.change.POST(req, ctx())).status).toBe(400);
    expect((await trySignIn(admin.email, admin.password)).status).toBe(200);
  });
});

describe('npm run user -- reset-password', () => {
  const npmUser = (args: string[], input?: string) => run('npm', ['run', '-s', 'user', '--', ...args], db.env, 120_000, input);

  it('prints a new password once, ends the user\'s sessions, and is audited as the command line', async () => {
    const user = await makeUser('operator');
    const cookie = await signIn(user.email, user.password);
    const r = await npmUser(['reset-password', '--email', user.email.toUpperCase()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Reset the password of ${user.email.replace(/[.]/g, '\\.')}; 1 session ended\\.\\nPassword \\(shown only now\\): \\S{20,}\\n$`));
    const password = /Password \(shown only now\): (\S+)/.exec(r.stdout)![1]!;
    expect(await sessionStatus(cookie)).toBe(401);
    expect((await trySignIn(user.email, user.password, '198.51.100.33')).status).toBe(401);
    expect((await trySignIn(user.email, password)).status).toBe(200);
    const row = await db.knex('strata.audit_events').where({ action: 'user.password_reset', actor_type: 'cli' }).orderBy('id', 'desc').first();
    expect(row).toMatchObject({ outcome: 'success', actor_label: expect.stringMatching(/^cli:/) });
    expect(row.details).toEqual({ userId: user.id, email: user.email, sessionsEnded: 1 });
  });

  it('--password-stdin sets the password it reads and prints none; a short one is refused', async () => {
    const user = await makeUser('viewer');
    const chosen = 'chosen-on-the-server-1';
    const r = await npmUser(['reset-password', '--email', user.email, '--password-stdin'], `${chosen}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(chosen);
    expect(r.stdout).not.toMatch(/Password/);
    expect((await trySignIn(user.email, chosen)).status).toBe(200);

    const before = await passwordHash(user.id);
    const short = await npmUser(['reset-password', '--email', user.email, '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('The password from stdin must be at least 12 characters; nothing was changed');
    expect(await passwordHash(user.id)).toBe(before);
  });

  it('an unknown email: a clear error, a non-zero exit, and nothing changed', async () => {
    const audited = await db.knex('strata.audit_events').count<{ n: string }[]>({ n: '*' });
    const hashes = await db.knex('strata.accounts').orderBy('id').pluck('password');
    const r = await npmUser(['reset-password', '--email', 'nobody@accounts.test']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No user with the email nobody@accounts.test');
    expect(r.stdout).toBe('');
    expect(await db.knex('strata.audit_events').count<{ n: string }[]>({ n: '*' })).toEqual(audited);
    expect(await db.knex('strata.accounts').orderBy('id').pluck('password')).toEqual(hashes);
  });

  it('--help lists it', async () => {
    const r = await npmUser(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('npm run user -- reset-password --email EMAIL [--password-stdin]');
  });
});
