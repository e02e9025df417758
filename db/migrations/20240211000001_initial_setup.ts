import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Enable pgvector extension
  await knex.raw('CREATE EXTENSION IF NOT EXISTS vector');

  // Create base tables
  await knex.schema.createTable('forums', (table) => {
    table.increments('id').primary();
    table.string('name').unique().notNullable();
    table.string('url').notNullable();
    table.jsonb('metadata').defaultTo('{}');
    table.timestamps(true, true);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('forums');
  await knex.raw('DROP EXTENSION IF EXISTS vector');
}
