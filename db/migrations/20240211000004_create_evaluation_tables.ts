import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('content_evaluations', (table) => {
    table.increments('id').primary();
    table.integer('content_id').notNullable();
    table.string('content_type').notNullable(); // 'topic' or 'post'
    table.integer('forum_id').references('forums.id').onDelete('CASCADE');
    table.float('quality_score').notNullable();
    table.float('relevance_score').notNullable();
    table.text('summary').nullable();
    table.jsonb('metadata').defaultTo('{}');
    table.timestamps(true, true);

    // Add indexes
    table.index(['content_id', 'content_type']);
    table.index(['forum_id']);
    table.index(['quality_score']);
    table.index(['relevance_score']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('content_evaluations');
}
