// One dashboard serves several targets: a user's role may differ per target (operator on staging,
// viewer on production), and an API token may be limited to some targets. Both live in the home
// database, beside the users and tokens they qualify. A user without a row for a target has their
// own role there; a token without rows may act on every target (as before targets existed).
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('user_target_roles', (t) => {
    t.text('user_id').notNullable().references('id').inTable(`${S}.users`).onDelete('CASCADE');
    t.text('target_name').notNullable();
    t.text('role').notNullable();
    t.primary(['user_id', 'target_name']);
  });
  await knex.raw(`ALTER TABLE ${S}.user_target_roles ADD CONSTRAINT user_target_roles_role_check CHECK (role IN ('viewer', 'operator', 'admin'))`);
  await knex.schema.withSchema(S).createTable('api_token_targets', (t) => {
    t.bigInteger('token_id').notNullable().references('id').inTable(`${S}.api_tokens`).onDelete('CASCADE');
    t.text('target_name').notNullable();
    t.primary(['token_id', 'target_name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('api_token_targets');
  await knex.schema.withSchema(S).dropTableIfExists('user_target_roles');
}
