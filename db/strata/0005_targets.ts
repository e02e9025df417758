// Runs name their target (of the targets file) and keep what the "staging first" rule found: its
// verdict per migration, and an admin's written override when there was one.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.text('target_name');
    t.jsonb('promotion');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.dropColumn('promotion');
    t.dropColumn('target_name');
  });
}
