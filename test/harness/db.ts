// A fresh database for one test file: a new database on the test PostgreSQL, or a new
// embedded PGlite in a temporary folder. Dropped again after the file's tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, inject } from 'vitest';
import { readConfig, type StrataConfig } from '../../lib/config';
import { startEmbedded, type EmbeddedServer } from '../../lib/db/embedded/server';
import { knexConfig } from '../../lib/db/knex-config';
import type { DbTarget } from '../../lib/db/target';

export type TestDb = {
  mode: 'postgres' | 'embedded';
  url: string;
  target: DbTarget;
  /** The Strata configuration for this database (migrations from `db/migrations` unless given). */
  config: StrataConfig;
  /** A knex instance on this database (without the dashboard's read bounds); destroyed after the file. */
  knex: Knex;
  /** Environment for a child process (`npm run migrate`, `next start`) aimed at this database. */
  env: NodeJS.ProcessEnv;
};

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

// How long a test file waits to drop its database; what is not dropped by then is dropped by the
// run's teardown (test/harness/global-setup.ts), so that a busy server never fails a test.
const DROP_WAIT_MS = 20_000;

async function createPostgresDb(adminUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE DATABASE ??', [name]);
  await admin.destroy();
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      const a = knex({ client: 'pg', connection: { connectionString: adminUrl, statement_timeout: DROP_WAIT_MS }, pool: { min: 0, max: 1 } });
      try {
        await a.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      } catch (err) {
        console.warn(`[test database] ${name} was not dropped within ${DROP_WAIT_MS / 1000} s (${(err as Error).message}); the run's teardown drops it`);
      } finally {
        await a.destroy();
      }
    },
  };
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the first test. */
export function freshTestDatabase(overrides: Partial<Pick<StrataConfig, 'migrationsDir' | 'migrationsTable'>> = {}): TestDb {
  const db = {} as TestDb;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const { mode, adminUrl, prefix } = inject('testDb');
    const base = readConfig({});
    if (mode === 'postgres' && adminUrl) {
      const created = await createPostgresDb(adminUrl, prefix);
      db.url = created.url;
      db.target = { kind: 'external', url: created.url };
      db.env = { ...process.env, DATABASE_URL: created.url };
      db.config = { ...base, ...overrides, databaseUrl: created.url };
      cleanup = created.drop;
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-test-'));
      const server: EmbeddedServer = await startEmbedded(dataDir);
      db.url = server.url;
      db.target = { kind: 'embedded', url: server.url, dataDir, owner: 'self' };
      // Children reach this database through this process, the folder's owner.
      db.env = { ...process.env, STRATA_DATA_DIR: dataDir };
      delete db.env.DATABASE_URL;
      db.config = { ...base, ...overrides, dataDir };
      cleanup = async () => {
        await server.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      };
    }
    db.mode = mode;
    // The tests' own connection, for setting up and checking; not the dashboard's request pool
    // (route handlers under test use that), so a slow set-up step is not cut by its bounds.
    db.knex = knex(knexConfig(db.target, db.config, { readTimeouts: false }));
  });
  afterAll(async () => {
    await db.knex?.destroy();
    await cleanup?.();
  });
  return db;
}
