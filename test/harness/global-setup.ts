// Picks the PostgreSQL the tests run against, once per test run:
//   1. TEST_DATABASE_URL when set (an admin connection; each test file gets its own database);
//   2. otherwise a pgvector/pgvector container through testcontainers, when an engine answers;
//   3. otherwise the embedded database (PGlite), one per test file.
// STRATA_TEST_DB=embedded forces the third.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { containerRuntimeUnavailable } from './container-runtime';

export type TestDbMode = {
  mode: 'postgres' | 'embedded';
  adminUrl: string | null;
  source: string;
  /** Every database this run makes on the server is named with this prefix. */
  prefix: string;
};

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDbMode;
  }
}

let stopContainer: (() => Promise<unknown>) | undefined;
let chosen: TestDbMode | undefined;

export async function setup(project: TestProject): Promise<void> {
  chosen = { ...(await choose()), prefix: `strata_t_${Date.now().toString(36)}_${process.pid}` };
  console.log(`[test database] ${chosen.mode}: ${chosen.source}`);
  project.provide('testDb', chosen);
}

/**
 * Drops what a test file could not drop in time (a server busy with something else can hold
 * DROP DATABASE up for minutes), so that no test fails for its clean-up and nothing is left.
 */
export async function teardown(): Promise<void> {
  if (chosen?.mode === 'postgres' && chosen.adminUrl) {
    const admin = new pg.Client({ connectionString: chosen.adminUrl });
    await admin.connect();
    try {
      const left = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%'", [chosen.prefix]);
      for (const { datname } of left.rows) {
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
        console.log(`[test database] dropped ${datname} at the end of the run`);
      }
    } finally {
      await admin.end();
    }
  }
  await stopContainer?.();
}

async function choose(): Promise<Omit<TestDbMode, 'prefix'>> {
  if (process.env.STRATA_TEST_DB === 'embedded') {
    return { mode: 'embedded', adminUrl: null, source: 'STRATA_TEST_DB=embedded' };
  }
  if (process.env.TEST_DATABASE_URL) {
    return { mode: 'postgres', adminUrl: process.env.TEST_DATABASE_URL, source: 'TEST_DATABASE_URL' };
  }
  const unavailable = await containerRuntimeUnavailable();
  if (!unavailable) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('pgvector/pgvector:pg17').start();
    stopContainer = () => container.stop();
    return { mode: 'postgres', adminUrl: container.getConnectionUri(), source: 'testcontainers pgvector/pgvector:pg17' };
  }
  return {
    mode: 'embedded',
    adminUrl: null,
    source: `no TEST_DATABASE_URL and testcontainers skipped (${unavailable}); using embedded PGlite`,
  };
}
