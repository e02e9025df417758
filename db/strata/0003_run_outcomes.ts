// What a run record needs to tell the truth about runs that are not one transaction: whether the
// batch was atomic, the measured duration, the tag its database sessions carry (so that a later
// start can find sessions a dead process left behind), the run a rollback undoes, and what was
// found after an interruption. Terminations of a backend by an admin are recorded as runs too.
// run_steps holds one row per migration whose up() or down() finished, written in the migration's
// own transaction where it has one: a row exists exactly when that migration's work committed.
// knex_lock_sightings keeps when Strata first saw knex's lock flag set, since knex keeps no time.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.boolean('atomic');
    t.integer('duration_ms');
    t.text('session_tag');
    t.uuid('undoes_run');
    t.jsonb('aftermath');
    // The SQL each migration ran, by migration name (as captured from knex; long values shortened).
    t.jsonb('statements');
  });
  await knex.raw(`ALTER TABLE ${S}.migration_runs DROP CONSTRAINT migration_runs_kind_check`);
  await knex.raw(
    `ALTER TABLE ${S}.migration_runs ADD CONSTRAINT migration_runs_kind_check CHECK (kind IN ('latest', 'rollback', 'lock_release', 'terminate_backend'))`,
  );
  await knex.schema.withSchema(S).createTable('run_steps', (t) => {
    t.uuid('run_id').notNullable();
    t.text('name').notNullable();
    t.text('direction').notNullable();
    t.integer('ms').notNullable();
    t.timestamp('finished_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['run_id', 'name']);
  });
  await knex.schema.withSchema(S).createTable('knex_lock_sightings', (t) => {
    t.text('migrations_table').primary();
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('knex_lock_sightings');
  await knex.schema.withSchema(S).dropTableIfExists('run_steps');
  await knex(`${S}.migration_runs`).where({ kind: 'terminate_backend' }).delete();
  await knex.raw(`ALTER TABLE ${S}.migration_runs DROP CONSTRAINT migration_runs_kind_check`);
  await knex.raw(`ALTER TABLE ${S}.migration_runs ADD CONSTRAINT migration_runs_kind_check CHECK (kind IN ('latest', 'rollback', 'lock_release'))`);
  await knex.schema.withSchema(S).alterTable('migration_runs', (t) => {
    t.dropColumn('atomic');
    t.dropColumn('duration_ms');
    t.dropColumn('session_tag');
    t.dropColumn('undoes_run');
    t.dropColumn('aftermath');
    t.dropColumn('statements');
  });
}
