// A dashboard killed with SIGKILL in the middle of a slow migration: the database is left as it
// was, and the next start reports the run as interrupted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import knex from 'knex';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { startServer } from './server';

test('SIGKILL during a slow migration leaves the database consistent and the run interrupted', async () => {
  test.setTimeout(180_000);
  test.skip(!process.env.E2E_DB_NAME, 'needs TEST_DATABASE_URL: killing the owner of an embedded database mid-write is a different test (PGlite recovery)');
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `strata_e2e_crash_${process.pid}`;
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  await admin.raw('CREATE DATABASE ??', [name]);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-crash-'));
  fs.writeFileSync(
    path.join(dir, '001_slow.js'),
    `exports.up = async (knex) => { await knex.raw('CREATE TABLE crash_t (id int)'); await knex.raw('SELECT pg_sleep(60)'); };
exports.down = async (knex) => { await knex.raw('DROP TABLE crash_t'); };`,
  );
  const env = { ...serverEnv(), DATABASE_URL: url.toString(), STRATA_MIGRATIONS_DIR: dir };
  const db = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 2 } });
  const port = Number(E2E_PORT) + 2;
  try {
    const first = await startServer(port, env);
    const signIn = await fetch(`${first.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const headers = { cookie, origin: first.url, 'content-type': 'application/json' };
    const started = await fetch(`${first.url}/api/migrations/latest`, { method: 'POST', headers, body: JSON.stringify({ expected: ['001_slow.js'] }) });
    expect(started.status).toBe(202);
    const { run } = (await started.json()) as { run: { id: string } };
    await expect.poll(async () => (await db('strata.migration_runs').where({ id: run.id }).first())?.current_migration, { timeout: 30_000 }).toBe('001_slow.js');

    await first.stop('SIGKILL');

    // PostgreSQL notices the dead client, rolls the batch back and frees the lock.
    await expect.poll(async () => (await db.raw(`SELECT to_regclass('crash_t') AS t`)).rows[0].t, { timeout: 30_000 }).toBeNull();
    expect(await db.schema.hasTable('knex_migrations')).toBe(false);
    expect((await db('strata.migration_runs').where({ id: run.id }).first()).status).toBe('running');

    const second = await startServer(port, env);
    try {
      await expect
        .poll(async () => {
          const res = await fetch(`${second.url}/api/migrations/runs/${run.id}`, { headers: { cookie } });
          return ((await res.json()) as { run?: { status: string } }).run?.status;
        }, { timeout: 30_000 })
        .toBe('interrupted');
      const status = (await (await fetch(`${second.url}/api/migrations`, { headers: { cookie } })).json()) as {
        migrations: { status: string }[];
        lock: { knexLocked: boolean; running: unknown };
      };
      expect(status.migrations.map((m) => m.status)).toEqual(['pending']);
      expect(status.lock).toMatchObject({ knexLocked: false, running: null });
    } finally {
      await second.stop();
    }
  } finally {
    await db.destroy();
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
