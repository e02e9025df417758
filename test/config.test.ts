import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../lib/config';

describe('readConfig', () => {
  it('defaults to db/migrations, knex_migrations and the embedded folder', () => {
    const c = readConfig({}, '/srv/app');
    expect(c).toMatchObject({
      databaseUrl: undefined,
      migrationsDir: path.join('/srv/app', 'db/migrations'),
      migrationsTable: 'knex_migrations',
      dataDir: path.join('/srv/app', '.strata/embedded'),
    });
  });

  it('takes a team’s own folder and table name', () => {
    const c = readConfig({ STRATA_MIGRATIONS_DIR: 'migrations', STRATA_MIGRATIONS_TABLE: 'schema_migrations' }, '/srv/app');
    expect(c.migrationsDir).toBe('/srv/app/migrations');
    expect(c.migrationsTable).toBe('schema_migrations');
  });

  it('rejects a table name that is not a plain identifier, and a non-postgres URL', () => {
    expect(() => readConfig({ STRATA_MIGRATIONS_TABLE: 'x; drop table y' })).toThrow(ConfigError);
    expect(() => readConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a postgres/);
  });

  it('reads the shadow database settings: a server, or the embedded engine, with a time limit and a bound', () => {
    expect(readConfig({}).shadow).toEqual({ databaseUrl: undefined, timeoutMs: 120_000, maxConcurrent: 2 });
    const c = readConfig({ STRATA_SHADOW_DATABASE_URL: 'postgresql://strata@shadow.internal/postgres', STRATA_SHADOW_TIMEOUT_SECONDS: '30', STRATA_SHADOW_MAX_CONCURRENT: '1' });
    expect(c.shadow).toEqual({ databaseUrl: 'postgresql://strata@shadow.internal/postgres', timeoutMs: 30_000, maxConcurrent: 1 });
    expect(() => readConfig({ STRATA_SHADOW_DATABASE_URL: 'mysql://x' })).toThrow(/STRATA_SHADOW_DATABASE_URL must be a postgres/);
    expect(() => readConfig({ STRATA_SHADOW_TIMEOUT_SECONDS: '1' })).toThrow(/STRATA_SHADOW_TIMEOUT_SECONDS/);
  });
});
