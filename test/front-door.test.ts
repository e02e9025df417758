// The front door on a real HTTP server: what it answers itself (405, 400, 413, each as JSON with
// a request id and no stack), what it passes on, and how it rewrites the forwarded headers.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardServer, type FrontDoorOptions } from '../lib/http/front-door';
import { parseTrustedProxies } from '../lib/http/trusted-proxies';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { freshTestDatabase } from './harness/db';

// A refused change is audited, and that needs a database.
const db = freshTestDatabase();

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; bodyBytes: number };

async function serverWith(opts: FrontDoorOptions): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes });
      res.end('passed');
    });
  });
  guardServer(server as unknown as Parameters<typeof guardServer>[0], opts);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

/** A raw request, for what fetch will not send (TRACE, a path that is not UTF-8). */
function raw(url: string, text: string): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => {
      const [head, ...rest] = out.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head!)?.[1]), headers: head!, body: rest.join('\r\n\r\n') });
    });
    socket.on('error', reject);
  });
}

let trusted: Awaited<ReturnType<typeof serverWith>>;
let untrusted: Awaited<ReturnType<typeof serverWith>>;

beforeAll(async () => {
  process.env.DATABASE_URL = db.url;
  await ensureStrataSchema(db.knex);
  trusted = await serverWith({ proxies: parseTrustedProxies('loopback'), baseUrl: 'https://strata.example.com' });
  untrusted = await serverWith({ proxies: parseTrustedProxies('none'), baseUrl: 'http://strata.example.com' });
});

afterAll(async () => {
  await trusted?.close();
  await untrusted?.close();
  const { settleRefusals } = await import('../lib/auth/refusals');
  await settleRefusals();
  const { closeDb } = await import('../lib/db/knex');
  await closeDb();
});

describe('the front door', () => {
  it('answers TRACE and unknown methods with 405, as JSON with a request id and no stack', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL']) {
      const res = await raw(trusted.url, `${method} /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(res.status, method).toBe(405);
      expect(res.headers).toMatch(/allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/i);
      const body = JSON.parse(res.body) as { error: { code: string; requestId: string; message: string } };
      expect(body.error.code).toBe('method_not_allowed');
      expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body).not.toMatch(/at .*\.js/);
    }
    expect(trusted.seen).toHaveLength(0);
  });

  it('answers a path that is not UTF-8, or holds a NUL, with 400', async () => {
    for (const path of ['/api/evaluations/%ED%A0%80', '/%FF', '/api/users/%00', '/a%zz']) {
      const res = await raw(trusted.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'bad_request' } });
    }
    expect(trusted.seen).toHaveLength(0);
  });

  it('refuses a declared body over the limit before reading it, and lets a small one through', async () => {
    const res = await raw(trusted.url, `POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${256 * 1024 * 1024}\r\n\r\n{"email":`);
    expect(res.status).toBe(413);
    expect(res.headers).toMatch(/connection: close/i);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    const ok = await fetch(`${trusted.url}/api/auth/sign-in`, { method: 'POST', body: 'x'.repeat(1024) });
    expect(await ok.text()).toBe('passed');
    expect(trusted.seen.at(-1)!.bodyBytes).toBe(1024);
  });

  it('ends X-Forwarded-For with the peer, and keeps forwarded headers only from a trusted proxy', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    await fetch(`${trusted.url}/x`, { headers });
    expect(trusted.seen.at(-1)!.headers).toMatchObject({ 'x-forwarded-for': '203.0.113.7, 127.0.0.1', 'x-forwarded-host': 'evil.example' });
    await fetch(`${untrusted.url}/x`, { headers });
    const seen = untrusted.seen.at(-1)!.headers;
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toBeUndefined();
    expect(seen['x-forwarded-proto']).toBeUndefined();
  });

  it('drops the prefetch header on API paths only, and keeps a plain request id', async () => {
    await fetch(`${trusted.url}/api/auth/session`, { headers: { 'x-middleware-prefetch': '1', 'x-request-id': 'deploy-1234abcd' } });
    expect(trusted.seen.at(-1)!.headers['x-middleware-prefetch']).toBeUndefined();
    expect(trusted.seen.at(-1)!.headers['x-request-id']).toBe('deploy-1234abcd');
    await fetch(`${trusted.url}/migrations`, { headers: { 'x-middleware-prefetch': '1', 'x-request-id': 'bad id <x>' } });
    expect(trusted.seen.at(-1)!.headers['x-middleware-prefetch']).toBe('1');
    expect(trusted.seen.at(-1)!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the common headers on every response, HSTS only when the dashboard is served over https', async () => {
    const a = await fetch(`${trusted.url}/_next/static/x.js`);
    expect(Object.fromEntries(a.headers)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'x-frame-options': 'DENY',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    });
    const b = await fetch(`${untrusted.url}/`);
    expect(b.headers.get('x-frame-options')).toBe('DENY');
    expect(b.headers.get('strict-transport-security')).toBeNull();
  });

  it('records a refused change in the audit trail', async () => {
    const { settleRefusals } = await import('../lib/auth/refusals');
    await raw(trusted.url, `POST /api/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer strata_abcdefghijklmnopqrstuvwxyz\r\nX-Request-Id: front-door-413-test\r\nContent-Length: 99999999\r\n\r\n`);
    await settleRefusals();
    const row = await db.knex('strata.audit_events').where({ request_id: 'front-door-413-test' }).first();
    expect(row).toMatchObject({ action: 'request.refused', outcome: 'failure', actor_label: 'anonymous', ip: '127.0.0.1' });
    expect(row.details).toMatchObject({ status: 413, method: 'POST', path: '/api/tokens', presented: 'bearer token' });
  });
});
