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

async function createPostgresDb(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `strata_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE DATABASE ??', [name]);
  await admin.destroy();
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      const a = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      await a.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await a.destroy();
    },
  };
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the first test. */
export function freshTestDatabase(overrides: Partial<Pick<StrataConfig, 'migrationsDir' | 'migrationsTable'>> = {}): TestDb {
  const db = {} as TestDb;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const { mode, adminUrl } = inject('testDb');
    const base = readConfig({});
    if (mode === 'postgres' && adminUrl) {
      const created = await createPostgresDb(adminUrl);
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
