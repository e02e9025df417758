// The guide's four migrations, checked in the catalog the way a user would check them, then
// rolled back batch by batch to an empty schema and applied again.
import { describe, expect, it } from 'vitest';
import { readCatalog, type Catalog } from './harness/catalog';
import { freshTestDatabase } from './harness/db';
import { GUIDE_MIGRATIONS, migrationFiles } from './harness/migration-files';

const db = freshTestDatabase();

const TS = 'timestamp with time zone';
const NOW = 'CURRENT_TIMESTAMP';

function col(c: Catalog, table: string, column: string) {
  const t = c.tables[table];
  expect(t, `table ${table}`).toBeDefined();
  const v = t![column];
  expect(v, `column ${table}.${column}`).toBeDefined();
  return v!;
}

function expectIvfflat(c: Catalog, name: string, table: string, column: string) {
  const def = c.indexes[name];
  expect(def, `index ${name}`).toBeDefined();
  expect(def).toMatch(new RegExp(`ON public\\.${table} USING ivfflat \\(${column} vector_cosine_ops\\) WITH \\(lists='?100'?\\)`));
}

function expectBtree(c: Catalog, table: string, columns: string) {
  const found = Object.values(c.indexes).some((d) => d.includes(`ON public.${table} USING btree (${columns})`));
  expect(found, `btree index on ${table} (${columns})`).toBe(true);
}

describe('the guide migrations', () => {
  it('starts from an empty schema', async () => {
    const c = await readCatalog(db.knex);
    expect(Object.keys(c.tables)).toEqual([]);
    expect(c.extensions).not.toContain('vector');
  });

  it('applies all four, one batch each', async () => {
    expect(migrationFiles().slice(0, 4)).toEqual([...GUIDE_MIGRATIONS]);
    for (let i = 1; i <= 4; i++) {
      const [batch, names] = (await db.knex.migrate.up()) as [number, string[]];
      expect(batch).toBe(i);
      expect(names).toHaveLength(1);
    }
    const rows = await db.knex('knex_migrations').select('name', 'batch').orderBy('id');
    expect(rows).toEqual([
      { name: '20240211000001_initial_setup.ts', batch: 1 },
      { name: '20240211000002_create_content_tables.ts', batch: 2 },
      { name: '20240211000003_create_vector_tables.ts', batch: 3 },
      { name: '20240211000004_create_evaluation_tables.ts', batch: 4 },
    ]);
  });

  it('creates the schema the guide describes', async () => {
    const c = await readCatalog(db.knex);
    expect(c.extensions).toContain('vector');
    expect(Object.keys(c.tables).sort()).toEqual(
      ['content_evaluations', 'forums', 'knex_migrations', 'knex_migrations_lock', 'post_vectors', 'posts', 'topic_vectors', 'topics'],
    );

    // forums
    expect(col(c, 'forums', 'id')).toMatchObject({ type: 'integer', notNull: true });
    expect(col(c, 'forums', 'name')).toMatchObject({ type: 'character varying(255)', notNull: true });
    expect(col(c, 'forums', 'url')).toMatchObject({ type: 'character varying(255)', notNull: true });
    expect(col(c, 'forums', 'metadata')).toMatchObject({ type: 'jsonb', default: "'{}'::jsonb" });
    expect(col(c, 'forums', 'created_at')).toMatchObject({ type: TS, notNull: true, default: NOW });
    expect(col(c, 'forums', 'updated_at')).toMatchObject({ type: TS, notNull: true, default: NOW });
    expect(Object.values(c.indexes).some((d) => /UNIQUE INDEX .* ON public\.forums USING btree \(name\)/.test(d))).toBe(true);

    // topics and posts
    expect(col(c, 'topics', 'title')).toMatchObject({ type: 'character varying(255)', notNull: true });
    expect(col(c, 'topics', 'content')).toMatchObject({ type: 'text', notNull: true });
    expect(col(c, 'topics', 'view_count')).toMatchObject({ type: 'integer', default: '0' });
    expect(col(c, 'posts', 'content')).toMatchObject({ type: 'text', notNull: true });
    expect(col(c, 'posts', 'author')).toMatchObject({ type: 'character varying(255)', notNull: true });
    expectBtree(c, 'topics', 'forum_id');
    expectBtree(c, 'topics', 'created_at');
    expectBtree(c, 'posts', 'topic_id');
    expectBtree(c, 'posts', 'forum_id');
    expectBtree(c, 'posts', 'created_at');

    // vector tables
    expect(col(c, 'topic_vectors', 'title_vector')).toMatchObject({ type: 'vector(1536)', notNull: false });
    expect(col(c, 'topic_vectors', 'content_vector')).toMatchObject({ type: 'vector(1536)', notNull: true });
    expect(col(c, 'topic_vectors', 'combined_vector')).toMatchObject({ type: 'vector(1536)', notNull: true });
    expect(col(c, 'topic_vectors', 'created_at')).toMatchObject({ type: 'timestamp without time zone', default: NOW });
    expect(col(c, 'post_vectors', 'content_vector')).toMatchObject({ type: 'vector(1536)', notNull: true });
    expect(c.indexes.topic_vectors_topic_id_idx).toContain('USING btree (topic_id)');
    expect(c.indexes.topic_vectors_forum_id_idx).toContain('USING btree (forum_id)');
    expect(c.indexes.post_vectors_post_id_idx).toContain('USING btree (post_id)');
    expect(c.indexes.post_vectors_forum_id_idx).toContain('USING btree (forum_id)');
    expectIvfflat(c, 'topic_vectors_combined_vector_idx', 'topic_vectors', 'combined_vector');
    expectIvfflat(c, 'post_vectors_content_vector_idx', 'post_vectors', 'content_vector');

    // evaluations
    expect(col(c, 'content_evaluations', 'content_id')).toMatchObject({ type: 'integer', notNull: true });
    expect(col(c, 'content_evaluations', 'content_type')).toMatchObject({ type: 'character varying(255)', notNull: true });
    expect(col(c, 'content_evaluations', 'quality_score')).toMatchObject({ type: 'real', notNull: true });
    expect(col(c, 'content_evaluations', 'relevance_score')).toMatchObject({ type: 'real', notNull: true });
    expect(col(c, 'content_evaluations', 'summary')).toMatchObject({ type: 'text', notNull: false });
    expectBtree(c, 'content_evaluations', 'content_id, content_type');
    expectBtree(c, 'content_evaluations', 'forum_id');
    expectBtree(c, 'content_evaluations', 'quality_score');
    expectBtree(c, 'content_evaluations', 'relevance_score');

    // every foreign key cascades
    expect(c.foreignKeys).toEqual([
      'content_evaluations.forum_id -> forums(id) on delete cascade',
      'post_vectors.forum_id -> forums(id) on delete cascade',
      'post_vectors.post_id -> posts(id) on delete cascade',
      'posts.forum_id -> forums(id) on delete cascade',
      'posts.topic_id -> topics(id) on delete cascade',
      'topic_vectors.forum_id -> forums(id) on delete cascade',
      'topic_vectors.topic_id -> topics(id) on delete cascade',
      'topics.forum_id -> forums(id) on delete cascade',
    ]);
  });

  it('cascades deletes from a forum to its content and vectors', async () => {
    const [forum] = await db.knex('forums').insert({ name: 'f', url: 'https://f.example' }).returning('id');
    const [topic] = await db.knex('topics').insert({ forum_id: forum.id, title: 't', content: 'c', author: 'a' }).returning('id');
    const v = `[${Array(1536).fill(0.01).join(',')}]`;
    await db.knex('topic_vectors').insert({ topic_id: topic.id, forum_id: forum.id, content_vector: v, combined_vector: v });
    await db.knex('forums').where({ id: forum.id }).del();
    expect(await db.knex('topics').count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(await db.knex('topic_vectors').count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  it('rolls back batch by batch to an empty schema, extension included', async () => {
    const after: string[][] = [];
    for (let i = 4; i >= 1; i--) {
      const [batch] = (await db.knex.migrate.rollback()) as [number, string[]];
      expect(batch).toBe(i);
      const c = await readCatalog(db.knex);
      after.push(Object.keys(c.tables).filter((t) => !t.startsWith('knex_')).sort());
    }
    expect(after).toEqual([
      ['forums', 'post_vectors', 'posts', 'topic_vectors', 'topics'],
      ['forums', 'posts', 'topics'],
      ['forums'],
      [],
    ]);
    const c = await readCatalog(db.knex);
    expect(c.extensions).not.toContain('vector');
    expect(await db.knex('knex_migrations').count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  it('applies them again in one batch, with every later migration', async () => {
    const [batch, names] = (await db.knex.migrate.latest()) as [number, string[]];
    expect(batch).toBe(1);
    expect(names).toEqual(migrationFiles());
    const c = await readCatalog(db.knex);
    expectIvfflat(c, 'post_vectors_content_vector_idx', 'post_vectors', 'content_vector');
    expect(c.extensions).toContain('vector');
  });
});
