// The knex configuration for a target, shared by knexfile.ts (the CLI) and lib/db/knex.ts (the
// dashboard), so both use the same migration source, table and pool rules.
import type { Knex } from 'knex';
import type { StrataConfig } from '../config';
import { StrataMigrationSource } from '../migrations/source';
import type { DbTarget } from './target';

export function migrationsConfig(config: StrataConfig): Knex.MigratorConfig {
  return {
    tableName: config.migrationsTable,
    migrationSource: new StrataMigrationSource(config.migrationsDir),
  };
}

export function poolConfig(target: DbTarget): Knex.PoolConfig {
  // The embedded database has one backend: exactly one connection, released soon after use so
  // that the CLI (or another dashboard request) can have its turn at the gate.
  if (target.kind === 'embedded') return { min: 0, max: 1, idleTimeoutMillis: 500, reapIntervalMillis: 250 };
  return { min: 0, max: 10 };
}

export function knexConfig(target: DbTarget, config: StrataConfig): Knex.Config {
  return {
    client: 'pg',
    connection: { connectionString: target.url, application_name: 'strata' },
    pool: poolConfig(target),
    acquireConnectionTimeout: 60_000,
    migrations: migrationsConfig(config),
  };
}
