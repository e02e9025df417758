// Creates and upgrades Strata's own schema at start-up. Several dashboards may start at once
// against one database: a transaction-scoped advisory lock makes the others wait, then find the
// work done.
import type { Knex } from 'knex';
import { STRATA_MIGRATIONS_TABLE, STRATA_SCHEMA, strataMigrationSource } from '../../db/strata';

// Any constant that other tools are unlikely to use; derived from the text 'strata.schema'.
const ADVISORY_KEY = 0x5354_5241;

export async function ensureStrataSchema(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [ADVISORY_KEY]);
    await trx.raw('CREATE SCHEMA IF NOT EXISTS ??', [STRATA_SCHEMA]);
    await trx.migrate.latest({
      schemaName: STRATA_SCHEMA,
      tableName: STRATA_MIGRATIONS_TABLE,
      migrationSource: strataMigrationSource,
    });
  });
}
