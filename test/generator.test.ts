// The data generator: same seed, same data; planted problems at their counts; the scale honoured;
// and a refused run changes nothing.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, NotEmptyError, TABLES } from '../lib/generator/load';
import { createWorld, evaluationRows, postRows, postVectorRows, topicVectorRows, type Row } from '../lib/generator/rows';
import { SCALES, type Scale, expectedRows, totalRows } from '../lib/generator/scales';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();
let client: pg.Client;

// Small enough for the embedded database, with every planted problem present.
const scale: Scale = {
  ...SCALES.demo,
  topics: 60,
  postsPerTopic: 3,
  evaluations: 400,
  planted: { zeroPostVectors: 2, nullTitleVectors: 3, stalePostVectors: 4, postsWithoutVectors: 5, orphanEvaluations: 6 },
};

beforeAll(async () => {
  await db.knex.migrate.latest();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
});

const method = () => (db.mode === 'embedded' ? 'insert' : 'copy') as 'insert' | 'copy';

async function checksums(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    // Text of every row in id order: any difference in any column changes the hash.
    const r = await client.query<{ h: string }>(`SELECT md5(string_agg(x::text, E'\\n' ORDER BY x.id)) AS h FROM ${t} x`);
    out[t] = r.rows[0]!.h;
  }
  return out;
}

const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);

describe('generator', () => {
  it('has the sizes its usage states, large included', () => {
    expect(totalRows(SCALES.small)).toBe(21_997);
    expect(totalRows(SCALES.medium)).toBe(1_479_740);
    expect(expectedRows(SCALES.large)).toMatchObject({ content_evaluations: 10_000_000, post_vectors: 1_000_000, topic_vectors: 200_400 });
    expect(totalRows(SCALES.large)).toBe(12_402_900);
    // The same clustering as medium.
    expect(SCALES.large.clustersPerForum).toBe(SCALES.medium.clustersPerForum);
    expect(SCALES.large.postsPerTopic).toBe(SCALES.medium.postsPerTopic);
  });

  it('loads the scale it was asked for', async () => {
    const counts = await generate(client, { scale, seed: 7, replace: false, method: method() });
    const posts = scale.topics * scale.postsPerTopic;
    expect(counts).toEqual({
      forums: scale.forums,
      topics: scale.topics,
      posts,
      topic_vectors: scale.topics,
      post_vectors: posts - scale.planted.postsWithoutVectors,
      content_evaluations: scale.evaluations,
    });
    expect(await count('SELECT count(*) AS n FROM content_evaluations')).toBe(scale.evaluations);
    // The progress display divides by these.
    expect(expectedRows(scale)).toEqual(counts);
  });

  it('plants each problem at its count', async () => {
    const p = scale.planted;
    expect(await count("SELECT count(*) AS n FROM post_vectors WHERE vector_norm(content_vector) = 0")).toBe(p.zeroPostVectors);
    expect(await count('SELECT count(*) AS n FROM topic_vectors WHERE title_vector IS NULL')).toBe(p.nullTitleVectors);
    expect(
      await count('SELECT count(*) AS n FROM post_vectors v JOIN posts p ON p.id = v.post_id WHERE p.updated_at > v.updated_at'),
    ).toBe(p.stalePostVectors);
    expect(
      await count('SELECT count(*) AS n FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_vectors v WHERE v.post_id = p.id)'),
    ).toBe(p.postsWithoutVectors);
    expect(
      await count(`SELECT count(*) AS n FROM content_evaluations e
                    WHERE (e.content_type = 'post' AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = e.content_id))
                       OR (e.content_type = 'topic' AND NOT EXISTS (SELECT 1 FROM topics t WHERE t.id = e.content_id))`),
    ).toBe(p.orphanEvaluations);
  });

  const similarities = async () =>
    (
      await client.query<{ same: number; forum: number; other: number; dups: string }>(`
        WITH v AS (SELECT pv.id, p.topic_id, p.forum_id, pv.content_vector AS e FROM post_vectors pv JOIN posts p ON p.id = pv.post_id
                    WHERE vector_norm(pv.content_vector) > 0)
        SELECT avg(1 - (a.e <=> b.e)) FILTER (WHERE a.topic_id = b.topic_id) AS same,
               avg(1 - (a.e <=> b.e)) FILTER (WHERE a.forum_id = b.forum_id AND a.topic_id <> b.topic_id) AS forum,
               avg(1 - (a.e <=> b.e)) FILTER (WHERE a.forum_id <> b.forum_id) AS other,
               count(*) FILTER (WHERE 1 - (a.e <=> b.e) > 0.97) AS dups
          FROM v a JOIN v b ON a.id < b.id`)
    ).rows[0]!;

  it('makes unit-length 1536-dimension vectors, as hard to tell apart as real embeddings', async () => {
    const r = await client.query<{ dims: number; min: number; max: number }>(
      'SELECT min(vector_dims(content_vector)) AS dims, min(vector_norm(content_vector)) AS min, max(vector_norm(content_vector)) AS max FROM post_vectors WHERE vector_norm(content_vector) > 0',
    );
    expect(r.rows[0]!.dims).toBe(1536);
    expect(r.rows[0]!.min).toBeGreaterThan(0.999);
    expect(r.rows[0]!.max).toBeLessThan(1.001);
    // Posts of one topic are similar, of one forum less so, of other forums a little (the common
    // component); some posts nearly repeat another.
    const sim = await similarities();
    expect(sim.same).toBeGreaterThan(0.45);
    expect(sim.same).toBeLessThan(0.8);
    expect(sim.forum).toBeGreaterThan(sim.other + 0.1);
    expect(sim.forum).toBeLessThan(sim.same - 0.1);
    expect(sim.other).toBeGreaterThan(0);
    expect(sim.other).toBeLessThan(0.25);
    expect(Number(sim.dups)).toBeGreaterThan(0);
  });

  it('makes separable clusters with easy', async () => {
    const before = await checksums();
    await generate(client, { scale, seed: 7, replace: true, method: method(), easy: true });
    // Posts of one topic share a cluster: far more similar than posts of different forums.
    const sim = await similarities();
    expect(sim.same).toBeGreaterThan(0.5);
    expect(sim.other).toBeLessThan(0.05);
    expect(Number(sim.dups)).toBe(0);
    // Only the vectors differ from the default data.
    const easy = await checksums();
    for (const t of TABLES) expect(easy[t] === before[t], t).toBe(!t.endsWith('_vectors'));
    await generate(client, { scale, seed: 7, replace: true, method: method() });
    expect(await checksums()).toEqual(before);
  });

  it('refuses to load over existing rows, and changes nothing', async () => {
    const before = await checksums();
    await expect(generate(client, { scale, seed: 8, replace: false, method: method() })).rejects.toThrow(NotEmptyError);
    expect(await checksums()).toEqual(before);
  });

  it('gives the same data for the same seed, and other data for another', async () => {
    const first = await checksums();
    await generate(client, { scale, seed: 7, replace: true, method: method() });
    expect(await checksums()).toEqual(first);
    await generate(client, { scale, seed: 8, replace: true, method: method() });
    const other = await checksums();
    for (const t of TABLES.filter((t) => t !== 'forums')) expect(other[t], t).not.toBe(first[t]);
  });

  it('stores exactly the numbers the generator computed (a sample of rows read back)', async () => {
    await generate(client, { scale, seed: 7, replace: true, method: method() });
    const world = createWorld(scale, 7);
    for (const r of postRows(world)) void r; // post vectors' times follow their posts'
    const pick = <T,>(rows: Iterable<Row>, every: number, f: (r: Row) => T) => {
      const out = new Map<number, T>();
      for (const r of rows) if ((r[0] as number) % every === 1) out.set(r[0] as number, f(r));
      return out;
    };
    const floats = (text: string) => Float32Array.from(JSON.parse(text) as number[], Math.fround);
    const posts = pick(postVectorRows(world), 17, (r) => ({ v: r[3] as Float32Array, at: r[4] as number }));
    const read = await client.query<{ id: number; v: string; at: string }>(
      'SELECT id, content_vector::text AS v, (extract(epoch FROM created_at) * 1000)::float8 AS at FROM post_vectors WHERE id = ANY($1)',
      [[...posts.keys()]],
    );
    expect(read.rows).toHaveLength(posts.size);
    for (const row of read.rows) {
      const want = posts.get(row.id)!;
      expect(floats(row.v), `post vector ${row.id}`).toEqual(want.v);
      expect(Number(row.at)).toBe(want.at);
    }
    const topics = pick(topicVectorRows(world), 7, (r) => r.slice(3, 6) as (Float32Array | null)[]);
    const readTopics = await client.query<{ id: number; t: string | null; c: string; m: string }>(
      'SELECT id, title_vector::text AS t, content_vector::text AS c, combined_vector::text AS m FROM topic_vectors WHERE id = ANY($1)',
      [[...topics.keys()]],
    );
    expect(readTopics.rows).toHaveLength(topics.size);
    for (const row of readTopics.rows) {
      const [t, c, m] = topics.get(row.id)!;
      expect(row.t === null ? null : floats(row.t)).toEqual(t);
      expect(floats(row.c)).toEqual(c);
      expect(floats(row.m)).toEqual(m);
    }
    const evals = pick(evaluationRows(world), 13, (r) => r);
    const readEvals = await client.query<{ id: number; q: number; r: number; s: string | null; m: string; ct: string }>(
      `SELECT id, quality_score::float8 AS q, relevance_score::float8 AS r, summary AS s, metadata::text AS m,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ct
         FROM content_evaluations WHERE id = ANY($1)`,
      [[...evals.keys()]],
    );
    expect(readEvals.rows).toHaveLength(evals.size);
    for (const row of readEvals.rows) {
      const want = evals.get(row.id)!;
      expect([row.q, row.r]).toEqual([Math.fround(want[4] as number), Math.fround(want[5] as number)]);
      expect(row.s).toBe(want[6]);
      expect(JSON.parse(row.m)).toEqual(JSON.parse(want[7] as string));
      expect(row.ct).toBe(new Date(want[8] as number).toISOString());
    }
  });

  it('stores the same rows with binary COPY as with batched INSERT, with the vectors made by worker threads or not', async (ctx) => {
    ctx.skip(db.mode === 'embedded', 'the embedded database (pglite-socket) does not speak COPY');
    let told = 0;
    await generate(client, { scale, seed: 9, replace: true, method: 'copy', threads: 3, onThreads: (n) => (told = n) });
    expect(told).toBe(3);
    const threaded = await checksums();
    await generate(client, { scale, seed: 9, replace: true, method: 'copy', threads: 1 });
    expect(await checksums()).toEqual(threaded);
    await generate(client, { scale, seed: 9, replace: true, method: 'insert' });
    expect(await checksums()).toEqual(threaded);
  });

  it('makes the same vector rows a range of topics at a time as in one go, ids included', () => {
    const world = createWorld(scale, 11);
    // The posts' update times, which the post vectors' rows carry.
    for (const _ of postRows(world)) void _;
    const cut = [0, 1, 17, 18, 40, scale.topics];
    for (const rows of [topicVectorRows, postVectorRows]) {
      const whole = [...rows(world)];
      const pieces = cut.slice(1).flatMap((to, i) => [...rows(world, { from: cut[i]!, to })]);
      expect(pieces).toEqual(whole);
    }
    // Ranges skip the planted posts without a vector exactly as one pass does.
    expect(world.planted.postsWithoutVectors.size).toBe(5);
    expect(() => topicVectorRows(createWorld(scale, 11, { easy: true }), { from: 0, to: 1 }).next()).toThrow(/one go/);
  });
});
