// Picks the PostgreSQL the tests run against, once per test run:
//   1. TEST_DATABASE_URL when set (an admin connection; each test file gets its own database);
//   2. otherwise a pgvector/pgvector container through testcontainers, when an engine answers;
//   3. otherwise the embedded database (PGlite), one per test file.
// STRATA_TEST_DB=embedded forces the third.
import type { TestProject } from 'vitest/node';
import { containerRuntimeUnavailable } from './container-runtime';

export type TestDbMode = { mode: 'postgres' | 'embedded'; adminUrl: string | null; source: string };

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDbMode;
  }
}

let stopContainer: (() => Promise<unknown>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  const choice = await choose();
  console.log(`[test database] ${choice.mode}: ${choice.source}`);
  project.provide('testDb', choice);
}

export async function teardown(): Promise<void> {
  await stopContainer?.();
}

async function choose(): Promise<TestDbMode> {
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
