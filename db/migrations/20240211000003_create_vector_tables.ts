import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Create topic vectors table
  await knex.raw(`
    CREATE TABLE topic_vectors (
      id SERIAL PRIMARY KEY,
      topic_id INTEGER REFERENCES topics(id) ON DELETE CASCADE,
      forum_id INTEGER REFERENCES forums(id) ON DELETE CASCADE,
      title_vector vector(1536),
      content_vector vector(1536) NOT NULL,
      combined_vector vector(1536) NOT NULL,
      created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
      updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
    )
  `);

  // Create post vectors table
  await knex.raw(`
    CREATE TABLE post_vectors (
      id SERIAL PRIMARY KEY,
      post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,
      forum_id INTEGER REFERENCES forums(id) ON DELETE CASCADE,
      content_vector vector(1536) NOT NULL,
      created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
      updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
    )
  `);

  // Add indexes
  await knex.raw(`
    CREATE INDEX topic_vectors_topic_id_idx ON topic_vectors (topic_id);
    CREATE INDEX topic_vectors_forum_id_idx ON topic_vectors (forum_id);
    CREATE INDEX post_vectors_post_id_idx ON post_vectors (post_id);
    CREATE INDEX post_vectors_forum_id_idx ON post_vectors (forum_id);
  `);

  // Add IVF indexes for similarity search
  await knex.raw(`
    CREATE INDEX topic_vectors_combined_vector_idx ON topic_vectors 
    USING ivfflat (combined_vector vector_cosine_ops) WITH (lists = 100);

    CREATE INDEX post_vectors_content_vector_idx ON post_vectors 
    USING ivfflat (content_vector vector_cosine_ops) WITH (lists = 100);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('post_vectors');
  await knex.schema.dropTableIfExists('topic_vectors');
}
