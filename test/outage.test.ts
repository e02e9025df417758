// A sick database, through the real route handlers and the dashboard's own connection settings:
// stopped (the port refuses), frozen (connections open, nothing answered), a Unix socket with no
// server behind it, a wrong password. Each request answers within the product's 5 s with 503
// `database_unavailable` saying what failed, and the dashboard recovers by itself.
// The database sits behind a TCP proxy the test controls (test/harness/tcp-proxy.ts); the shared
// server is never stopped. The wrong password needs a cluster of the test's own.
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createToken } from '../lib/auth/tokens';
import { settleRefusals } from '../lib/auth/refusals';
import { closeDb, getDb } from '../lib/db/knex';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { checkDatabase } from '../lib/db/health';
import { freshTestDatabase } from './harness/db';
import { privateClusterUnavailable, startPrivateCluster } from './harness/private-cluster';
import { startTcpProxy, type TcpProxy } from './harness/tcp-proxy';

const db = freshTestDatabase();
// The product's promise: an answer within 5 s while the database does not answer.
const CONTRACT_MS = 5_000;

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>;
let health: Handler;
let session: Handler;
let proxy: TcpProxy;
let token: string;
const ctx = { params: Promise.resolve({}) };

async function timed(fn: () => Promise<Response>): Promise<{ status: number; body: { error?: { code: string; message: string } }; ms: number }> {
  const t0 = performance.now();
  const res = await fn();
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } }, ms: performance.now() - t0 };
}

const getHealth = () => timed(() => health(new NextRequest('http://strata.test/api/health'), ctx));
const getSession = () => timed(() => session(new NextRequest('http://strata.test/api/auth/session', { headers: { authorization: `Bearer ${token}` } }), ctx));

async function pointAt(url: string): Promise<void> {
  await closeDb();
  process.env.DATABASE_URL = url;
}

/** Polls until the health check passes again; the time it took. */
async function recovery(limitMs = 15_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if ((await getHealth()).status === 200) return performance.now() - t0;
    expect(performance.now() - t0, 'recovered').toBeLessThan(limitMs);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!onPostgres) return;
  await ensureStrataSchema(db.knex);
  token = (await createToken(db.knex, { name: 'outage', role: 'viewer', createdBy: 'test', owner: { kind: 'cli' } })).token;
  const u = new URL(db.url);
  proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
  await pointAt(proxy.urlFor(db.url));
  ({ GET: health } = (await import('../app/api/health/route')) as unknown as { GET: Handler });
  ({ GET: session } = (await import('../app/api/auth/session/route')) as unknown as { GET: Handler });
});

afterAll(async () => {
  await proxy?.resume();
  await settleRefusals();
  await closeDb();
  await proxy?.close();
});

const onPostgres = inject('testDb').mode === 'postgres';

describe('a database that stops answering', () => {
  beforeEach((ctx) => ctx.skip(!onPostgres, 'the embedded database lives in this process: it cannot be stopped or frozen apart from it'));

  it('answers normally through the proxy', async () => {
    expect((await getHealth()).status).toBe(200);
    expect((await getSession()).status).toBe(200);
  });

  it('frozen: health and an authenticated API request each answer 503 within 5 s, and it recovers by itself', async () => {
    proxy.freeze();
    const h = await getHealth();
    expect(h.status).toBe(503);
    expect(h.ms).toBeLessThan(CONTRACT_MS);
    const s = await getSession();
    expect(s.status).toBe(503);
    expect(s.ms).toBeLessThan(CONTRACT_MS);
    expect(s.body.error).toMatchObject({ code: 'database_unavailable' });
    expect(s.body.error!.message).toMatch(/did not answer|stopped answering|not answering|no database connection became free/);
    const page = await checkDatabase();
    expect(page.ok).toBe(false);
    await proxy.resume();
    await recovery();
    expect((await getSession()).status).toBe(200);
  });

  it('stopped: 503 at once, saying the server refused the connection; recovers when it is back', async () => {
    await proxy.refuse();
    const h = await getHealth();
    expect(h.status).toBe(503);
    expect(h.ms).toBeLessThan(CONTRACT_MS);
    // The pooled connections were cut; the next ones are refused.
    let s = await getSession();
    if (s.body.error?.message.match(/connection to the server/)) s = await getSession();
    expect(s.status).toBe(503);
    expect(s.body.error!.message).toMatch(/refused the connection: PostgreSQL is not running/);
    await proxy.resume();
    await recovery();
    expect((await getSession()).status).toBe(200);
  });

  it('a slow statement on a live server is left alone; one whose server freezes is cut', async () => {
    const { knex } = await getDb();
    const t0 = performance.now();
    await knex.raw('SELECT pg_sleep(3)');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(3_000);
    const long = knex.raw('SELECT pg_sleep(20)').then(
      () => null,
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 500));
    proxy.freeze();
    const frozenAt = performance.now();
    const err = await long;
    expect(err).toMatchObject({ name: 'DatabaseStalledError' });
    expect(performance.now() - frozenAt).toBeLessThan(CONTRACT_MS);
    await proxy.resume();
    await recovery();
  });

  it('a Unix socket with no server behind it is a 503 that says so', async () => {
    await pointAt('postgresql://postgres@/postgres?host=/tmp/strata-no-such-socket-folder');
    const s = await getSession();
    expect(s.status).toBe(503);
    expect(s.body.error!.message).toMatch(/Unix socket is not there/);
    expect((await getHealth()).status).toBe(503);
    await pointAt(proxy.urlFor(db.url));
    expect((await getSession()).status).toBe(200);
  });
});

describe('a wrong password', () => {
  beforeEach((ctx) => ctx.skip(!onPostgres || privateClusterUnavailable() !== null, `needs a PostgreSQL cluster of the test's own with password authentication: ${privateClusterUnavailable() ?? 'this run uses the embedded database'}`));

  it('is a 503 that says the password was refused, never showing it', async () => {
    const cluster = await startPrivateCluster({ password: 'the-right-password' });
    try {
      await pointAt(cluster.url('postgres', 'a-wrong-password-canary'));
      const s = await getSession();
      expect(s.status).toBe(503);
      expect(s.body.error!.message).toMatch(/refused the password for the user in DATABASE_URL \(28P01\)/);
      expect(JSON.stringify(s.body)).not.toContain('a-wrong-password-canary');
      expect((await getHealth()).status).toBe(503);
    } finally {
      await pointAt(proxy.urlFor(db.url));
      cluster.destroy();
    }
  });
});
