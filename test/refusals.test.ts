// Every refused change is in the audit trail (401s included: anonymous, revoked token, forged
// cookie; and 400, 404, 409, 413), with what is known of the caller, the request id, the address
// and the reason; a flood is bounded. Through the real route handlers.
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleRefusals, resetRefusalBound, REFUSALS_PER_ADDRESS } from '../lib/auth/refusals';
import { createToken, revokeToken } from '../lib/auth/tokens';
import { getAuth } from '../lib/auth/auth';
import { createUser, findUserByEmail } from '../lib/auth/users';
import { closeDb } from '../lib/db/knex';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
let routes: { tokens: { POST: Handler }; users: { POST: Handler }; user: { PATCH: Handler }; signIn: { POST: Handler } };
let adminToken: string;
let revoked: string;
let adminId: string;

beforeAll(async () => {
  process.env.DATABASE_URL = db.url;
  const auth = await getAuth({ knex: db.knex, target: db.target });
  await createUser(db.knex, auth, { email: 'boss@test.example', name: 'Boss', role: 'admin', password: 'a-long-enough-password' });
  adminId = (await findUserByEmail(db.knex, 'boss@test.example'))!.id;
  adminToken = (await createToken(db.knex, { name: 'boss token', role: 'admin', createdBy: 'boss@test.example', owner: { kind: 'user', userId: adminId } })).token;
  const old = await createToken(db.knex, { name: 'old token', role: 'admin', createdBy: 'cli:test', owner: { kind: 'cli' } });
  await revokeToken(db.knex, old.record.id, 'test');
  revoked = old.token;
  routes = {
    tokens: await import('../app/api/tokens/route'),
    users: await import('../app/api/users/route'),
    user: await import('../app/api/users/[id]/route'),
    signIn: await import('../app/api/auth/sign-in/route'),
  } as unknown as typeof routes;
});

afterAll(async () => {
  await settleRefusals();
  await closeDb();
});

let n = 0;
function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string; ip?: string } = {}) {
  const requestId = `refusal-test-${++n}-${Date.now()}`;
  const headers = { 'content-type': 'application/json', 'x-request-id': requestId, 'x-forwarded-for': init.ip ?? '198.51.100.7', ...init.headers };
  return { requestId, req: new NextRequest(`http://strata.test${path}`, { method: init.method ?? 'POST', headers, body: init.body ?? '{}' }) };
}

const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

async function auditRow(requestId: string) {
  await settleRefusals();
  return db.knex('strata.audit_events').where({ request_id: requestId }).first();
}

describe('refused changes', () => {
  it('anonymous, with a revoked token and with a forged cookie: 401, each recorded with what it presented', async () => {
    resetRefusalBound();
    const cases: { headers: Record<string, string>; presented: string; label: string }[] = [
      { headers: {}, presented: 'nothing', label: 'anonymous' },
      { headers: { authorization: `Bearer ${revoked}` }, presented: 'bearer token', label: `token ${revoked.slice(0, 13)}…` },
      { headers: { cookie: 'strata.session_token=forged.c2lnbmF0dXJl' }, presented: 'session cookie', label: 'session cookie' },
    ];
    for (const c of cases) {
      const { requestId, req } = request('/api/tokens', { headers: c.headers, body: '{"name":"x","role":"admin"}' });
      const res = await routes.tokens.POST(req, ctx());
      expect(res.status).toBe(401);
      const row = await auditRow(requestId);
      expect(row, c.presented).toMatchObject({ action: 'request.refused', outcome: 'denied', actor_type: 'anonymous', actor_label: c.label, ip: '198.51.100.7' });
      expect(row.details).toMatchObject({ method: 'POST', path: '/api/tokens', status: 401, code: 'unauthorized', presented: c.presented });
    }
  });

  it('400, 404 and 409 from a known caller are recorded with that caller and the reason', async () => {
    resetRefusalBound();
    const auth = { authorization: `Bearer ${adminToken}` };
    const bad = request('/api/users', { headers: auth, body: '{"email":"not-an-email","name":"x","role":"viewer"}' });
    expect((await routes.users.POST(bad.req, ctx())).status).toBe(400);
    expect(await auditRow(bad.requestId)).toMatchObject({ action: 'request.refused', outcome: 'failure', actor_type: 'token', actor_label: 'boss token', role: 'admin' });

    const missing = request('/api/users/nobody', { method: 'PATCH', headers: auth, body: '{"role":"viewer"}' });
    expect((await routes.user.PATCH(missing.req, ctx({ id: 'nobody' }))).status).toBe(404);
    expect((await auditRow(missing.requestId)).details).toMatchObject({ status: 404, code: 'not_found' });

    const last = request(`/api/users/${adminId}`, { method: 'PATCH', headers: auth, body: '{"role":"viewer"}' });
    expect((await routes.user.PATCH(last.req, ctx({ id: adminId }))).status).toBe(409);
    const row = await auditRow(last.requestId);
    expect(row.details).toMatchObject({ status: 409, code: 'conflict', reason: expect.stringMatching(/last enabled admin/) });
  });

  it('a body over the limit sent without a length is a 413, recorded, before authentication', async () => {
    resetRefusalBound();
    const chunk = new Uint8Array(64 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const requestId = `refusal-big-${Date.now()}`;
    const req = new NextRequest('http://strata.test/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'x-forwarded-for': '198.51.100.8' },
      body,
      duplex: 'half',
    } as ConstructorParameters<typeof NextRequest>[1]);
    const res = await routes.tokens.POST(req, ctx());
    expect(res.status).toBe(413);
    // Reading stopped just past the limit.
    expect(sent).toBeLessThan(2 * 1024 * 1024);
    expect((await auditRow(requestId)).details).toMatchObject({ status: 413, code: 'payload_too_large', presented: 'nothing' });
  });

  it('failed sign-ins keep their own audit rows and get no second one', async () => {
    resetRefusalBound();
    const { requestId, req } = request('/api/auth/sign-in', { body: '{"email":"boss@test.example","password":"wrong-wrong-wrong"}' });
    expect((await routes.signIn.POST(req, ctx())).status).toBe(401);
    await settleRefusals();
    const rows = await db.knex('strata.audit_events').where({ request_id: requestId }).pluck('action');
    expect(rows).toEqual(['auth.sign_in_failed']);
  });

  it(`writes at most ${REFUSALS_PER_ADDRESS} rows a minute for one address, then one row counting the rest`, async () => {
    resetRefusalBound();
    const before = await db.knex('strata.audit_events').count<{ n: string }[]>({ n: '*' });
    const flood = REFUSALS_PER_ADDRESS + 25;
    for (let i = 0; i < flood; i++) {
      const { req } = request('/api/tokens', { ip: '203.0.113.66' });
      expect((await routes.tokens.POST(req, ctx())).status).toBe(401);
    }
    await settleRefusals();
    const rows = await db.knex('strata.audit_events').where({ ip: '203.0.113.66', action: 'request.refused' }).count<{ n: string }[]>({ n: '*' });
    expect(Number(rows[0]!.n)).toBe(REFUSALS_PER_ADDRESS);
    // The minute ends (here: at once): the rest are counted in one row.
    resetRefusalBound();
    await settleRefusals();
    const summary = await db.knex('strata.audit_events').where({ action: 'audit.refusals_suppressed' }).orderBy('id', 'desc').first();
    expect(summary.details).toMatchObject({ count: 25, topAddresses: { '203.0.113.66': 25 } });
    const after = await db.knex('strata.audit_events').count<{ n: string }[]>({ n: '*' });
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(REFUSALS_PER_ADDRESS + 1);
  });
});
