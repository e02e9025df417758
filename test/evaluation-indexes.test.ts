// The migration that adds the browse indexes: it creates them, the browse queries use them (read
// from EXPLAIN of the very statements the API runs), and its down removes them again. And the one
// after it, which drops the guide's three single-column indexes that the browse indexes cover
// (the vector health page flagged them as duplicates), and whose down builds them again.
import type { Knex } from 'knex';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIndexHealth } from '../lib/diagnostics/vector/index-health';
import { browse } from '../lib/evaluations/browse';
import { browseQuerySchema } from '../lib/schemas/evaluations';
import { readCatalog } from './harness/catalog';
import { freshTestDatabase } from './harness/db';
import { GUIDE_MIGRATIONS } from './harness/migration-files';

const db = freshTestDatabase();

const COVERED = {
  content_evaluations_quality_score_index: '(quality_score)',
  content_evaluations_relevance_score_index: '(relevance_score)',
  content_evaluations_forum_id_index: '(forum_id)',
};

const INDEXES = {
  content_evaluations_created_at_id_idx: '(created_at, id)',
  content_evaluations_quality_score_id_idx: '(quality_score, id)',
  content_evaluations_relevance_score_id_idx: '(relevance_score, id)',
  content_evaluations_forum_created_at_id_idx: '(forum_id, created_at, id)',
  content_evaluations_forum_quality_score_id_idx: '(forum_id, quality_score, id)',
  content_evaluations_forum_relevance_score_id_idx: '(forum_id, relevance_score, id)',
};

/** The SQL of the statements that `fn` sends, with their bindings. */
async function captured(knex: Knex, fn: () => Promise<unknown>): Promise<{ sql: string; bindings: unknown[] }[]> {
  const seen: { sql: string; bindings: unknown[] }[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.removeListener('query', listener);
  }
  return seen;
}

async function planOfPage(params: Record<string, string>): Promise<string> {
  const statements = await captured(db.knex, () => browse(db.knex, browseQuerySchema.parse(params)));
  const page = statements.find((s) => /from "content_evaluations" as "e"/i.test(s.sql))!;
  // The statement as sent ($1, $2, ...), through a plain client.
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${page.sql}`, page.bindings);
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await db.knex.migrate.latest();
  await db.knex('forums').insert(Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `f${i + 1}`, url: 'https://f.example' })));
  // Enough rows that reading an index beats reading the table and sorting it.
  await db.knex.raw(`
    INSERT INTO content_evaluations (content_id, content_type, forum_id, quality_score, relevance_score, created_at)
    SELECT g::int, CASE WHEN g % 3 = 0 THEN 'topic' ELSE 'post' END, 1 + g % 20, (g::bigint * 7919 % 1000) / 1000.0, (g::bigint * 104729 % 1000) / 1000.0,
           timestamptz '2025-01-01' + (g * 37 % 100000) * interval '1 minute'
      FROM generate_series(1, 30000) g`);
  await db.knex.raw('ANALYZE content_evaluations');
});

describe('the browse indexes, and the migration that drops the indexes they cover', () => {
  it('creates a (column, id) and a (forum, column, id) index for each sort', async () => {
    const c = await readCatalog(db.knex);
    for (const [name, cols] of Object.entries(INDEXES)) {
      expect(c.indexes[name], name).toBe(`CREATE INDEX ${name} ON public.content_evaluations USING btree ${cols}`);
    }
  });

  it('leaves no index the vector health page calls a duplicate: the three the browse indexes cover are dropped', async () => {
    const c = await readCatalog(db.knex);
    for (const name of Object.keys(COVERED)) expect(c.indexes[name], name).toBeUndefined();
    const health = await db.knex.transaction((trx) => readIndexHealth(trx), { readOnly: true });
    expect(health.duplicates.filter((d) => d.table === 'content_evaluations')).toEqual([]);
  });

  it.each([
    [{ sort: 'created_at', dir: 'desc' }, 'content_evaluations_created_at_id_idx'],
    [{ sort: 'quality', dir: 'asc' }, 'content_evaluations_quality_score_id_idx'],
    [{ sort: 'relevance', dir: 'desc' }, 'content_evaluations_relevance_score_id_idx'],
    [{ sort: 'quality', dir: 'desc', forum: '7' }, 'content_evaluations_forum_quality_score_id_idx'],
    [{ sort: 'created_at', dir: 'asc', forum: '7' }, 'content_evaluations_forum_created_at_id_idx'],
  ])('a page deep in %o reads %s', async (params, index) => {
    const first = await browse(db.knex, browseQuerySchema.parse({ ...params, limit: '50' }));
    const plan = await planOfPage({ ...params, after: first.next! });
    expect(plan).toContain(`Index Scan Backward using ${index}`.replace(' Backward', params.dir === 'desc' ? ' Backward' : ''));
    expect(plan).toMatch(/Index Cond: .*ROW\(/);
  });

  it('are undone by their downs, leaving the guide tables as they were', async () => {
    const [, first] = (await db.knex.migrate.down()) as [number, string[]];
    expect(first).toEqual(['20261129085701_drop_indexes_the_browse_indexes_cover.ts']);
    let c = await readCatalog(db.knex);
    for (const [name, cols] of Object.entries(COVERED)) {
      expect(c.indexes[name], name).toBe(`CREATE INDEX ${name} ON public.content_evaluations USING btree ${cols}`);
    }
    const [, undone] = (await db.knex.migrate.down()) as [number, string[]];
    expect(undone).toEqual(['20261125180209_evaluation_browse_indexes.ts']);
    c = await readCatalog(db.knex);
    for (const name of Object.keys(INDEXES)) expect(c.indexes[name]).toBeUndefined();
    const applied = await db.knex('knex_migrations').orderBy('id').pluck('name');
    expect(applied).toEqual([...GUIDE_MIGRATIONS]);
    await db.knex.migrate.latest();
    const again = Object.keys((await readCatalog(db.knex)).indexes);
    expect(again).toEqual(expect.arrayContaining(Object.keys(INDEXES)));
    for (const name of Object.keys(COVERED)) expect(again).not.toContain(name);
  });
});
