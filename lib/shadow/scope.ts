// Which live database a shadow stands for: the shadow server keeps its saved replays per scope (a
// database, a migrations table and folder), and prunes them per scope. No 'server-only' here: the
// browser tests use it to clean up after themselves.
import { createHash } from 'node:crypto';
import knex, { type Knex } from 'knex';
import type { StrataConfig } from '../config';

export async function liveScope(knex: Knex, config: Pick<StrataConfig, 'migrationsTable' | 'migrationsDir'>): Promise<string> {
  const { rows } = await knex.raw<{ rows: { s: string }[] }>(`SELECT concat_ws(':', current_database(), inet_server_addr(), inet_server_port()) AS s`);
  return `${rows[0]!.s}|${config.migrationsTable}|${config.migrationsDir}`;
}

/** A scope as a short part of a database name. */
export function scopeId(scope: string): string {
  return createHash('sha256').update(scope).digest('hex').slice(0, 8);
}

/** The LIKE pattern of a scope's saved replays on the shadow server. */
export function templatePattern(scope: string): string {
  return `strata\\_shadow\\_t\\_${scopeId(scope)}\\_%`;
}

/** Drops the saved replays of `scopes` on the shadow server (tests and benchmarks clean up with it). */
export async function dropScopeTemplates(adminUrl: string, scopes: string[]): Promise<void> {
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    for (const scope of scopes) {
      const { rows } = await admin.raw<{ rows: { datname: string }[] }>('SELECT datname FROM pg_database WHERE datname LIKE ?', [templatePattern(scope)]);
      for (const r of rows) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [r.datname]);
    }
  } finally {
    await admin.destroy();
  }
}
