// One audit trail in the home database for every target a dashboard serves. Each target keeps its
// own append-only, hash-chained trail (the rows of a run commit with the run, on the database it
// changed); the home database copies them into its trail, in order, and keeps here how far it got
// on each target: the last sequence number copied and that row's hash. The copy and the cursor
// move in one home transaction, so each row arrives once; a target whose row at the cursor no
// longer has that hash has had its trail rewritten (or was restored from an earlier backup), and
// is not copied from until someone looks.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('audit_forwarding', (t) => {
    t.text('target_name').primary();
    /** Host and name of the database its rows came from, as the rows' target_database says. */
    t.text('database').notNullable();
    t.bigInteger('last_seq').notNullable();
    t.text('last_hash').notNullable();
    t.timestamp('forwarded_at', { useTz: true });
    /** Why copying stopped, when it did. */
    t.text('problem');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('audit_forwarding');
}
