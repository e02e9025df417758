// Which live database a shadow stands for: the shadow server keeps its saved replays per scope (a
// database, a migrations table and folder), and prunes them per scope. No 'server-only' here: the
// browser tests use it to clean up after themselves.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
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
