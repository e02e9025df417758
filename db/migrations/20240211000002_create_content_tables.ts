import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Create topics table
  await knex.schema.createTable('topics', (table) => {
    table.increments('id').primary();
    table.integer('forum_id').references('forums.id').onDelete('CASCADE');
    table.string('title').notNullable();
    table.text('content').notNullable();
    table.string('author').notNullable();
    table.integer('view_count').defaultTo(0);
    table.jsonb('metadata').defaultTo('{}');
    table.timestamps(true, true);

    // Add indexes
    table.index(['forum_id']);
    table.index(['created_at']);
  });

  // Create posts table
  await knex.schema.createTable('posts', (table) => {
    table.increments('id').primary();
    table.integer('topic_id').references('topics.id').onDelete('CASCADE');
    table.integer('forum_id').references('forums.id').onDelete('CASCADE');
    table.text('content').notNullable();
    table.string('author').notNullable();
    table.jsonb('metadata').defaultTo('{}');
    table.timestamps(true, true);

    // Add indexes
    table.index(['topic_id']);
    table.index(['forum_id']);
    table.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('posts');
  await knex.schema.dropTableIfExists('topics');
}
