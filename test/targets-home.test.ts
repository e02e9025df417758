// A home database of its own (STRATA_HOME_DATABASE_URL): users, sessions and tokens live there,
// and no target's data; a request that names no target acts on the first target of the file; the
// home trail gathers every target's, since none of them is the home database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getAuth } from '../lib/auth/auth';
import { settleRefusals } from '../lib/auth/refusals';
import { createUser } from '../lib/auth/users';
import { closeDb } from '../lib/db/knex';
import { closePeers } from '../lib/db/peers';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import type { AuditEvent } from '../lib/schemas/auth';
import type { Forwarded } from '../lib/schemas/audit-forwarding';
import { closeTargetDbs } from '../lib/targets/scope';
import { freshTestDatabase } from './harness/db';

const mode = inject('testDb').mode;
if (mode !== 'postgres') console.log('[targets-home] skipped: targets are server databases; this run uses the embedded database (set TEST_DATABASE_URL)');

const home = freshTestDatabase();
const dev = freshTestDatabase();
const staging = freshTestDatabase();

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Answer = { run: { id: string; status: string; target: string | null }; migrations: Array<{ name: string; status: string }>; events: AuditEvent[]; forwarding: Forwarded[] };
const ORIGIN = 'http://strata.test';
const saved = { ...process.env };
let cookie = '';
let routes: Record<'signIn' | 'migrations' | 'latest' | 'audit', { GET?: Handler; POST?: Handler }>;

function request(p: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-forwarded-for': '198.51.100.41', cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new NextRequest(`${ORIGIN}${p}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
async function call(h: Handler | undefined, p: string, body?: unknown) {
  const res = await h!(request(p, body), { params: Promise.resolve({}) });
  return { status: res.status, body: (await res.json()) as Answer };
}
const applied = async (db: typeof dev) => ((await db.knex.raw(`SELECT to_regclass('knex_migrations') AS t`)).rows[0].t ? await db.knex('knex_migrations').pluck('name') : []);

describe.skipIf(mode !== 'postgres')('a home database of its own', () => {
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-home-'));
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(path.join(migrations, '001_h.js'), "exports.up = (knex) => knex.raw('CREATE TABLE home_h (id int)');\nexports.down = (knex) => knex.raw('DROP TABLE home_h');\n");
    fs.writeFileSync(
      path.join(dir, 'strata.targets.json'),
      JSON.stringify({
        targets: [
          { name: 'development', label: 'Development', color: '#0284c7', urlEnv: 'HOME_T_DEV_URL' },
          { name: 'staging', label: 'Staging', color: '#d97706', urlEnv: 'HOME_T_STAGING_URL' },
        ],
      }),
    );
    delete process.env.DATABASE_URL;
    delete process.env.STRATA_TARGET;
    Object.assign(process.env, {
      STRATA_HOME_DATABASE_URL: home.url,
      HOME_T_DEV_URL: dev.url,
      HOME_T_STAGING_URL: staging.url,
      STRATA_TARGETS_FILE: path.join(dir, 'strata.targets.json'),
      STRATA_MIGRATIONS_DIR: migrations,
    });
    await ensureStrataSchema(home.knex);
    routes = {
      signIn: await import('../app/api/auth/sign-in/route'),
      migrations: await import('../app/api/migrations/route'),
      latest: await import('../app/api/migrations/latest/route'),
      audit: await import('../app/api/audit/route'),
    } as unknown as typeof routes;
    const auth = await getAuth({ knex: home.knex, target: home.target });
    await createUser(home.knex, auth, { email: 'home-admin@home.test', name: 'admin', role: 'admin', password: 'home-admin-password' });
    const res = await routes.signIn.POST!(request('/api/auth/sign-in', { email: 'home-admin@home.test', password: 'home-admin-password' }), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    cookie = res.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
  }, 60_000);

  afterAll(async () => {
    await settleRefusals();
    await closeTargetDbs();
    await closePeers();
    await closeDb();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('keeps the users at home and acts on the first target when a request names none', async () => {
    // The session was checked against the home database: the targets have no users.
    expect(await dev.knex.raw(`SELECT to_regclass('strata.users') AS t`).then((r) => r.rows[0].t)).toBeNull();
    const ran = await call(routes.latest.POST, '/api/migrations/latest?wait=1', { expected: ['001_h.js'] });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body.run).toMatchObject({ status: 'succeeded', target: 'development' });
    expect(await applied(dev)).toEqual(['001_h.js']);
    expect(await applied(home)).toEqual([]);
    expect(await applied(staging)).toEqual([]);
    const onStaging = await call(routes.migrations.GET, '/api/migrations?target=staging');
    expect(onStaging.body.migrations.map((m) => m.status)).toEqual(['pending']);
  });

  it("gathers both targets' trails at home, since neither is the home database", async () => {
    const read = await call(routes.audit.GET, '/api/audit?limit=200');
    expect(read.status).toBe(200);
    expect(read.body.forwarding.map((f) => [f.target, f.problem])).toEqual([
      ['development', null],
      ['staging', null],
    ]);
    expect(read.body.forwarding[0]!.copied).toBeGreaterThan(0);
    expect(read.body.events.filter((e) => e.action === 'migrations.latest').map((e) => e.target)).toEqual(['development']);
  });
});
