// Runs name their target (of the targets file) and keep what the "staging first" rule found (its
// verdict per migration, and an admin's written override when there was one) and the backup the
// run rested on.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.text('target_name');
    t.jsonb('promotion');
    t.jsonb('backup');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.dropColumn('backup');
    t.dropColumn('promotion');
    t.dropColumn('target_name');
  });
}
