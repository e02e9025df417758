// The first admin at start-up: from the environment, or printed once on the embedded database.
import { describe, expect, it, vi } from 'vitest';
import { getAuth } from '../lib/auth/auth';
import { EMBEDDED_ADMIN_EMAIL, bootstrapAdmin } from '../lib/auth/bootstrap';
import { readAuthConfig } from '../lib/auth/config';
import { signIn } from '../lib/auth/sign-in';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();

async function capture(fn: () => Promise<void>): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return out;
}

const users = () => db.knex('strata.users').select('email', 'role').orderBy('email');
// A server database needs the signing secret (the start-up check refuses to start without it).
const SECRET = { STRATA_AUTH_SECRET: process.env.STRATA_AUTH_SECRET };

describe('the first admin', () => {
  it('with no STRATA_ADMIN_* set: printed once on the embedded database; never made on an external one', async () => {
    const config = readAuthConfig({ ...SECRET });
    const target = { knex: db.knex, target: db.target };
    const first = await capture(() => bootstrapAdmin(target, config));
    const second = await capture(() => bootstrapAdmin(target, config));
    expect(second).toBe('');
    if (db.target.kind === 'embedded') {
      const password = /password: (\S+)/.exec(first)?.[1];
      expect(password, first).toBeTruthy();
      expect(await users()).toEqual([{ email: EMBEDDED_ADMIN_EMAIL, role: 'admin' }]);
      const auth = await getAuth(db, config);
      const result = await signIn(target, auth, config, { email: EMBEDDED_ADMIN_EMAIL, password: password!, ip: '127.0.0.1', headers: new Headers(), requestId: 'r' });
      expect(result.actor.role).toBe('admin');
    } else {
      console.log(`[skip] the printed first admin applies to the embedded database only; this run uses ${db.mode}`);
      expect(first).toBe('');
      expect(await users()).toEqual([]);
    }
  });

  it('from STRATA_ADMIN_EMAIL and STRATA_ADMIN_PASSWORD, once, without changing an existing password', async () => {
    const config = readAuthConfig({ ...SECRET, STRATA_ADMIN_EMAIL: 'Boss@Example.com', STRATA_ADMIN_PASSWORD: 'first-password-123' });
    const target = { knex: db.knex, target: db.target };
    expect(await capture(() => bootstrapAdmin(target, config))).toBe('');
    // A restart with another password leaves the account as it is.
    await bootstrapAdmin(target, readAuthConfig({ ...SECRET, STRATA_ADMIN_EMAIL: 'boss@example.com', STRATA_ADMIN_PASSWORD: 'second-password-123' }));
    expect((await users()).filter((u) => u.email === 'boss@example.com')).toEqual([{ email: 'boss@example.com', role: 'admin' }]);
    const auth = await getAuth(db, config);
    const ok = await signIn(target, auth, config, { email: 'boss@example.com', password: 'first-password-123', ip: '127.0.0.1', headers: new Headers(), requestId: 'r' });
    expect(ok.actor.label).toBe('boss@example.com');
    const audit = await db.knex('strata.audit_events').where({ action: 'user.create', actor_type: 'system' }).pluck('details');
    expect(JSON.stringify(audit)).not.toContain('first-password-123');
  });
});
