// Sign-in, sessions, tokens, throttling and the audit trail against a real database.
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForToken, createToken, listTokens, revokeToken } from '../lib/auth/tokens';
import { authenticate, touchAfterMs } from '../lib/auth/actor';
import { recordAudit } from '../lib/auth/audit';
import { getAuth, type Auth } from '../lib/auth/auth';
import { MissingAuthSecretError, readAuthConfig, startupProblem, type AuthConfig } from '../lib/auth/config';
import { hashSessionToken } from '../lib/auth/session-tokens';
import { signIn } from '../lib/auth/sign-in';
import { accountDelayMs, finishAttempt, MAX_DELAY_MS, startAttempt } from '../lib/auth/throttle';
import { createUser, findUserByEmail, updateUser } from '../lib/auth/users';
import { ApiError } from '../lib/api/errors';
import { migrationsConfig } from '../lib/db/knex-config';
import { strataMigrationSource } from '../db/strata';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { freshTestDatabase } from './harness/db';
import { migrationFiles } from './harness/migration-files';
import { run } from './harness/run';

const db = freshTestDatabase();
let auth: Auth;
const config: AuthConfig = readAuthConfig({ STRATA_AUTH_SECRET: process.env.STRATA_AUTH_SECRET, STRATA_SIGNIN_MAX_FAILURES: '3', STRATA_SIGNIN_MAX_FAILURES_PER_IP: '6' });
const PASSWORD = 'a-long-enough-password';

beforeAll(async () => {
  auth = await getAuth(db, config);
  await createUser(db.knex, auth, { email: 'admin@test.example', name: 'Admin', role: 'admin', password: PASSWORD });
});

function cookieHeaders(setCookies: string[]): Headers {
  return new Headers({ cookie: setCookies.map((c) => c.split(';')[0]).join('; ') });
}

const signInAs = (email: string, password = PASSWORD, ip = '10.0.0.1') =>
  signIn({ knex: db.knex, target: db.target }, auth, config, { email, password, ip, headers: new Headers(), requestId: 'test-request' });

describe("Strata's own schema", () => {
  it('is created once however many processes start at once, and the user migrations never see it', async () => {
    await Promise.all([ensureStrataSchema(db.knex), ensureStrataSchema(db.knex), ensureStrataSchema(db.knex)]);
    const applied = await db.knex('strata.strata_migrations').orderBy('id').pluck('name');
    // Each once, in order: every one of Strata's own migrations (db/strata/index.ts).
    expect(applied).toEqual(await strataMigrationSource.getMigrations([]));
    expect(applied.slice(0, 2)).toEqual(['0001_auth', '0002_migration_runs']);
    const migrator = db.knex.migrate;
    const [, pending] = (await migrator.list(migrationsConfig(db.config))) as [unknown[], { file: string }[]];
    expect(pending.map((p) => p.file)).toEqual(migrationFiles());
    await migrator.latest(migrationsConfig(db.config));
    await migrator.rollback(migrationsConfig(db.config), true);
    // Rolling back every user migration left Strata's users in place.
    expect(await findUserByEmail(db.knex, 'admin@test.example')).toBeTruthy();
    const userTables = await db.knex('knex_migrations').count<{ n: string }[]>({ n: '*' });
    expect(Number(userTables[0]!.n)).toBe(0);
  });

  it('keeps the audit trail append-only', async () => {
    await recordAudit({ knex: db.knex, target: db.target }, { actor: { kind: 'system', label: 'test' }, action: 'test.event', outcome: 'success' });
    await expect(db.knex('strata.audit_events').update({ outcome: 'failure' })).rejects.toThrow(/append-only/);
    await expect(db.knex('strata.audit_events').delete()).rejects.toThrow(/append-only/);
    await expect(db.knex.raw('TRUNCATE strata.audit_events')).rejects.toThrow(/append-only/);
    expect(await db.knex('strata.audit_events').where({ action: 'test.event' }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '1' }]);
  });
});

describe('sessions', () => {
  it('a right password gives a session cookie that authenticates as the user and role', async () => {
    const { actor, setCookies } = await signInAs('admin@test.example');
    expect(actor).toMatchObject({ kind: 'user', label: 'admin@test.example', role: 'admin' });
    const cookie = setCookies.find((c) => c.startsWith('strata.session_token='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const who = await authenticate(db.knex, auth, config, cookieHeaders(setCookies));
    expect(who?.actor).toMatchObject({ label: 'admin@test.example', role: 'admin' });
  });

  it('a wrong password is refused and audited without the password', async () => {
    const err = await signInAs('admin@test.example', 'not-the-password-at-all').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    const row = await db.knex('strata.audit_events').where({ action: 'auth.sign_in_failed' }).orderBy('id', 'desc').first();
    expect(row).toMatchObject({ actor_label: 'admin@test.example', outcome: 'failure', ip: '10.0.0.1', request_id: 'test-request' });
    expect(JSON.stringify(row)).not.toContain('not-the-password-at-all');
  });

  it('stores only the hash of the session token, and finds the session by it', async () => {
    const { setCookies } = await signInAs('admin@test.example');
    const token = decodeURIComponent(setCookies.find((c) => c.startsWith('strata.session_token='))!.split(';')[0]!.split('=')[1]!).split('.')[0]!;
    expect(token.length).toBeGreaterThan(20);
    expect(await db.knex('strata.sessions').where({ token }).first()).toBeUndefined();
    const stored = await db.knex('strata.sessions').where({ token: hashSessionToken(token) }).first();
    expect(stored).toBeTruthy();
    const who = await authenticate(db.knex, auth, config, cookieHeaders(setCookies));
    expect(who?.sessionId).toBe(stored.id);
    // Signing out deletes the session found through the hash.
    await auth.api.signOut({ headers: cookieHeaders(setCookies) });
    expect(await db.knex('strata.sessions').where({ id: stored.id }).first()).toBeUndefined();
  });

  it('keeps an active session alive under a one-minute idle limit: last use is written at a tenth of the limit', async () => {
    const short = readAuthConfig({ STRATA_AUTH_SECRET: process.env.STRATA_AUTH_SECRET, STRATA_SESSION_IDLE_MINUTES: '1' });
    expect(touchAfterMs(short.sessionIdleMs)).toBe(6_000);
    const { setCookies } = await signInAs('admin@test.example');
    const headers = cookieHeaders(setCookies);
    const id = (await authenticate(db.knex, auth, short, headers))!.sessionId;
    // Used 40 s ago: still alive, and this use is written (a 60 s step left it at 40 s, to die at 60).
    await db.knex('strata.sessions').where({ id }).update({ updated_at: db.knex.raw(`now() - interval '40 seconds'`) });
    expect(await authenticate(db.knex, auth, short, headers)).not.toBeNull();
    const age = await db.knex('strata.sessions').where({ id }).first<{ s: number }>(db.knex.raw('extract(epoch from now() - updated_at)::float AS s'));
    expect(age.s).toBeLessThan(5);
  });

  it('an idle session and one past its absolute expiry stop working and are deleted', async () => {
    for (const column of ['updated_at', 'expires_at'] as const) {
      const { setCookies } = await signInAs('admin@test.example');
      const headers = cookieHeaders(setCookies);
      const who = await authenticate(db.knex, auth, config, headers);
      expect(who).not.toBeNull();
      await db.knex('strata.sessions').where({ id: who!.sessionId }).update({ [column]: db.knex.raw(`now() - interval '3 hours'`) });
      expect(await authenticate(db.knex, auth, config, headers)).toBeNull();
      if (column === 'updated_at') expect(await db.knex('strata.sessions').where({ id: who!.sessionId }).first()).toBeUndefined();
    }
  });

  it('changing a role or disabling a user ends their sessions; a disabled user cannot sign in', async () => {
    await createUser(db.knex, auth, { email: 'op@test.example', name: 'Op', role: 'operator', password: PASSWORD });
    const first = await signInAs('op@test.example');
    const user = (await findUserByEmail(db.knex, 'op@test.example'))!;
    await updateUser(db.knex, user.id, { role: 'viewer' });
    expect(await authenticate(db.knex, auth, config, cookieHeaders(first.setCookies))).toBeNull();
    const second = await signInAs('op@test.example');
    expect(second.actor.role).toBe('viewer');
    await updateUser(db.knex, user.id, { disabled: true });
    expect(await authenticate(db.knex, auth, config, cookieHeaders(second.setCookies))).toBeNull();
    await expect(signInAs('op@test.example')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('the last enabled admin cannot be demoted or disabled', async () => {
    const admin = (await findUserByEmail(db.knex, 'admin@test.example'))!;
    await expect(updateUser(db.knex, admin.id, { role: 'viewer' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(updateUser(db.knex, admin.id, { disabled: true })).rejects.toMatchObject({ code: 'conflict' });
    expect((await findUserByEmail(db.knex, 'admin@test.example'))!.role).toBe('admin');
  });
});

describe('throttling', () => {
  const limits = { maxFailures: 3, maxFailuresPerIp: 6, windowMs: 15 * 60_000 };
  const fail = async (email: string, ip: string) => {
    const a = await startAttempt(db.knex, email, ip, limits);
    expect(a, `${email} from ${ip}`).toHaveProperty('id');
    await finishAttempt(db.knex, (a as { id: string }).id, false);
  };

  it('refuses the N+1th attempt for an account from one address, and a success there starts the count again', async () => {
    const email = 'throttle-1@test.example';
    for (let i = 0; i < 2; i++) await fail(email, '10.1.0.1');
    const ok = await startAttempt(db.knex, email, '10.1.0.1', limits);
    await finishAttempt(db.knex, (ok as { id: string }).id, true);
    for (let i = 0; i < 3; i++) await fail(email, '10.1.0.1');
    const refused = await startAttempt(db.knex, email, '10.1.0.1', limits);
    expect(refused).toMatchObject({ throttled: 'account and address' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('never blocks an account from another address: it slows it down instead', async () => {
    const email = 'throttle-2@test.example';
    for (let i = 0; i < 3; i++) await fail(email, `10.5.0.${i + 1}`);
    const other = await startAttempt(db.knex, email, '10.5.9.9', limits);
    expect(other).toMatchObject({ delayMs: accountDelayMs(3, 3) });
    expect((other as { delayMs: number }).delayMs).toBeGreaterThan(0);
    expect(accountDelayMs(2, 3)).toBe(0);
    expect(accountDelayMs(40, 3)).toBe(MAX_DELAY_MS);
  });

  it('refuses an address after its limit across accounts', async () => {
    for (let i = 0; i < 6; i++) await fail(`spray-${i}@test.example`, '10.2.0.1');
    expect(await startAttempt(db.knex, 'spray-new@test.example', '10.2.0.1', limits)).toMatchObject({ throttled: 'address' });
    expect(await startAttempt(db.knex, 'spray-new@test.example', '10.2.0.2', limits)).toHaveProperty('id');
  });

  it('lets at most N of many simultaneous guesses from one address through', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => startAttempt(db.knex, 'burst@test.example', '10.3.0.1', limits)));
    const through = results.filter((r) => 'id' in r);
    expect(through.length).toBeLessThanOrEqual(limits.maxFailures);
    // Refused attempts are not guesses: once the burst is over, the count is what got through.
    for (const r of through) await finishAttempt(db.knex, (r as { id: string }).id, false);
    const next = await startAttempt(db.knex, 'burst@test.example', '10.3.0.1', limits);
    expect('id' in next).toBe(through.length < limits.maxFailures);
  });

  it('during an attack on the admin from one address, the right password from a clean address still signs in', async () => {
    await createUser(db.knex, auth, { email: 'victim@test.example', name: 'V', role: 'admin', password: PASSWORD });
    for (let i = 0; i < 3; i++) await expect(signInAs('victim@test.example', `wrong-${i}-password`, '10.4.0.1')).rejects.toMatchObject({ status: 401 });
    // The attacker's address is blocked for this account, even with the right password...
    await expect(signInAs('victim@test.example', PASSWORD, '10.4.0.1')).rejects.toMatchObject({ status: 429 });
    const throttled = await db.knex('strata.audit_events').where({ action: 'auth.sign_in_throttled', actor_label: 'victim@test.example' });
    expect(throttled).toHaveLength(1);
    // ...while the admin, elsewhere, signs in (slowed down, not refused).
    const ok = await signInAs('victim@test.example', PASSWORD, '10.4.0.2');
    expect(ok.actor).toMatchObject({ label: 'victim@test.example', role: 'admin' });
  });
});

describe('API tokens', () => {
  it('work until revoked, record their last use, and are stored only as a hash', async () => {
    const { token, record } = await createToken(db.knex, { name: 'deploy', role: 'operator', createdBy: 'test', owner: { kind: 'cli' } });
    expect(token).toMatch(/^strata_[A-Za-z0-9_-]{43}$/);
    const stored = await db.knex('strata.api_tokens').where({ id: record.id }).first();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await actorForToken(db.knex, token, '10.9.0.1')).toEqual({ kind: 'token', id: record.id, label: 'deploy', role: 'operator' });
    const used = await db.knex('strata.api_tokens').where({ id: record.id }).first();
    expect(used.last_used_at).toBeInstanceOf(Date);
    expect(used.last_used_ip).toBe('10.9.0.1');
    await revokeToken(db.knex, record.id, 'test');
    expect(await actorForToken(db.knex, token, null)).toBeNull();
  });

  it('an expired, unknown or malformed token is refused', async () => {
    const { token, record } = await createToken(db.knex, { name: 'short', role: 'viewer', createdBy: 'test', expiresInDays: 1, owner: { kind: 'cli' } });
    await db.knex('strata.api_tokens').where({ id: record.id }).update({ expires_at: db.knex.raw(`now() - interval '1 second'`) });
    expect(await actorForToken(db.knex, token, null)).toBeNull();
    expect(await actorForToken(db.knex, `strata_${'A'.repeat(43)}`, null)).toBeNull();
    expect(await actorForToken(db.knex, "strata_' OR 1=1 --", null)).toBeNull();
  });

  it('stop working when their maker is disabled or no longer holds their role, and work again when that is undone', async () => {
    await createUser(db.knex, auth, { email: 'maker@test.example', name: 'Maker', role: 'admin', password: PASSWORD });
    const maker = (await findUserByEmail(db.knex, 'maker@test.example'))!;
    const owner = { kind: 'user' as const, userId: maker.id };
    const admin = await createToken(db.knex, { name: 'maker-admin', role: 'admin', createdBy: 'maker@test.example', owner });
    const viewer = await createToken(db.knex, { name: 'maker-viewer', role: 'viewer', createdBy: 'maker@test.example', owner });
    expect(await actorForToken(db.knex, admin.token, null)).toMatchObject({ role: 'admin' });

    await updateUser(db.knex, maker.id, { role: 'operator' });
    expect(await actorForToken(db.knex, admin.token, null)).toBeNull();
    expect(await actorForToken(db.knex, viewer.token, null)).toMatchObject({ role: 'viewer' });
    const listed = Object.fromEntries((await listTokens(db.knex)).map((t) => [t.name, t.suspended]));
    expect(listed['maker-admin']).toBe('its maker no longer has the admin role');
    expect(listed['maker-viewer']).toBeNull();

    await updateUser(db.knex, maker.id, { disabled: true });
    expect(await actorForToken(db.knex, viewer.token, null)).toBeNull();
    expect((await listTokens(db.knex)).find((t) => t.name === 'maker-viewer')!.suspended).toBe('its maker is disabled');

    await updateUser(db.knex, maker.id, { disabled: false, role: 'admin' });
    expect(await actorForToken(db.knex, admin.token, null)).toMatchObject({ role: 'admin' });
  });

  it('a bearer header is judged by the token alone, never by a cookie beside it', async () => {
    const { setCookies } = await signInAs('admin@test.example');
    const headers = cookieHeaders(setCookies);
    headers.set('authorization', 'Bearer strata_not-a-real-token');
    expect(await authenticate(db.knex, auth, config, headers)).toBeNull();
  });
});

describe('npm run user / token', () => {
  it('creates a user and a token from the command line, printed once, and audited', async () => {
    const user = await run('npm', ['run', '-s', 'user', '--', 'create', '--email', 'cli@test.example', '--role', 'operator'], db.env);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/Created cli@test\.example \(operator\)\.\nPassword \(shown only now\): \S{20,}/);
    const password = /Password \(shown only now\): (\S+)/.exec(user.stdout)![1]!;
    expect((await signInAs('cli@test.example', password)).actor.role).toBe('operator');

    const token = await run('npm', ['run', '-s', 'token', '--', 'create', '--name', 'pipeline', '--role', 'viewer'], db.env);
    expect(token.code, token.stderr).toBe(0);
    expect(await actorForToken(db.knex, token.stdout.trim(), null)).toMatchObject({ label: 'pipeline', role: 'viewer' });
    const audited = await db.knex('strata.audit_events').where({ actor_type: 'cli' }).pluck('action');
    expect(audited).toEqual(expect.arrayContaining(['user.create', 'token.create']));
  });

  it('rejects bad input with a message and changes nothing', async () => {
    const before = await db.knex('strata.users').count<{ n: string }[]>({ n: '*' });
    const bad = await run('npm', ['run', '-s', 'user', '--', 'create', '--email', 'not-an-email', '--role', 'boss'], db.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('email: must be an email address');
    expect(bad.stderr).toMatch(/role: .*viewer.*operator.*admin/);
    expect(await db.knex('strata.users').count<{ n: string }[]>({ n: '*' })).toEqual(before);
  });
});

describe('the signing secret', () => {
  it('is required for a server database, and refused start-up says how to make one', async () => {
    if (db.target.kind === 'external') {
      // A knex instance of its own: getAuth keeps one auth instance per knex instance.
      const other = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 1 } });
      try {
        await expect(getAuth({ knex: other, target: db.target }, readAuthConfig({}))).rejects.toBeInstanceOf(MissingAuthSecretError);
      } finally {
        await other.destroy();
      }
    }
    expect(startupProblem({ DATABASE_URL: 'postgresql://u@db/x' })).toMatch(/STRATA_AUTH_SECRET is required[\s\S]*randomBytes\(32\)/);
    expect(startupProblem({ DATABASE_URL: 'postgresql://u@db/x', STRATA_AUTH_SECRET: 'x'.repeat(32) })).toBeNull();
    expect(startupProblem({})).toBeNull();
    expect(startupProblem({ NODE_ENV: 'production', STRATA_AUTH_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://u@db/x' })).toMatch(/STRATA_BASE_URL is required in production/);
    expect(startupProblem({ STRATA_TRUSTED_PROXIES: '2' })).toMatch(/no longer a count/);
  });

  it('is kept out of the database once STRATA_AUTH_SECRET is set', async () => {
    if (db.target.kind !== 'external') return;
    expect(await db.knex('strata.settings').where({ key: 'auth_secret' }).first()).toBeUndefined();
  });
});

afterAll(async () => {
  // Nothing: the harness drops the database.
});
