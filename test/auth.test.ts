// Sign-in, sessions, tokens, throttling and the audit trail against a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForToken, createToken, revokeToken } from '../lib/auth/tokens';
import { authenticate } from '../lib/auth/actor';
import { recordAudit } from '../lib/auth/audit';
import { getAuth, type Auth } from '../lib/auth/auth';
import { readAuthConfig, type AuthConfig } from '../lib/auth/config';
import { signIn } from '../lib/auth/sign-in';
import { finishAttempt, startAttempt } from '../lib/auth/throttle';
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
const config: AuthConfig = readAuthConfig({ STRATA_SIGNIN_MAX_FAILURES: '3', STRATA_SIGNIN_MAX_FAILURES_PER_IP: '6' });
const PASSWORD = 'a-long-enough-password';

beforeAll(async () => {
  auth = await getAuth(db.knex, config);
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

  it('refuses the N+1th attempt for an account, and a success starts the count again', async () => {
    const email = 'throttle-1@test.example';
    for (let i = 0; i < 2; i++) {
      const a = await startAttempt(db.knex, email, '10.1.0.1', limits);
      await finishAttempt(db.knex, (a as { id: string }).id, false);
    }
    const ok = await startAttempt(db.knex, email, '10.1.0.1', limits);
    await finishAttempt(db.knex, (ok as { id: string }).id, true);
    for (let i = 0; i < 3; i++) {
      const a = await startAttempt(db.knex, email, '10.1.0.1', limits);
      expect(a, `failure ${i + 1} after the success`).toHaveProperty('id');
      await finishAttempt(db.knex, (a as { id: string }).id, false);
    }
    const refused = await startAttempt(db.knex, email, '10.1.0.1', limits);
    expect(refused).toMatchObject({ throttled: 'account' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('refuses an address after its limit across accounts', async () => {
    for (let i = 0; i < 6; i++) {
      const a = await startAttempt(db.knex, `spray-${i}@test.example`, '10.2.0.1', limits);
      await finishAttempt(db.knex, (a as { id: string }).id, false);
    }
    expect(await startAttempt(db.knex, 'spray-new@test.example', '10.2.0.1', limits)).toMatchObject({ throttled: 'address' });
    expect(await startAttempt(db.knex, 'spray-new@test.example', '10.2.0.2', limits)).toHaveProperty('id');
  });

  it('lets at most N of many simultaneous guesses through', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => startAttempt(db.knex, 'burst@test.example', '10.3.0.1', limits)));
    const through = results.filter((r) => 'id' in r);
    expect(through.length).toBeLessThanOrEqual(limits.maxFailures);
    // Refused attempts are not guesses: once the burst is over, the count is what got through.
    for (const r of through) await finishAttempt(db.knex, (r as { id: string }).id, false);
    const next = await startAttempt(db.knex, 'burst@test.example', '10.3.0.1', limits);
    expect('id' in next).toBe(through.length < limits.maxFailures);
  });

  it('signIn answers 429 once the account is throttled, even for the right password', async () => {
    await createUser(db.knex, auth, { email: 'victim@test.example', name: 'V', role: 'viewer', password: PASSWORD });
    for (let i = 0; i < 3; i++) await expect(signInAs('victim@test.example', `wrong-${i}-password`, '10.4.0.1')).rejects.toMatchObject({ status: 401 });
    await expect(signInAs('victim@test.example', PASSWORD, '10.4.0.1')).rejects.toMatchObject({ status: 429 });
    const throttled = await db.knex('strata.audit_events').where({ action: 'auth.sign_in_throttled', actor_label: 'victim@test.example' });
    expect(throttled).toHaveLength(1);
  });
});

describe('API tokens', () => {
  it('work until revoked, record their last use, and are stored only as a hash', async () => {
    const { token, record } = await createToken(db.knex, { name: 'deploy', role: 'operator', createdBy: 'test' });
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
    const { token, record } = await createToken(db.knex, { name: 'short', role: 'viewer', createdBy: 'test', expiresInDays: 1 });
    await db.knex('strata.api_tokens').where({ id: record.id }).update({ expires_at: db.knex.raw(`now() - interval '1 second'`) });
    expect(await actorForToken(db.knex, token, null)).toBeNull();
    expect(await actorForToken(db.knex, `strata_${'A'.repeat(43)}`, null)).toBeNull();
    expect(await actorForToken(db.knex, "strata_' OR 1=1 --", null)).toBeNull();
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

afterAll(async () => {
  // Nothing: the harness drops the database.
});
