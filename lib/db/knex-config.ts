// The knex configuration for a target, shared by knexfile.ts (the CLI) and lib/db/knex.ts (the
// dashboard), so both use the same migration source, table and pool rules.
import type { Knex } from 'knex';
import type { StrataConfig } from '../config';
import { StrataMigrationSource } from '../migrations/source';
import { resolveTarget, targetIsCurrent, type DbTarget } from './target';

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

/** How the dashboard's sessions and the knex CLI's name themselves in pg_stat_activity. */
export const DASHBOARD_APPLICATION = 'strata';
export const KNEX_CLI_APPLICATION = 'knex cli';

export type KnexConfigOptions = {
  /** Called when a new embedded connection goes somewhere else than the previous one. */
  onTargetChange?(target: DbTarget): void;
  /** application_name of the sessions (default: the dashboard's). */
  applicationName?: string;
};

/**
 * The embedded database's address belongs to whichever process owns the data folder, and that
 * process may exit while this one runs (a CLI command, a dashboard restarted). So each new
 * connection resolves the target again: it goes through the current owner, or this process
 * opens the folder itself. An idle pooled connection whose owner has gone is dropped.
 */
function embeddedConnection(
  target: Extract<DbTarget, { kind: 'embedded' }>,
  config: StrataConfig,
  options: KnexConfigOptions,
): Knex.AsyncConnectionConfigProvider {
  const lookup: StrataConfig = { ...config, databaseUrl: undefined, dataDir: target.dataDir };
  let last: DbTarget = target;
  return async () => {
    const now = await resolveTarget(lookup);
    if (now.url !== last.url || (now.kind === 'embedded' && last.kind === 'embedded' && now.owner !== last.owner)) {
      last = now;
      options.onTargetChange?.(now);
    }
    return {
      connectionString: now.url,
      application_name: options.applicationName ?? DASHBOARD_APPLICATION,
      // knex asks before each new connection and each reuse of an idle one.
      expirationChecker: () => !targetIsCurrent(now),
    };
  };
}

export function knexConfig(target: DbTarget, config: StrataConfig, options: KnexConfigOptions = {}): Knex.Config {
  return {
    client: 'pg',
    connection:
      target.kind === 'embedded'
        ? embeddedConnection(target, config, options)
        : { connectionString: target.url, application_name: options.applicationName ?? DASHBOARD_APPLICATION },
    pool: poolConfig(target),
    acquireConnectionTimeout: 60_000,
    migrations: migrationsConfig(config),
  };
}
