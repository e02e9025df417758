// Background jobs (recall measurements, exact counts, index rebuilds) in the database, so that
// every dashboard process on it answers for every job: the process that starts a job runs it and
// writes its progress and a heartbeat; any process reads it; one whose process stopped is marked
// failed. One job of a kind on the same subject runs at a time, across processes.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('jobs', (t) => {
    t.uuid('id').primary();
    t.text('kind').notNullable();
    t.text('key').notNullable();
    t.text('subject').notNullable();
    t.text('status').notNullable();
    t.text('started_by').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true });
    t.jsonb('progress').notNullable();
    t.jsonb('result');
    t.text('error');
    t.text('host').notNullable();
    t.integer('pid').notNullable();
    t.timestamp('heartbeat_at', { useTz: true }).notNullable();
    t.index(['started_at']);
  });
  await knex.raw(`CREATE UNIQUE INDEX jobs_one_running ON ${S}.jobs (kind, key) WHERE status = 'running'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('jobs');
}
