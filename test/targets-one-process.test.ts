// One dashboard, three targets: development (its own database, the home of users and tokens),
// staging and production (protected), all served by this one process and named per request with
// `?target=`. Through the real route handlers on three databases of the test server: each request
// reads and changes the database it names and no other; a user's role differs per target (a
// viewer on production is refused there and runs on staging); a token scoped to staging cannot act
// on production, and a token acts nowhere above its maker's role there; the "staging first" rule
// is production's; unknown or malformed targets are refused with a sentence that names the targets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getAuth } from '../lib/auth/auth';
import { settleRefusals } from '../lib/auth/refusals';
import { createToken } from '../lib/auth/tokens';
import { createUser } from '../lib/auth/users';
import { closeDb } from '../lib/db/knex';
import { closePeers } from '../lib/db/peers';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import type { AuditEvent, Role, TokenRow, UserRow } from '../lib/schemas/auth';
import type { Forwarded } from '../lib/schemas/audit-forwarding';
import { forwardAudit } from '../lib/auth/audit-forward';
import { closeTargetDbs } from '../lib/targets/scope';
import { freshTestDatabase } from './harness/db';

const mode = inject('testDb').mode;
if (mode !== 'postgres') console.log('[targets-one-process] skipped: targets are server databases; this run uses the embedded database (set TEST_DATABASE_URL)');

const dev = freshTestDatabase();
const staging = freshTestDatabase();
const prod = freshTestDatabase();

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Routes = Record<'signIn' | 'migrations' | 'latest' | 'runs' | 'user' | 'users' | 'tokens' | 'audit' | 'verify' | 'resume', { GET?: Handler; POST?: Handler; PATCH?: Handler }>;
let routes: Routes;
const ORIGIN = 'http://strata.test';
const saved = { ...process.env };
let n = 0;

/** The parts of the answers these tests read (each test checks the status first). */
type Answer = {
  error: { code: string; message: string };
  user: UserRow;
  users: UserRow[];
  run: { id: string; status: string; target: string | null; promotion: unknown };
  record: TokenRow;
  token: string;
  migrations: Array<{ name: string; status: string }>;
  events: AuditEvent[];
  forwarding: Forwarded[];
  report: { ok: boolean; rows: number };
  resumed: { target: string; was: { seq: number; hash: string }; after: number; keptAtHome: number };
};

type Person = { email: string; password: string; id: string; cookie: string };
const people: Record<'admin' | 'second' | 'mixed', Person> = {} as never;

function request(pathAndQuery: string, init: { method?: string; cookie?: string; token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'x-request-id': `one-process-${++n}-${Date.now()}`, 'x-forwarded-for': '198.51.100.40' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.cookie) Object.assign(headers, { cookie: init.cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' });
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return new NextRequest(`${ORIGIN}${pathAndQuery}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

async function call(h: Handler | undefined, pathAndQuery: string, init: Parameters<typeof request>[1] = {}, params: Record<string, string> = {}) {
  const res = await h!(request(pathAndQuery, init), ctx(params));
  return { status: res.status, body: (await res.json()) as Answer };
}

async function makeUser(role: Role, label: string): Promise<Person> {
  const email = `${label}-${Date.now().toString(36)}@one-process.test`;
  const password = `password-of-${label}-${n}`;
  const auth = await getAuth({ knex: dev.knex, target: dev.target });
  const user = await createUser(dev.knex, auth, { email, name: label, role, password });
  const res = await routes.signIn.POST!(request('/api/auth/sign-in', { body: { email, password } }), ctx());
  expect(res.status, `sign-in of ${label}`).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
  return { email, password, id: user.id, cookie };
}

async function applied(db: typeof dev): Promise<string[]> {
  const exists = (await db.knex.raw(`SELECT to_regclass('knex_migrations') AS t`)).rows[0].t;
  return exists ? (await db.knex('knex_migrations').orderBy('id').pluck('name')) : [];
}

/** Waits for a run (read on its own target) to end; its final state. */
async function finished(target: string, id: string, who: Person) {
  for (let i = 0; i < 200; i++) {
    const r = await call(routes.runs.GET, `/api/migrations/runs/${id}?target=${target}`, { cookie: who.cookie }, { id });
    if (r.status === 200 && r.body.run.status !== 'running') return r.body.run as { status: string; target: string | null };
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`run ${id} on ${target} did not end`);
}

describe.skipIf(mode !== 'postgres')('one dashboard serving three targets', () => {
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-one-process-'));
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(path.join(migrations, '001_a.js'), "exports.up = (knex) => knex.raw('CREATE TABLE one_a (id int)');\nexports.down = (knex) => knex.raw('DROP TABLE one_a');\n");
    fs.writeFileSync(
      path.join(dir, 'strata.targets.json'),
      JSON.stringify({
        targets: [
          { name: 'development', label: 'Development', color: '#0284c7', urlEnv: 'DATABASE_URL' },
          { name: 'staging', label: 'Staging', color: '#d97706', urlEnv: 'ONE_STAGING_URL' },
          { name: 'production', label: 'Production', color: '#dc2626', urlEnv: 'ONE_PROD_URL', protected: true },
          { name: 'elsewhere', label: 'Elsewhere', color: '#64748b', urlEnv: 'ONE_UNSET_URL', dashboardUrl: 'https://elsewhere.strata.example' },
          { name: 'broken', label: 'Broken', color: '#64748b', urlEnv: 'ONE_BROKEN_URL' },
        ],
      }),
    );
    delete process.env.STRATA_TARGET;
    delete process.env.ONE_UNSET_URL;
    Object.assign(process.env, {
      DATABASE_URL: dev.url,
      ONE_STAGING_URL: staging.url,
      ONE_PROD_URL: prod.url,
      // A port where nothing listens.
      ONE_BROKEN_URL: 'postgresql://postgres@127.0.0.1:9/nothing',
      STRATA_TARGETS_FILE: path.join(dir, 'strata.targets.json'),
      STRATA_MIGRATIONS_DIR: migrations,
    });
    await ensureStrataSchema(dev.knex);
    routes = {
      signIn: await import('../app/api/auth/sign-in/route'),
      migrations: await import('../app/api/migrations/route'),
      latest: await import('../app/api/migrations/latest/route'),
      runs: await import('../app/api/migrations/runs/[id]/route'),
      user: await import('../app/api/users/[id]/route'),
      users: await import('../app/api/users/route'),
      tokens: await import('../app/api/tokens/route'),
      audit: await import('../app/api/audit/route'),
      verify: await import('../app/api/audit/verify/route'),
      resume: await import('../app/api/audit/forwarding/route'),
    } as unknown as Routes;
    people.admin = await makeUser('admin', 'admin');
    people.second = await makeUser('admin', 'second');
    people.mixed = await makeUser('operator', 'mixed');
  }, 60_000);

  afterAll(async () => {
    await settleRefusals();
    await closeTargetDbs();
    await closePeers();
    await closeDb();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('refuses a target it does not know, one it cannot reach, and a malformed or repeated one, naming the targets', async () => {
    const unknown = await call(routes.migrations.GET, '/api/migrations?target=nowhere', { cookie: people.admin.cookie });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/there is no target named "nowhere" in .*strata\.targets\.json \(targets: development, staging, production, elsewhere, broken\)/);
    const notHere = await call(routes.migrations.GET, '/api/migrations?target=elsewhere', { cookie: people.admin.cookie });
    expect(notHere.status).toBe(409);
    expect(notHere.body.error.message).toBe('target: Elsewhere is not served by this dashboard: ONE_UNSET_URL is not set in its environment (its dashboard is https://elsewhere.strata.example)');
    expect((await call(routes.migrations.GET, '/api/migrations?target=DROP%20TABLE', { cookie: people.admin.cookie })).status).toBe(400);
    const twice = await call(routes.migrations.GET, '/api/migrations?target=staging&target=production', { cookie: people.admin.cookie });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toBe('target: give it once');
    // A target whose database does not answer: a 503 naming it; the others answer as before.
    const down = await call(routes.migrations.GET, '/api/migrations?target=broken', { cookie: people.admin.cookie });
    expect(down.status).toBe(503);
    expect(down.body.error.message).toMatch(/^The database of Broken cannot be used: the server refused the connection/);
    expect((await call(routes.migrations.GET, '/api/migrations?target=staging', { cookie: people.admin.cookie })).status).toBe(200);
  });

  it('gives a user a role per target: a viewer on production is refused there and runs on staging', async () => {
    const set = await call(routes.user.PATCH, `/api/users/${people.mixed.id}`, { method: 'PATCH', cookie: people.admin.cookie, body: { targetRoles: { production: 'viewer' } } }, { id: people.mixed.id });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.user).toMatchObject({ role: 'operator', targetRoles: { production: 'viewer' } });
    const list = await call(routes.users.GET, '/api/users', { cookie: people.admin.cookie });
    expect(list.body.users.find((u) => u.id === people.mixed.id)!.targetRoles).toEqual({ production: 'viewer' });

    const refused = await call(routes.latest.POST, '/api/migrations/latest?target=production', { cookie: people.mixed.cookie, body: { expected: ['001_a.js'] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('The viewer role on Production may not run pending migrations');
    expect(await applied(prod)).toEqual([]);

    const started = await call(routes.latest.POST, '/api/migrations/latest?target=staging', { cookie: people.mixed.cookie, body: { expected: ['001_a.js'] } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = await finished('staging', started.body.run.id, people.mixed);
    expect(run).toMatchObject({ status: 'succeeded', target: 'staging' });
    // Staging changed; development (the home) and production did not.
    expect(await applied(staging)).toEqual(['001_a.js']);
    expect(await applied(dev)).toEqual([]);
    expect(await applied(prod)).toEqual([]);
    // The run and its audit row are on staging, naming the actor from the home database.
    const onStaging = await staging.knex('strata.migration_runs').where({ id: started.body.run.id }).first('target_name', 'actor_label');
    expect(onStaging).toEqual({ target_name: 'staging', actor_label: people.mixed.email });
    expect(await dev.knex('strata.migration_runs').where({ id: started.body.run.id }).first()).toBeUndefined();
    const audit = await staging.knex('strata.audit_events').whereRaw(`details->>'runId' = ?`, [started.body.run.id]).select('action', staging.knex.raw(`details->>'target' AS target`));
    expect(audit).toContainEqual({ action: 'migrations.latest', target: 'staging' });
    // The refusal on production is in the home trail (where refusals go), naming the target asked for.
    await settleRefusals();
    const denied = await dev.knex('strata.audit_events').where({ action: 'access.denied', actor_label: people.mixed.email }).select(dev.knex.raw(`details->>'target' AS target`), dev.knex.raw(`details->>'path' AS path`));
    expect(denied).toContainEqual({ target: 'production', path: '/api/migrations/latest' });
  }, 60_000);

  it("applies production's own rule to a request naming production: staging first, then allowed", async () => {
    // The migration is now on staging from the same file: an admin (an admin on production) may run it there.
    const ok = await call(routes.latest.POST, '/api/migrations/latest?target=production&wait=1', { cookie: people.admin.cookie, body: { expected: ['001_a.js'] } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.run).toMatchObject({ status: 'succeeded', target: 'production' });
    expect(ok.body.run.promotion).toMatchObject({ check: { applies: true, allowed: true, previous: { name: 'staging' } }, override: null });
    expect(await applied(prod)).toEqual(['001_a.js']);
    expect(await applied(dev)).toEqual([]);
    // On development (not protected) the rule does not apply.
    fs.writeFileSync(path.join(process.env.STRATA_MIGRATIONS_DIR!, '002_b.js'), "exports.up = (knex) => knex.raw('CREATE TABLE one_b (id int)');\nexports.down = (knex) => knex.raw('DROP TABLE one_b');\n");
    const refused = await call(routes.latest.POST, '/api/migrations/latest?target=production', { cookie: people.admin.cookie, body: { expected: ['002_b.js'] } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/^Production is protected: a migration runs here only after it ran on Staging from the same file\. 002_b\.js has not been applied on Staging/);
    expect(await applied(prod)).toEqual(['001_a.js']);
  }, 60_000);

  it('keeps a token to the targets it names, and below its maker’s role on each', async () => {
    const made = await call(routes.tokens.POST, '/api/tokens', { cookie: people.admin.cookie, body: { name: 'staging deploys', role: 'operator', targets: ['staging'] } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.record.targets).toEqual(['staging']);
    const token = made.body.token;
    expect((await call(routes.migrations.GET, '/api/migrations?target=staging', { token })).status).toBe(200);
    const refused = await call(routes.migrations.GET, '/api/migrations?target=production', { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('This token may act on staging only, not on Production');
    // Without a target it acts on this dashboard's own, development: not one it names.
    expect((await call(routes.migrations.GET, '/api/migrations', { token })).status).toBe(403);

    const badTarget = await call(routes.tokens.POST, '/api/tokens', { cookie: people.admin.cookie, body: { name: 'typo', role: 'viewer', targets: ['stagin'] } });
    expect(badTarget.status).toBe(400);
    expect(badTarget.body.error.message).toMatch(/^targets: "stagin" is not a target of .* \(targets: development, staging, production, elsewhere, broken\)$/);

    // A token of the mixed user (operator, a viewer on production) acts as a viewer on production.
    const theirs = await createToken(dev.knex, { name: 'mixed automation', role: 'operator', createdBy: people.mixed.email, owner: { kind: 'user', userId: people.mixed.id } });
    const onProd = await call(routes.latest.POST, '/api/migrations/latest?target=production', { token: theirs.token, body: { expected: ['002_b.js'] } });
    expect(onProd.status).toBe(403);
    expect(onProd.body.error.message).toBe('The viewer role on Production may not run pending migrations');
    expect((await call(routes.migrations.GET, '/api/migrations?target=production', { token: theirs.token })).status).toBe(200);
  }, 60_000);

  it('never leaves a target without an enabled admin, and refuses a role on a target the file does not name', async () => {
    const first = await call(routes.user.PATCH, `/api/users/${people.second.id}`, { method: 'PATCH', cookie: people.admin.cookie, body: { targetRoles: { production: 'viewer' } } }, { id: people.second.id });
    expect(first.status).toBe(200);
    const last = await call(routes.user.PATCH, `/api/users/${people.admin.id}`, { method: 'PATCH', cookie: people.admin.cookie, body: { targetRoles: { production: 'operator' } } }, { id: people.admin.id });
    expect(last.status).toBe(409);
    expect(last.body.error.message).toBe('This would leave Production without an enabled admin; make another user an admin there first');
    // Nothing changed: the admin is still an admin on production.
    expect((await dev.knex('strata.user_target_roles').where({ user_id: people.admin.id })).length).toBe(0);
    const unknown = await call(routes.user.PATCH, `/api/users/${people.second.id}`, { method: 'PATCH', cookie: people.admin.cookie, body: { targetRoles: { prod: 'viewer' } } }, { id: people.second.id });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^targetRoles: "prod" is not a target of /);
    const back = await call(routes.user.PATCH, `/api/users/${people.second.id}`, { method: 'PATCH', cookie: people.admin.cookie, body: { targetRoles: { production: null } } }, { id: people.second.id });
    expect(back.body.user.targetRoles).toEqual({});
  });

  it('judges user management by the caller’s own role, whatever target the request names', async () => {
    // The mixed user is an admin on staging only: that does not make them an admin of the dashboard.
    await call(routes.user.PATCH, `/api/users/${people.mixed.id}`, { method: 'PATCH', cookie: people.admin.cookie, body: { targetRoles: { staging: 'admin' } } }, { id: people.mixed.id });
    const r = await call(routes.users.GET, '/api/users?target=staging', { cookie: people.mixed.cookie });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toBe('The operator role may not manage users');
  });

  it('reads the database each request names, and its own without one', async () => {
    const status = async (q: string) => {
      const r = await call(routes.migrations.GET, `/api/migrations${q}`, { cookie: people.admin.cookie });
      expect(r.status).toBe(200);
      return r.body.migrations.map((m) => `${m.name}:${m.status}`);
    };
    expect(await status('')).toEqual(['001_a.js:pending', '002_b.js:pending']);
    expect(await status('?target=development')).toEqual(['001_a.js:pending', '002_b.js:pending']);
    expect(await status('?target=staging')).toEqual(['001_a.js:applied', '002_b.js:pending']);
    expect(await status('?target=production')).toEqual(['001_a.js:applied', '002_b.js:pending']);
  });

  it("gathers every target's trail into the home one: in order, each row once, naming its target", async () => {
    const staged = async () => (await staging.knex('strata.audit_events').orderBy('seq').select('seq', 'hash', 'action')) as Array<{ seq: string; hash: string; action: string }>;
    const atHome = async (from: string) =>
      (await dev.knex('strata.audit_events').whereRaw(`details->'forwarded'->>'from' = ?`, [from]).orderBy('id').select(dev.knex.raw(`(details->'forwarded'->>'seq')::bigint AS seq`), dev.knex.raw(`details->'forwarded'->>'hash' AS hash`), 'action')) as Array<{ seq: string; hash: string; action: string }>;
    const first = await call(routes.audit.GET, '/api/audit?limit=200', { cookie: people.admin.cookie });
    expect(first.status).toBe(200);
    const onStaging = await staged();
    expect(onStaging.length).toBeGreaterThan(0);
    expect(first.body.forwarding.find((f) => f.target === 'staging')).toEqual({ target: 'staging', label: 'Staging', copied: onStaging.length, more: false, problem: null });
    expect(first.body.forwarding.map((f) => f.target).sort()).toEqual(['broken', 'production', 'staging']);
    // The same rows, in the same order, with their hashes there.
    expect((await atHome('staging')).map((r) => [String(r.seq), r.hash, r.action])).toEqual(onStaging.map((r) => [String(r.seq), r.hash, r.action]));
    // The run on staging, in the home trail, naming its target.
    const run = first.body.events.find((e) => e.action === 'migrations.latest' && e.target === 'staging');
    expect(run).toBeDefined();
    expect(run!.details.forwarded).toMatchObject({ from: 'staging' });

    // Read again, and by two at once: nothing is copied twice.
    const again = await call(routes.audit.GET, '/api/audit', { cookie: people.admin.cookie });
    expect(again.body.forwarding.find((f) => f.target === 'staging')!.copied).toBe(0);
    await staging.knex('strata.audit_events').insert({ actor_type: 'system', actor_label: 'test', action: 'test.marker', outcome: 'success', target_database: 'test' });
    const home = { knex: dev.knex, target: dev.target };
    const source = { name: 'staging', label: 'Staging', db: { knex: staging.knex, target: staging.target } };
    const both = await Promise.all([forwardAudit(home, source), forwardAudit(home, source)]);
    expect(both.map((b) => b.copied).sort()).toEqual([0, 1]);
    expect((await atHome('staging')).length).toBe((await staged()).length);

    // The home chain still verifies, forwarded rows and all.
    const verified = await call(routes.verify.POST, '/api/audit/verify', { cookie: people.admin.cookie, body: {} });
    expect(verified.body.report.ok).toBe(true);
  });

  it("stops copying from a target whose trail was rewritten, and says so", async () => {
    const last = (await staging.knex('strata.audit_events').orderBy('seq', 'desc').first('seq')) as { seq: string };
    // Someone with the owner's rights rewrites the last row copied (the trigger would refuse Strata's connection).
    await staging.knex.raw('ALTER TABLE strata.audit_events DISABLE TRIGGER USER');
    await staging.knex('strata.audit_events').where({ seq: last.seq }).update({ hash: 'f'.repeat(64) });
    await staging.knex.raw('ALTER TABLE strata.audit_events ENABLE TRIGGER USER');
    await staging.knex('strata.audit_events').insert({ actor_type: 'system', actor_label: 'test', action: 'test.after', outcome: 'success', target_database: 'test' });
    const read = await call(routes.audit.GET, '/api/audit', { cookie: people.admin.cookie });
    const staged = read.body.forwarding.find((f) => f.target === 'staging')!;
    expect(staged.copied).toBe(0);
    expect(staged.problem).toMatch(new RegExp(`^the trail on Staging \\(.+\\) no longer holds the row copied as number ${last.seq}: its hash is ffffffffffff…, it was [0-9a-f]{12}…\\. It was rewritten, or the database was restored from an earlier backup; nothing more is copied from it\\.$`));
    expect(await dev.knex('strata.audit_events').whereRaw(`details->>'action' = 'test.after' OR action = 'test.after'`).count<{ count: string }[]>()).toEqual([{ count: '0' }]);
    // Production still copies.
    expect(read.body.forwarding.find((f) => f.target === 'production')!.problem).toBeNull();

    // An admin resumes: copying goes on after the last row both trails share; what was copied stays.
    const copiedBefore = Number((await dev.knex('strata.audit_events').whereRaw(`details->'forwarded'->>'from' = 'staging'`).count<{ n: string }[]>({ n: '*' }))[0]!.n);
    const notYet = await call(routes.resume.POST, '/api/audit/forwarding', { cookie: people.admin.cookie, body: { resume: 'production' } });
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.message).toBe('Copying from Production has not stopped: there is nothing to resume.');
    const resumed = await call(routes.resume.POST, '/api/audit/forwarding', { cookie: people.admin.cookie, body: { resume: 'staging' } });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body.resumed).toMatchObject({ target: 'staging', was: { seq: Number(last.seq) }, after: Number(last.seq) - 1, keptAtHome: 1 });
    const next = await call(routes.audit.GET, '/api/audit', { cookie: people.admin.cookie });
    // The rewritten row (as it is now) and the one after it.
    expect(next.body.forwarding.find((f) => f.target === 'staging')).toMatchObject({ copied: 2, problem: null });
    expect(Number((await dev.knex('strata.audit_events').whereRaw(`details->'forwarded'->>'from' = 'staging'`).count<{ n: string }[]>({ n: '*' }))[0]!.n)).toBe(copiedBefore + 2);
    expect(next.body.events.find((e) => e.action === 'audit.copy_resumed')).toMatchObject({ actorLabel: people.admin.email, target: 'staging' });
    // A viewer may not.
    expect((await call(routes.resume.POST, '/api/audit/forwarding', { cookie: people.mixed.cookie, body: { resume: 'staging' } })).status).toBe(403);
    expect(read.body.forwarding.find((f) => f.target === 'broken')!.problem).toMatch(/^Broken could not be read: the server refused the connection/);
  });
});
