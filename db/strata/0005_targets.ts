// Runs name their target (of the targets file) and keep what the "staging first" rule found (its
// verdict per migration, and an admin's written override when there was one) and the backup the
// run rested on; and the rollbacks waiting for a second admin's approval.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.text('target_name');
    t.jsonb('promotion');
    t.jsonb('backup');
    t.jsonb('approval');
  });
  // The audit rows of one run, found without reading the whole trail (the run page links to them).
  await knex.raw(`CREATE INDEX audit_events_run_id ON ${S}.audit_events ((details->>'runId')) WHERE (details->>'runId') IS NOT NULL`);
  // A rollback on a target that needs a second admin: requested by one user, decided by another
  // admin before it expires; the run starts on approval.
  await knex.schema.withSchema(S).createTable('rollback_approvals', (t) => {
    t.uuid('id').primary();
    t.text('migrations_table').notNullable();
    t.text('target_name');
    t.integer('batch').notNullable();
    t.jsonb('names').notNullable();
    t.uuid('undoes_run');
    t.jsonb('backup');
    t.text('requested_by_id').notNullable();
    t.text('requested_by_label').notNullable();
    t.text('requested_role');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.text('decided_by_label');
    t.timestamp('decided_at', { useTz: true });
    t.uuid('run_id');
    t.index(['status', 'requested_at']);
  });
  await knex.raw(`ALTER TABLE ${S}.rollback_approvals ADD CONSTRAINT rollback_approvals_status_check CHECK (status IN ('pending', 'approved', 'refused', 'expired'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('rollback_approvals');
  await knex.raw(`DROP INDEX IF EXISTS ${S}.audit_events_run_id`);
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.dropColumn('approval');
    t.dropColumn('backup');
    t.dropColumn('promotion');
    t.dropColumn('target_name');
  });
}
