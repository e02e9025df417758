// Runs of the user's migrations made through Strata (run, rollback, lock release), and what
// Strata knows about each migration it applied: the file's checksum, how long it took, who ran it.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('migration_runs', (t) => {
    t.uuid('id').primary();
    t.text('kind').notNullable(); // latest, rollback, lock_release
    t.text('status').notNullable(); // running, succeeded, failed, interrupted
    t.text('migrations_table').notNullable();
    t.text('target_database').notNullable();
    t.text('actor_type').notNullable();
    t.text('actor_label').notNullable();
    t.text('role');
    t.text('request_id');
    // What the operator confirmed: the pending names, or the batch to roll back.
    t.jsonb('expected').notNullable().defaultTo('{}');
    t.integer('batch');
    // One entry per migration: name, status, started_at, ms.
    t.jsonb('migrations').notNullable().defaultTo('[]');
    t.text('current_migration');
    t.integer('backend_pid');
    t.text('host').notNullable();
    t.integer('pid').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.jsonb('error');
    t.index(['status']);
    t.index(['started_at']);
  });
  await knex.raw(`ALTER TABLE ${S}.migration_runs ADD CONSTRAINT migration_runs_kind_check CHECK (kind IN ('latest', 'rollback', 'lock_release'))`);
  await knex.raw(
    `ALTER TABLE ${S}.migration_runs ADD CONSTRAINT migration_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted'))`,
  );

  await knex.schema.withSchema(S).createTable('applied_migrations', (t) => {
    t.text('migrations_table').notNullable();
    t.text('name').notNullable();
    // SHA-256 of the file as it was when Strata applied it.
    t.text('checksum').notNullable();
    t.uuid('run_id').notNullable();
    t.text('actor_label').notNullable();
    t.integer('duration_ms').notNullable();
    t.timestamp('applied_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['migrations_table', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('applied_migrations');
  await knex.schema.withSchema(S).dropTableIfExists('migration_runs');
}
