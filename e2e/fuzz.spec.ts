// A seeded fuzz of every route (API and pages) against the production server: malformed methods,
// paths, query strings, bodies, content types and credentials, FUZZ_REQUESTS of them (10,000 by
// default; FUZZ_SEED picks the sequence). Every answer must come within its time limit and none
// may be a 5xx. It runs on a server and a database of its own, so that what a random request
// happens to change (a user, a token) touches no other test.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import knexFactory from 'knex';
import { readConfig } from '../lib/config';
import { knexConfig } from '../lib/db/knex-config';
import { E2E_PORT, serverEnv } from './env';
import { discoverApiRoutes } from './helpers';
import { startServer } from './server';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 15);
const CONCURRENCY = 8;
const HANG_MS = 15_000;

/** mulberry32: small, seeded, good enough to pick malformations. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}

const NASTY_TEXT = [
  '',
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%FF%FE',
  '%C0%AF',
  '%E6%97%A5%E6%9C%AC',
  '0000-01-01',
  '2024-02-30',
  '2024-02-29T24:00:00Z',
  '1970-01-01T00:00:00-23:59',
  '9999-12-31',
  '99999-01-01',
  '1e39',
  '-1e39',
  '1e-50',
  'NaN',
  'Infinity',
  '-0',
  '9223372036854775808',
  '-1',
  '0',
  '1.5',
  '%27%20OR%201%3D1--',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '..%2F..%2Fetc%2Fpasswd',
  '__proto__',
  'constructor',
  'x'.repeat(5000),
  '%F0%9F%92%A9',
  'true',
  'null',
  '[]',
  '{}',
  'eyJzIjoicXVhbGl0eSIsImQiOiJkZXNjIiwidiI6IjFlMzkiLCJpIjoxfQ',
  'eyJzIjoiY3JlYXRlZF9hdCIsImQiOiJkZXNjIiwidiI6IjAwMDAtMDEtMDFUMDA6MDA6MDArMDA6MDAiLCJpIjoxfQ',
  '%',
  '%%',
  '%2',
];

const PARAMS = ['sort', 'dir', 'after', 'before', 'limit', 'forum', 'type', 'qmin', 'qmax', 'rmin', 'rmax', 'from', 'to', 'q', 'orphans', 'bins', 'wait', 'actor', 'action', 'next', 'failed', 'error', 'x', 'table'];
const SEGMENTS = ['%00', '%ED%A0%80', '-1', '0', '1', '999999999999999999999', '1e309', 'NaN', '..', '%2E%2E', '%2F', 'x'.repeat(300), '%E6%97%A5', '00000000-0000-4000-8000-000000000000', 'not-a-uuid', '%25', "'", '"', '%3B'];
const TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/jsonx', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json;;;', 'APPLICATION/JSON'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'];

type Rng = ReturnType<typeof prng>;

function jsonValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 6 : 9);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 1e39, -0, 2 ** 63, Number.MAX_SAFE_INTEGER, 42]);
    case 2:
      return r.chance(0.5);
    case 3:
      return decodeSafe(r.pick(NASTY_TEXT));
    case 4:
      return r.pick(['viewer', 'operator', 'admin', 'root', 'up', 'down', 'public', 'x@y.z', 'a-long-enough-password']);
    case 5:
      return 'é\u0000\ud800'.slice(0, r.int(4));
    case 6:
      return Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = ['email', 'password', 'name', 'role', 'disabled', 'expiresInDays', 'direction', 'expected', 'batch', 'confirm', 'index', 'schema', 'queries', 'k', 'values', 'concurrently', 'pid', 'table', 'currentPassword', 'newPassword', '__proto__', 'extra'];
      for (let i = r.int(4); i > 0; i--) o[r.pick(keys)] = jsonValue(r, depth + 1);
      return o;
    }
  }
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function body(r: Rng): Buffer {
  switch (r.int(8)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return Buffer.from('{"email":');
    case 2:
      return Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]); // {"a":"<invalid UTF-8>"}
    case 3:
      return Buffer.from(`email=${r.pick(NASTY_TEXT)}&password=${r.pick(NASTY_TEXT)}&next=${r.pick(NASTY_TEXT)}`);
    case 4:
      return Buffer.from('['.repeat(2000) + ']'.repeat(2000));
    default:
      return Buffer.from(JSON.stringify(jsonValue(r)) ?? 'null');
  }
}

function fill(template: string, r: Rng): string {
  return template
    .split('/')
    .map((seg) => (/^\[\.\.\.\w+\]$/.test(seg) ? Array.from({ length: 1 + r.int(3) }, () => r.pick(SEGMENTS)).join('/') : /^\[\w+\]$/.test(seg) ? r.pick(SEGMENTS) : seg))
    .join('/');
}

function query(r: Rng): string {
  const n = r.int(5);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`${r.chance(0.9) ? r.pick(PARAMS) : r.pick(NASTY_TEXT)}=${r.pick(NASTY_TEXT)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

type Result = { status: number; ms: number } | { hang: true } | { error: string };

function send(port: number, method: string, target: string, headers: Record<string, string>, payload: Buffer | null): Promise<Result> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - t0 }));
      res.on('error', () => resolve({ status: res.statusCode!, ms: performance.now() - t0 }));
    });
    req.setTimeout(HANG_MS, () => {
      req.destroy();
      resolve({ hang: true });
    });
    req.on('error', (err) => resolve({ error: err.message }));
    if (payload && method !== 'GET' && method !== 'HEAD') req.end(payload);
    else req.end();
  });
}

test(`${REQUESTS} malformed requests across every route: no 5xx, no hang`, async () => {
  test.setTimeout(15 * 60_000);
  const port = Number(E2E_PORT) + 2;
  const base = serverEnv();
  const env: Record<string, string> = { ...base, STRATA_ADMIN_EMAIL: 'fuzz-admin@e2e.test', STRATA_ADMIN_PASSWORD: 'fuzz-admin-password-1' };
  let cleanup: () => Promise<void>;
  if (process.env.E2E_DB_NAME) {
    const admin = knexFactory({ client: 'pg', connection: process.env.TEST_DATABASE_URL!, pool: { min: 0, max: 1 } });
    const name = `strata_e2e_fuzz_${process.pid}`;
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.raw('CREATE DATABASE ??', [name]);
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    env.DATABASE_URL = u.toString();
    cleanup = async () => {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    };
  } else {
    delete env.DATABASE_URL;
    env.STRATA_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-fuzz-'));
    cleanup = async () => fs.rmSync(env.STRATA_DATA_DIR!, { recursive: true, force: true });
  }
  const server = await startServer(port, env);
  try {
    // The guide's tables, so that what passes validation reaches real queries.
    const config = readConfig(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : { STRATA_DATA_DIR: env.STRATA_DATA_DIR });
    const { resolveTarget } = await import('../lib/db/target');
    const db = knexFactory(knexConfig(await resolveTarget(config), config, { readTimeouts: false }));
    await db.migrate.latest();
    await db.destroy();

    const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: env.STRATA_ADMIN_EMAIL, password: env.STRATA_ADMIN_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const tokenRes = await fetch(`${server.url}/api/tokens`, { method: 'POST', headers: { cookie, origin: server.url, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz', role: 'admin' }) });
    const { token } = (await tokenRes.json()) as { token: string };
    // The first drift check replays the migrations on a cold shadow database (about 10 s on 2 cores,
    // BENCHMARKS.md), and the requests that come meanwhile wait for that one; the fuzz is about
    // malformed input, so the replay is made once before it starts, as any earlier visit would.
    const warm = await fetch(`${server.url}/api/migrations/drift`, { headers: { authorization: `Bearer ${token}` } });
    expect(warm.status).toBe(200);

    const api = discoverApiRoutes().flatMap((route) => route.methods.map((m) => ({ path: route.path, method: m })));
    const pages = ['/', '/migrations', '/migrations/history', '/migrations/runs/[id]', '/environments', '/evaluations', '/evaluations/[id]', '/evaluations/distributions', '/vector-health', '/admin/users', '/admin/tokens', '/admin/audit', '/account', '/sign-in'];
    const r = prng(SEED);
    const callers: (() => Record<string, string>)[] = [
      () => ({}),
      () => ({ cookie, origin: server.url, 'sec-fetch-site': 'same-origin' }),
      () => ({ authorization: `Bearer ${token}` }),
      () => ({ authorization: r.pick(['Bearer ', 'Bearer strata_', `Bearer ${'A'.repeat(50)}`, 'Basic Zm9vOmJhcg==', 'Bearer strata_%00']) }),
      () => ({ cookie: `strata.session_token=${r.pick(NASTY_TEXT)}`, origin: r.pick([server.url, 'https://evil.example', 'null']) }),
    ];

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let done = 0;
    const started = performance.now();
    const one = async () => {
      const isPage = r.chance(0.15);
      const route = isPage ? { path: r.pick(pages), method: 'GET' } : r.pick(api);
      const method = r.chance(0.7) ? route.method : r.pick(METHODS);
      let target = fill(route.path, r) + query(r);
      // Sign-out ends the session every other request uses: only with a token (which has none).
      const caller = route.path === '/api/auth/sign-out' ? { authorization: `Bearer ${token}` } : r.pick(callers)();
      const headers: Record<string, string> = { ...caller };
      if (r.chance(0.2)) headers['x-request-id'] = r.pick(['ok-request-id-1', '<bad>', 'x'.repeat(100), '']);
      if (r.chance(0.1)) headers['x-forwarded-for'] = r.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1', '']);
      if (r.chance(0.05)) headers['x-middleware-prefetch'] = '1';
      let payload: Buffer | null = null;
      if (method !== 'GET' && method !== 'HEAD') {
        payload = body(r);
        const type = r.pick(TYPES);
        if (type) headers['content-type'] = type;
      }
      if (r.chance(0.02)) target = `/${r.pick(SEGMENTS)}${query(r)}`;
      const res = await send(port, method, target, headers, payload);
      done++;
      if ('hang' in res) failures.push(`HANG ${method} ${target.slice(0, 120)}`);
      else if ('error' in res) failures.push(`NO ANSWER (${res.error}) ${method} ${target.slice(0, 120)}`);
      else {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${res.status} ${method} ${target.slice(0, 160)} ${JSON.stringify(headers).slice(0, 160)} body=${payload?.toString('utf8').slice(0, 120) ?? ''}`);
      }
    };
    let issued = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (issued < REQUESTS) {
          issued++;
          await one();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const counts = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(`[fuzz] seed ${SEED}: ${done} requests in ${seconds.toFixed(1)} s; statuses ${counts}; 5xx and hangs: ${failures.length}`);
    expect(done).toBe(REQUESTS);
    expect(failures.slice(0, 20)).toEqual([]);
    // The server still answers normally afterwards.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  } finally {
    await server.stop();
    await cleanup();
  }
});
