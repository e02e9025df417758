// Browsing content_evaluations: paging through a whole filtered set visits each row once and in
// order (with ties in the sort column, backwards too, and with rows inserted between pages);
// filters combine; orphans are found after a topic is deleted; counts; the detail; CSV export.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api/errors';
import { browse } from '../lib/evaluations/browse';
import { readOnly } from '../lib/evaluations/read';
import { countMatching, estimateMatching } from '../lib/evaluations/count';
import { getEvaluation } from '../lib/evaluations/detail';
import { CSV_HEADER, exportCsv } from '../lib/evaluations/export';
import {
  browseQuerySchema,
  exportQuerySchema,
  SORT_DIRS,
  SORT_KEYS,
  type BrowsePage,
  type SortDir,
  type SortKey,
} from '../lib/schemas/evaluations';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();

type Ev = { id: number; forum_id: number; content_type: string; content_id: number; q: number; r: number; summary: string | null; at: string };

const TOPICS = 40;
const POSTS_PER_TOPIC = 3;
const all: Ev[] = [];

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', '50%_off', 'back\\slash'];

async function insertEvaluations(n: number, rand: () => number): Promise<Ev[]> {
  const rows = Array.from({ length: n }, () => {
    const topic = 1 + Math.floor(rand() * TOPICS);
    const isTopic = rand() < 0.3;
    return {
      content_type: isTopic ? 'topic' : 'post',
      content_id: isTopic ? topic : (topic - 1) * POSTS_PER_TOPIC + 1 + Math.floor(rand() * POSTS_PER_TOPIC),
      forum_id: 1 + (topic % 3),
      // Few distinct values: many ties in every sort column.
      quality_score: Math.floor(rand() * 5) / 4,
      relevance_score: Math.floor(rand() * 4) / 3,
      summary: rand() < 0.15 ? null : `${WORDS[Math.floor(rand() * WORDS.length)]} summary ${Math.floor(rand() * 10)}`,
      created_at: new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 8) * 86_400_000).toISOString(),
    };
  });
  const inserted = await db.knex('content_evaluations').insert(rows).returning(['id']);
  const out = rows.map((r, i) => ({
    id: inserted[i]!.id as number,
    forum_id: r.forum_id,
    content_type: r.content_type,
    content_id: r.content_id,
    q: r.quality_score,
    r: r.relevance_score,
    summary: r.summary,
    at: r.created_at,
  }));
  all.push(...out);
  return out;
}

function sortValue(e: Ev, sort: SortKey): number {
  return sort === 'quality' ? e.q : sort === 'relevance' ? e.r : Date.parse(e.at);
}

function ordered(rows: Ev[], sort: SortKey, dir: SortDir): number[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => sign * (sortValue(a, sort) - sortValue(b, sort) || a.id - b.id)).map((e) => e.id);
}

async function page(params: Record<string, string>): Promise<BrowsePage> {
  return browse(db.knex, browseQuerySchema.parse(params));
}

/** Follows `next` from the first page to the last; `between` runs after each page. */
async function walk(params: Record<string, string>, between?: (n: number) => Promise<void>): Promise<{ ids: number[]; pages: BrowsePage[] }> {
  const ids: number[] = [];
  const pages: BrowsePage[] = [];
  let p = await page(params);
  for (let n = 0; n < 1000; n++) {
    pages.push(p);
    ids.push(...p.rows.map((r) => r.id));
    if (!p.next) break;
    await between?.(n);
    p = await page({ ...params, after: p.next });
  }
  return { ids, pages };
}

beforeAll(async () => {
  await db.knex.migrate.latest();
  await db.knex('forums').insert([1, 2, 3].map((id) => ({ id, name: `forum ${id}`, url: `https://f${id}.example` })));
  await db.knex('topics').insert(
    Array.from({ length: TOPICS }, (_, i) => ({ id: i + 1, forum_id: 1 + ((i + 1) % 3), title: `Topic ${i + 1}`, content: `Body of topic ${i + 1}`, author: 'a' })),
  );
  await db.knex('posts').insert(
    Array.from({ length: TOPICS * POSTS_PER_TOPIC }, (_, i) => {
      const topic = Math.floor(i / POSTS_PER_TOPIC) + 1;
      return { id: i + 1, topic_id: topic, forum_id: 1 + (topic % 3), content: `Post ${i + 1}\nsecond line`, author: 'b' };
    }),
  );
  await insertEvaluations(400, lcg(11));
});

describe('keyset paging', () => {
  for (const sort of SORT_KEYS) {
    for (const dir of SORT_DIRS) {
      it(`visits every row once, in order, sorted by ${sort} ${dir}`, async () => {
        const { ids, pages } = await walk({ sort, dir, limit: '7' });
        expect(ids).toEqual(ordered(all, sort, dir));
        expect(pages[0]!.prev).toBeNull();
        expect(pages.at(-1)!.next).toBeNull();
        expect(pages.slice(1).every((p) => p.prev !== null)).toBe(true);
      });
    }
  }

  it('visits a filtered set once and in order, and walks back to the first page', async () => {
    const params = { forum: '2', type: 'post', sort: 'quality', dir: 'desc', limit: '5' };
    const { ids, pages } = await walk(params);
    const want = ordered(all.filter((e) => e.forum_id === 2 && e.content_type === 'post'), 'quality', 'desc');
    expect(want.length).toBeGreaterThan(30);
    expect(ids).toEqual(want);
    // Back from the last page with `before`: the same pages in reverse.
    let p = pages.at(-1)!;
    const back: number[][] = [];
    while (p.prev) {
      p = await page({ ...params, before: p.prev });
      back.push(p.rows.map((r) => r.id));
    }
    expect(back.reverse()).toEqual(pages.slice(0, -1).map((x) => x.rows.map((r) => r.id)));
    expect(p.prev).toBeNull();
  });

  it('neither repeats nor loses rows when rows are inserted between pages', async () => {
    const params = { sort: 'relevance', dir: 'asc', limit: '9' };
    const before = ordered(all, 'relevance', 'asc');
    const rand = lcg(99);
    const { ids } = await walk(params, async () => {
      await insertEvaluations(4, rand);
    });
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of before) expect(ids, `row ${id} was skipped`).toContain(id);
    // The visit order is the sort order of the rows as they are now.
    const now = ordered(all, 'relevance', 'asc');
    expect(ids).toEqual(now.filter((id) => ids.includes(id)));
  });

  it('shows the first page whole when going back reaches the start', async () => {
    const params = { sort: 'created_at', dir: 'desc', limit: '10' };
    const first = await page(params);
    const second = await page({ ...params, after: first.next! });
    // A `before` cursor three rows into the second page: fewer than a page lies before it.
    const third = await page({ ...params, after: second.next! });
    const shortBack = await page({ ...params, before: third.prev! });
    expect(shortBack.rows.map((r) => r.id)).toEqual(second.rows.map((r) => r.id));
    const toStart = await page({ ...params, before: second.prev! });
    expect(toStart.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    expect(toStart.prev).toBeNull();
  });
});

describe('filters', () => {
  const cases: [string, Record<string, string>, (e: Ev) => boolean][] = [
    ['forum', { forum: '1' }, (e) => e.forum_id === 1],
    ['two forums', { forum: '1,3' }, (e) => e.forum_id !== 2],
    ['type', { type: 'topic' }, (e) => e.content_type === 'topic'],
    ['quality range', { qmin: '0.25', qmax: '0.5' }, (e) => e.q >= 0.25 && e.q <= 0.5],
    ['relevance floor', { rmin: '0.6' }, (e) => e.r >= 0.6],
    [
      'date range',
      { from: '2025-01-03', to: '2025-01-05' },
      (e) => e.at >= '2025-01-03T00:00:00.000Z' && e.at < '2025-01-06T00:00:00.000Z',
    ],
    ['summary text', { q: 'GAMMA' }, (e) => !!e.summary?.includes('gamma')],
    ['text with % and _ taken literally', { q: '50%_' }, (e) => !!e.summary?.includes('50%_')],
    ['text with a backslash', { q: 'k\\s' }, (e) => !!e.summary?.includes('k\\s')],
    [
      'everything at once',
      { forum: '3', type: 'post', qmin: '0.25', rmax: '0.67', from: '2025-01-02', q: 'summary' },
      (e) => e.forum_id === 3 && e.content_type === 'post' && e.q >= 0.25 && e.r <= 0.67 && e.at >= '2025-01-02' && !!e.summary,
    ],
  ];
  for (const [name, params, keep] of cases) {
    it(`${name}: the pages and the count hold exactly the matching rows`, async () => {
      const want = ordered(all.filter(keep), 'created_at', 'asc');
      expect(want.length, 'the case selects some rows').toBeGreaterThan(0);
      expect(want.length, 'and leaves some out').toBeLessThan(all.length);
      const { ids } = await walk({ ...params, sort: 'created_at', dir: 'asc', limit: '50' });
      expect(ids).toEqual(want);
      expect(await countMatching(db.knex, browseQuerySchema.parse(params))).toEqual({ count: want.length, estimated: false });
    });
  }

  it('estimates from the statistics when asked', async () => {
    await db.knex.raw('ANALYZE content_evaluations');
    const n = await estimateMatching(db.knex, {});
    expect(n).toBe(all.length);
  });

  it('gives the estimate, marked as such, when the exact count runs over its budget', async (ctx) => {
    // The embedded database lets one connection in at a time: nothing can hold the lock meanwhile.
    ctx.skip(db.mode === 'embedded', 'skipped on the embedded database: it lets one connection in at a time, so nothing can hold the lock meanwhile');
    await db.knex.raw('ANALYZE content_evaluations');
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      // A lock that the count must wait for, released once the count's budget has passed.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE content_evaluations IN ACCESS EXCLUSIVE MODE');
      const counting = countMatching(db.knex, {}, 100);
      await new Promise((r) => setTimeout(r, 400));
      await locker.query('COMMIT');
      expect(await counting).toEqual({ count: all.length, estimated: true });
    } finally {
      await locker.end();
    }
  });
});

describe('reads', () => {
  it('run read-only, and a statement over its time is a 503 that says what to do', async () => {
    await expect(readOnly(db.knex, (trx) => trx('forums').insert({ name: 'x', url: 'u' }))).rejects.toThrow(/read-only transaction/);
    // PGlite (the embedded database) runs in one thread and never cancels a statement on time.
    if (db.mode === 'embedded') return;
    const slow = readOnly(db.knex, (trx) => trx.raw('SELECT pg_sleep(1)'), { timeoutMs: 50 });
    await expect(slow).rejects.toBeInstanceOf(ApiError);
    await expect(slow).rejects.toMatchObject({ status: 503, message: expect.stringMatching(/within 0.1 s: narrow the filter/) });
  });
});

describe('orphans', () => {
  it('are the evaluations of a deleted topic and its posts', async () => {
    expect(await countMatching(db.knex, { orphans: 'only' })).toEqual({ count: 0, estimated: false });
    const topic = 7;
    const postIds = Array.from({ length: POSTS_PER_TOPIC }, (_, j) => (topic - 1) * POSTS_PER_TOPIC + 1 + j);
    await db.knex('topics').where({ id: topic }).del(); // cascades to its posts
    // An evaluation whose content type names neither a topic nor a post is an orphan too.
    const [odd] = await db.knex('content_evaluations').insert({ content_id: 1, content_type: 'video', forum_id: 1, quality_score: 0.5, relevance_score: 0.5 }).returning('id');
    const want = all
      .filter((e) => (e.content_type === 'topic' && e.content_id === topic) || (e.content_type === 'post' && postIds.includes(e.content_id)))
      .map((e) => e.id)
      .concat(odd.id as number);
    expect(want.length).toBeGreaterThan(1);
    expect(await countMatching(db.knex, { orphans: 'only' })).toEqual({ count: want.length, estimated: false });
    const { ids, pages } = await walk({ orphans: 'only', sort: 'quality', dir: 'asc', limit: '3' });
    expect([...ids].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
    expect(pages.flatMap((p) => p.rows).every((r) => r.orphan && r.content === null)).toBe(true);
    const detail = await getEvaluation(db.knex, want[0]!);
    expect(detail?.content).toBeNull();
    expect(detail?.evaluation.orphan).toBe(true);
  });
});

describe('detail', () => {
  it('has the metadata, the full content and the other evaluations of that content', async () => {
    const [{ id }] = await db.knex('content_evaluations').insert({ content_id: 2, content_type: 'post', forum_id: 3, quality_score: 0.9, relevance_score: 0.8, summary: 'one', metadata: JSON.stringify({ model: 'judge-x', tokens: 12 }) }).returning('id');
    const [{ id: other }] = await db.knex('content_evaluations').insert({ content_id: 2, content_type: 'post', forum_id: 3, quality_score: 0.1, relevance_score: 0.2 }).returning('id');
    const d = await getEvaluation(db.knex, id);
    expect(d!.evaluation).toMatchObject({ id, contentType: 'post', contentId: 2, quality: 0.9, relevance: 0.8, summary: 'one', metadata: { model: 'judge-x', tokens: 12 } });
    expect(d!.content).toMatchObject({ kind: 'post', id: 2, topicId: 1, topicTitle: 'Topic 1', body: 'Post 2\nsecond line' });
    const sameContent = all.filter((e) => e.content_type === 'post' && e.content_id === 2).length + 1;
    expect(d!.others.total).toBe(sameContent);
    expect(d!.others.rows.map((o) => o.id)).toContain(other);
    expect(d!.others.rows.map((o) => o.id)).not.toContain(id);
    expect(await getEvaluation(db.knex, 2_000_000_000)).toBeNull();
  });
});

describe('CSV export', () => {
  function parseCsv(text: string): string[][] {
    const out: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        row.push(field);
        field = '';
      } else if (c === '\r' && text[i + 1] === '\n') {
        row.push(field);
        out.push(row);
        row = [];
        field = '';
        i++;
      } else field += c;
    }
    return out;
  }

  it('streams every matching row in the sort order, across batches, quoted', async () => {
    const [{ id: tricky }] = await db.knex('content_evaluations').insert({ content_id: 3, content_type: 'topic', forum_id: 1, quality_score: 0.75, relevance_score: 0.5, summary: '=cmd, "quoted"\nnext line' }).returning('id');
    const q = exportQuerySchema.parse({ forum: '1', sort: 'quality', dir: 'desc' });
    const stream = await exportCsv(db.knex, q, 6);
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += new TextDecoder().decode(chunk);
      chunks++;
    }
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_HEADER]);
    const current = await db.knex('content_evaluations').where({ forum_id: 1 }).select('id', 'quality_score');
    const want = [...current].sort((a, b) => b.quality_score - a.quality_score || b.id - a.id).map((r) => String(r.id));
    expect(rows.slice(1).map((r) => r[0])).toEqual(want);
    expect(chunks).toBeGreaterThan(want.length / 6);
    const line = rows.find((r) => r[0] === String(tricky))!;
    expect(line[CSV_HEADER.indexOf('summary')]).toBe(`'=cmd, "quoted"\nnext line`);
    expect(line[CSV_HEADER.indexOf('content')]).toBe('Topic 3');
  });
});
