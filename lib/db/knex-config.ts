// The knex configuration for a target, shared by knexfile.ts (the CLI) and lib/db/knex.ts (the
// dashboard), so both use the same migration source, table and pool rules, and the same bounds
// on how long anything waits for a database that does not answer.
import type { Knex } from 'knex';
import type { StrataConfig } from '../config';
import { StrataMigrationSource } from '../migrations/source';
import { databaseKey } from './database-key';
import { trackOwnBackend } from './own-backends';
import { createStallGuard, probeDatabase, type GuardedConnection } from './stall-guard';
import { resolveTarget, targetIsCurrent, type DbTarget } from './target';

/**
 * The waits every connection to a server gets (not the embedded database, which lives in this
 * process or the one beside it, and whose gate makes connections queue on purpose).
 */
export const BOUNDS = {
  /** Opening a connection, authentication included. */
  connectMs: 3_000,
  /** Waiting for a free connection of the pool (the dashboard's own; long work waits longer). */
  acquireMs: 4_000,
  /** TCP keepalive: a server whose host vanished is noticed in about a minute, not two hours. */
  keepAliveMs: 10_000,
  /** A statement of a page or API read that sets no limit of its own (most set a shorter one). */
  statementMs: 15_000,
  /** A transaction left open without a statement (a request that died half-way) is ended. */
  idleInTransactionMs: 60_000,
} as const;

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
  /**
   * The dashboard's read bounds (default true): a statement_timeout and an idle-in-transaction
   * timeout on the session, and the stall guard (lib/db/stall-guard.ts) that cuts a connection
   * whose server stopped answering. `false` for work that legitimately takes minutes: migration
   * runs, plan dry runs, index builds, the knex CLI. Connect timeout and keepalive apply either way.
   */
  readTimeouts?: boolean;
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
  const base = { migrations: migrationsConfig(config) };
  if (target.kind === 'embedded') {
    return { ...base, client: 'pg', connection: embeddedConnection(target, config, options), pool: poolConfig(target), acquireConnectionTimeout: 60_000 };
  }
  const bounded = options.readTimeouts !== false;
  const ownKey = databaseKey(target);
  const connection = {
    connectionString: target.url,
    application_name: options.applicationName ?? DASHBOARD_APPLICATION,
    connectionTimeoutMillis: BOUNDS.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: BOUNDS.keepAliveMs,
    ...(bounded ? { statement_timeout: BOUNDS.statementMs, idle_in_transaction_session_timeout: BOUNDS.idleInTransactionMs } : {}),
  };
  if (!bounded) {
    const pool = {
      ...poolConfig(target),
      afterCreate: (conn: GuardedConnection, done: (err: Error | null, conn: GuardedConnection) => void) => {
        trackOwnBackend(ownKey, conn);
        done(null, conn);
      },
    };
    return { ...base, client: 'pg', connection, pool, acquireConnectionTimeout: 60_000 };
  }
  const guard = createStallGuard(() => probeDatabase({ connectionString: target.url }));
  return {
    ...base,
    client: 'pg',
    connection,
    pool: {
      ...poolConfig(target),
      afterCreate: (conn: GuardedConnection, done: (err: Error | null, conn: GuardedConnection) => void) => {
        trackOwnBackend(ownKey, conn);
        guard.attach(conn);
        done(null, conn);
      },
    },
    acquireConnectionTimeout: BOUNDS.acquireMs,
  };
}
