// Strata's own tables for sign-in: users, sessions, accounts and verifications in the layout
// better-auth expects (columns mapped to snake_case in lib/auth/auth.ts), API tokens, sign-in
// attempts for throttling, settings, and the append-only audit trail.
import type { Knex } from 'knex';

const S = 'strata';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('users', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('email').notNullable().unique();
    t.boolean('email_verified').notNullable().defaultTo(false);
    t.text('image');
    t.text('role').notNullable().defaultTo('viewer');
    t.boolean('banned').notNullable().defaultTo(false);
    t.text('ban_reason');
    t.timestamp('ban_expires', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE ${S}.users ADD CONSTRAINT users_role_check CHECK (role IN ('viewer', 'operator', 'admin'))`);

  await knex.schema.withSchema(S).createTable('sessions', (t) => {
    t.text('id').primary();
    t.text('user_id').notNullable().references('id').inTable(`${S}.users`).onDelete('CASCADE');
    t.text('token').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.text('ip_address');
    t.text('user_agent');
    t.text('impersonated_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
  });

  await knex.schema.withSchema(S).createTable('accounts', (t) => {
    t.text('id').primary();
    t.text('user_id').notNullable().references('id').inTable(`${S}.users`).onDelete('CASCADE');
    t.text('account_id').notNullable();
    t.text('provider_id').notNullable();
    t.text('access_token');
    t.text('refresh_token');
    t.text('id_token');
    t.timestamp('access_token_expires_at', { useTz: true });
    t.timestamp('refresh_token_expires_at', { useTz: true });
    t.text('scope');
    t.text('password');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
    t.unique(['provider_id', 'account_id']);
  });

  await knex.schema.withSchema(S).createTable('verifications', (t) => {
    t.text('id').primary();
    t.text('identifier').notNullable().index();
    t.text('value').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.withSchema(S).createTable('api_tokens', (t) => {
    t.bigIncrements('id').primary();
    t.text('name').notNullable();
    t.text('role').notNullable();
    // SHA-256 of the token: tokens are 256 random bits, so a fast hash cannot be brute-forced.
    t.text('token_hash').notNullable().unique();
    // The first characters, shown in lists so that a token can be recognised without storing it.
    t.text('token_prefix').notNullable();
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.text('last_used_ip');
    t.timestamp('revoked_at', { useTz: true });
    t.text('revoked_by');
  });
  await knex.raw(`ALTER TABLE ${S}.api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'operator', 'admin'))`);

  await knex.schema.withSchema(S).createTable('sign_in_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('email').notNullable();
    t.text('ip').notNullable();
    // NULL while the attempt is being checked, so that concurrent attempts count against the limit.
    t.boolean('succeeded');
    t.index(['email', 'at']);
    t.index(['ip', 'at']);
  });

  await knex.schema.withSchema(S).createTable('settings', (t) => {
    t.text('key').primary();
    t.text('value').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.withSchema(S).createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor_type').notNullable(); // user, token, cli, system, anonymous
    t.text('actor_id');
    t.text('actor_label').notNullable();
    t.text('role');
    t.text('action').notNullable();
    t.text('outcome').notNullable(); // success, failure, denied
    t.text('target_database').notNullable();
    t.text('request_id');
    t.text('ip');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.index(['actor_label', 'id']);
    t.index(['action', 'id']);
  });
  // Append-only: the trail cannot be edited or cleared through Strata's connection.
  await knex.raw(`
    CREATE FUNCTION ${S}.audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'strata.audit_events is append-only (% refused)', TG_OP;
    END $$`);
  await knex.raw(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON ${S}.audit_events
    FOR EACH ROW EXECUTE FUNCTION ${S}.audit_events_append_only()`);
  await knex.raw(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON ${S}.audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION ${S}.audit_events_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['audit_events', 'settings', 'sign_in_attempts', 'api_tokens', 'verifications', 'accounts', 'sessions', 'users']) {
    await knex.schema.withSchema(S).dropTableIfExists(table);
  }
  await knex.raw(`DROP FUNCTION IF EXISTS ${S}.audit_events_append_only()`);
}
