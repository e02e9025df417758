// The vector health page's background jobs on the generator's clustered data: measured recall,
// exact counts of the planted problems, and an audited rebuild.
import knex from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { startExactCounts } from '../lib/diagnostics/vector/exact-counts';
import { startRecall } from '../lib/diagnostics/vector/recall';
import { findAnnTarget } from '../lib/diagnostics/vector/ann-target';
import { boundFrom, exactNeighbours, indexScansOff, nearestArgs, nearestSql, type Neighbour } from '../lib/diagnostics/vector/ground-truth';
import { readOnly, setLocal } from '../lib/diagnostics/read-only';
import { startReindex } from '../lib/diagnostics/vector/reindex';
import { buildSeconds, rebuildEstimate } from '../lib/diagnostics/vector/ann-rules';
import { getVectorHealth } from '../lib/diagnostics/vector/report';
import { SCALES, type Scale } from '../lib/generator/scales';
import { getJob } from '../lib/jobs/registry';
import type { ExactCountsResult, JobView, RecallResult, ReindexResult } from '../lib/schemas/vector-health';
import { freshTestDatabase } from './harness/db';
import { loadGenerated } from './harness/generated';

const db = freshTestDatabase();
const scale: Scale = {
  ...SCALES.demo,
  topics: 200,
  postsPerTopic: 4,
  evaluations: 100,
  planted: { zeroPostVectors: 3, nullTitleVectors: 4, stalePostVectors: 5, postsWithoutVectors: 6, orphanEvaluations: 1 },
};
const POST_INDEX = { schema: 'public', name: 'post_vectors_content_vector_idx' };
const dbOf = () => ({ knex: db.knex, target: db.target });

async function settle(job: JobView): Promise<JobView> {
  for (;;) {
    const now = (await getJob(dbOf(), job.id))!;
    if (now.status !== 'running') return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every row's position and version: any write to the table changes it. */
async function fingerprint(table: string): Promise<string> {
  const r = await db.knex.raw<{ rows: { h: string }[] }>(`SELECT md5(string_agg(ctid::text || ':' || xmin::text, ',' ORDER BY ctid)) AS h FROM ${table}`);
  return r.rows[0]!.h;
}

beforeAll(async () => {
  await db.knex.migrate.latest();
  // Jobs are recorded in Strata's own schema, as in a running dashboard.
  await ensureStrataSchema(db.knex);
  await loadGenerated(db, scale, 42);
});

describe('recall', () => {
  it('is 1.0 when probes = lists and lower at probes = 1, and the run writes nothing', async () => {
    const before = await fingerprint('post_vectors');
    const { job } = await startRecall(dbOf(), { index: POST_INDEX, queries: 20, k: 10, values: [100, 1], timeLimitSeconds: 120 }, 'test');
    expect(job).toMatchObject({ kind: 'recall', status: 'running', subject: 'post_vectors_content_vector_idx' });
    const done = await settle(job);
    expect(done.error).toBeNull();
    expect(done.status).toBe('done');
    const r = done.result as RecallResult;
    expect(r).toMatchObject({ setting: 'ivfflat.probes', k: 10, queriesPlanned: 20, queriesMeasured: 20, stoppedEarly: null });
    expect(r.index).toMatchObject({ method: 'ivfflat', distance: 'cosine', column: 'content_vector' });
    const at = Object.fromEntries(r.points.map((p) => [p.value, p]));
    expect(r.points.map((p) => p.value)).toEqual([1, 100]);
    expect(at[100]!.recall).toBe(1);
    expect(at[1]!.recall).toBeLessThan(1);
    expect(at[1]!.current).toBe(true);
    expect(at[1]!.queries).toBe(20);
    expect(r.exact.p50Ms).toBeGreaterThan(0);
    expect(r.exact).toMatchObject({ queries: 1 });
    expect(r.exact.passMs).toBeGreaterThan(0);
    // On PostgreSQL the sweep is timed on a second connection beside the pass; the embedded database has one.
    expect(r.timing.besidePass).toBe(db.mode !== 'embedded');
    expect(r.timing.sweepMs).toBeGreaterThan(0);
    expect(await fingerprint('post_vectors')).toBe(before);
  });

  it('times the sweep beside the pass on the same snapshot: a row committed meanwhile is seen by neither', async (ctx) => {
    ctx.skip(db.mode === 'embedded', 'skipped on the embedded database: it lets one connection in at a time, so there is no second transaction to share a snapshot with');
    const seen = await readOnly(
      db.knex,
      30_000,
      async (trx) => {
        const [{ s }] = (await trx.raw<{ rows: { s: string }[] }>('SELECT pg_export_snapshot() AS s')).rows as [{ s: string }];
        const count = async (k: typeof trx) => Number((await k.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM forums')).rows[0]!.n);
        const first = await count(trx);
        // Committed after the snapshot was taken, on a connection of its own.
        await db.knex('forums').insert({ name: 'added during the measurement', url: 'https://example.com/added' });
        const beside = await readOnly(db.knex, 30_000, (trx2) => count(trx2), { repeatableRead: true, snapshot: s });
        const fresh = Number((await db.knex('forums').count({ n: '*' }))[0]!.n);
        return { first, beside, fresh };
      },
      { repeatableRead: true },
    );
    expect(seen.beside).toBe(seen.first);
    expect(seen.fresh).toBe(seen.first + 1);
    await db.knex('forums').where({ name: 'added during the measurement' }).delete();
    await expect(readOnly(db.knex, 1_000, async () => 1, { repeatableRead: true, snapshot: "x'; DROP TABLE forums; --" })).rejects.toThrow(/not a snapshot/);
  });

  it('sweeps around √lists when no values are given, and refuses an index that does not exist', async () => {
    const { job } = await startRecall(dbOf(), { index: POST_INDEX, queries: 3, k: 5, timeLimitSeconds: 60 }, 'test');
    const r = (await settle(job)).result as RecallResult;
    expect(r.points.map((p) => p.value)).toEqual([1, 5, 10, 20, 40]);
    for (const p of r.points) expect(p.recall).toBeGreaterThanOrEqual(0);
    await expect(startRecall(dbOf(), { index: { schema: 'public', name: 'nope' }, queries: 3, k: 5, timeLimitSeconds: 60 }, 'test')).rejects.toThrow(/No ivfflat or HNSW index/);
  });
});

describe('the exact neighbours of many queries in one pass', () => {
  it('are each query’s own exact search, with the index’s bound, without one, and read in block ranges', async () => {
    const target = await findAnnTarget(db.knex, POST_INDEX);
    const k = 10;
    const got = await readOnly(
      db.knex,
      120_000,
      async (trx) => {
        const queries = (await trx.raw<{ rows: { q: string }[] }>('SELECT content_vector::text AS q FROM post_vectors WHERE vector_norm(content_vector) > 0 ORDER BY id LIMIT 12')).rows.map((r) => r.q);
        // The index's answers at probes = 1: bounds, loose where it missed.
        await setLocal(trx, 'ivfflat.probes', 1);
        const answers: Neighbour[][] = [];
        for (const q of queries) answers.push((await trx.raw<{ rows: Neighbour[] }>(nearestSql(target), nearestArgs(target, q, k))).rows);
        // With about 8 rows a list, probes = 1 may answer every query with fewer than k rows,
        // depending on how the build's k-means split the rows: the even queries without a bound
        // get one from all 100 lists (the exact answer, a tight bound), so that the pass has work.
        await setLocal(trx, 'ivfflat.probes', 100);
        const bounds: (number | null)[] = [];
        for (const [i, a] of answers.entries()) {
          const own = boundFrom([a], k);
          bounds.push(own !== null || i % 2 === 1 ? own : boundFrom([(await trx.raw<{ rows: Neighbour[] }>(nearestSql(target), nearestArgs(target, queries[i]!, k))).rows], k));
        }
        // One query has no bound: it is searched on its own.
        bounds[3] = null;
        const steps: string[] = [];
        const pass = await exactNeighbours(trx, target, queries, k, { bounds, ranges: 3, progress: (_d, _t, step) => steps.push(step) });
        const whole = await exactNeighbours(trx, target, queries, k, { bounds: queries.map(() => 10) });
        await indexScansOff(trx);
        const alone: Neighbour[][] = [];
        for (const q of queries) alone.push((await trx.raw<{ rows: Neighbour[] }>(nearestSql(target), nearestArgs(target, q, k))).rows);
        return { pass, whole, alone, steps, bounds, answers };
      },
      { repeatableRead: true, vectorSchema: target.vectorSchema },
    );
    const key = (ns: Neighbour[]) => ns.map((n) => `${n.id}:${n.d}`).sort();
    expect(got.alone.every((a) => a.length === 10)).toBe(true);
    got.alone.forEach((a, i) => {
      expect(key(got.pass[i]!), `query ${i}`).toEqual(key(a));
      expect(key(got.whole[i]!), `query ${i}, bound 10`).toEqual(key(a));
      // Nearest first.
      expect(got.pass[i]!.map((n) => n.d)).toEqual([...got.pass[i]!.map((n) => n.d)].sort((x, y) => x - y));
    });
    // Some answers at probes = 1 miss a true neighbour: the truth did not come from the index.
    expect(got.answers.some((a, i) => key(a).join() !== key(got.alone[i]!).join())).toBe(true);
    expect(got.steps.filter((s) => s.includes('one pass'))).toHaveLength(3);
    // Where probes = 1 found fewer than k rows for an odd query there is no bound either.
    const unbounded = got.bounds.filter((b) => b === null).length;
    expect(unbounded).toBeGreaterThanOrEqual(1);
    expect(unbounded).toBeLessThan(got.bounds.length);
    expect(got.steps.filter((s) => s.includes('on its own'))).toHaveLength(unbounded);
    expect(boundFrom([[{ id: '(0,1)', d: 0.2 }]], 2)).toBeNull();
    expect(boundFrom([[{ id: '(0,1)', d: 0.2 }, { id: '(0,2)', d: 0.5 }], [{ id: '(0,3)', d: 0.1 }, { id: '(0,4)', d: 0.4 }]], 2)).toBe(0.4);
  });
});

describe('a recall run out of time', () => {
  it('stops at its time limit and says so', async () => {
    // A millisecond: the statement_timeout stops the first statement.
    const { job } = await startRecall(dbOf(), { index: POST_INDEX, queries: 5, k: 10, values: [1], timeLimitSeconds: 0.001 }, 'test');
    const done = await settle(job);
    expect(done.status).toBe('timed_out');
    expect(done.error).toBe('Stopped at the time limit of 0.001 s before the first query finished.');
    expect(done.result).toBeNull();
  });
});

describe('recall beside the pass, on PostgreSQL', () => {
  const skipEmbedded = (ctx: { skip: (cond: boolean, why: string) => void }) =>
    ctx.skip(db.mode === 'embedded', 'skipped on the embedded database: it has one connection, so the sweep never runs beside the pass');

  it('runs the sweep after the pass when no second connection is to be had', async (ctx) => {
    skipEmbedded(ctx);
    // One connection: the job's transaction holds it, and the sweep's wait for another times out.
    const one = knex({ client: 'pg', connection: db.url, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 500 });
    try {
      const { job } = await startRecall({ knex: one, target: db.target }, { index: POST_INDEX, queries: 10, k: 10, values: [1, 100], timeLimitSeconds: 60 }, 'test');
      const done = await settle(job);
      expect(done.error).toBeNull();
      const r = done.result as RecallResult;
      expect(r.timing.besidePass).toBe(false);
      expect(r.points.find((p) => p.value === 100)!.recall).toBe(1);
    } finally {
      await one.destroy();
    }
  });

  it('keeps the pass’s transaction while a longer sweep runs beside it, past the dashboard’s idle limit', async (ctx) => {
    skipEmbedded(ctx);
    // An idle limit of 50 ms on every session, as the dashboard has one (of 60 s) on its own.
    const strict = knex({ client: 'pg', connection: { connectionString: db.url, idle_in_transaction_session_timeout: 50 } as never, pool: { min: 0, max: 4 } });
    try {
      const { job } = await startRecall({ knex: strict, target: db.target }, { index: POST_INDEX, queries: 50, k: 10, values: [1, 2, 3, 4, 5, 6, 7, 8], timeLimitSeconds: 60 }, 'test');
      const done = await settle(job);
      expect(done.error).toBeNull();
      const r = done.result as RecallResult;
      expect(r.timing.besidePass).toBe(true);
      // What the test is about: the pass's connection waited longer than the idle limit.
      expect(r.timing.sweepMs - r.exact.passMs).toBeGreaterThan(50);
      expect(r.points).toHaveLength(8);
    } finally {
      await strict.destroy();
    }
  });
});

describe('recall of an HNSW index', () => {
  it('sweeps ef_search, with recall rising as the candidate list grows', async () => {
    await db.knex.raw('CREATE INDEX topic_vectors_content_hnsw ON topic_vectors USING hnsw (content_vector vector_l2_ops) WITH (m = 4, ef_construction = 16)');
    const { job } = await startRecall(dbOf(), { index: { schema: 'public', name: 'topic_vectors_content_hnsw' }, queries: 10, k: 10, values: [1, 200], timeLimitSeconds: 60 }, 'test');
    const done = await settle(job);
    expect(done.error).toBeNull();
    const r = done.result as RecallResult;
    expect(r).toMatchObject({ setting: 'hnsw.ef_search', current: 40, index: { method: 'hnsw', distance: 'l2' } });
    const [low, high] = r.points;
    // ef_search = 1 returns a single candidate: at most one of ten neighbors.
    expect(low!.recall).toBeLessThanOrEqual(0.1);
    expect(high!.recall).toBeGreaterThan(low!.recall);
  });
});

describe('exact counts', () => {
  it('count the planted problems exactly', async () => {
    const { job } = await startExactCounts(dbOf(), undefined, 'test');
    const done = await settle(job);
    expect(done.status).toBe('done');
    const r = done.result as ExactCountsResult;
    const posts = scale.topics * scale.postsPerTopic;
    const col = (table: string, column: string) => r.columns.find((c) => c.table === table && c.column === column)!;
    expect(col('post_vectors', 'content_vector')).toMatchObject({ rows: posts - scale.planted.postsWithoutVectors, nulls: 0, zeros: scale.planted.zeroPostVectors });
    expect(col('topic_vectors', 'title_vector')).toMatchObject({ rows: scale.topics, nulls: scale.planted.nullTitleVectors });
    const postCoverage = r.coverage.find((c) => c.content === 'posts')!;
    expect(postCoverage).toMatchObject({ vectors: 'post_vectors', contentRows: posts, missing: scale.planted.postsWithoutVectors, stale: scale.planted.stalePostVectors });
    expect(postCoverage.missingExamples).toHaveLength(5);
    expect(r.coverage.find((c) => c.content === 'topics')).toMatchObject({ missing: 0, vectorRows: scale.topics });
    expect(done.progress.done).toBe(done.progress.total);
  });

  it('agree with the page’s sampled figures on a table small enough to read whole', async () => {
    const report = await getVectorHealth(dbOf(), { expectedDimensions: 1536 });
    if (!report.coverage.ok || !report.columns.ok) throw new Error('sections failed');
    const pair = report.coverage.data.find((p) => p.content.table === 'posts')!;
    expect(pair.missing).toMatchObject({ value: scale.planted.postsWithoutVectors, method: 'exact' });
    expect(pair.stale).toMatchObject({ value: scale.planted.stalePostVectors, method: 'exact' });
    const col = report.columns.data.find((c) => c.table === 'post_vectors')!;
    expect(col.zeros).toEqual({ value: scale.planted.zeroPostVectors, method: 'exact' });
  });
});

describe('rebuild', () => {
  it('rebuilds an ivfflat index after the confirmation, and audits it', async () => {
    await ensureStrataSchema(db.knex);
    const actor = { kind: 'user' as const, id: 'u1', label: 'operator@example.test', role: 'operator' as const };
    const who = { actor, requestId: 'req-reindex-1', ip: '127.0.0.1' };
    const concurrently = db.target.kind === 'external';
    await expect(startReindex(dbOf(), { index: POST_INDEX, confirm: 'wrong', concurrently }, who)).rejects.toThrow(/type the index name/);
    const { job } = await startReindex(dbOf(), { index: POST_INDEX, confirm: POST_INDEX.name, concurrently, maintenanceWorkMemMb: 128 }, who);
    const done = await settle(job);
    expect(done.error).toBeNull();
    expect(done.result as ReindexResult).toMatchObject({ index: 'post_vectors_content_vector_idx', table: 'post_vectors', concurrently });
    const valid = await db.knex.raw<{ rows: { v: boolean }[] }>("SELECT indisvalid AS v FROM pg_index WHERE indexrelid = 'post_vectors_content_vector_idx'::regclass");
    expect(valid.rows[0]!.v).toBe(true);
    const audit = await db.knex('strata.audit_events').where({ action: 'vector.reindex' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_label: 'operator@example.test', outcome: 'success', request_id: 'req-reindex-1' });
    expect(audit[0].details).toMatchObject({ index: 'post_vectors_content_vector_idx', concurrently, maintenanceWorkMemMb: 128 });
  });
});

describe('the rebuild estimate', () => {
  it('is scaled to this server by the rebuilds it has finished, and says so', async (ctx) => {
    ctx.skip(db.mode === 'embedded', 'skipped on the embedded database: building a 40 MB index there takes minutes, and its estimate is scaled the same way');
    await ensureStrataSchema(db.knex);
    // 40 MB of 1,536-dimension vectors: big enough that the estimate learns from its rebuild (at least a second on the reference machine).
    await db.knex.raw('CREATE TABLE calibration_items (id int PRIMARY KEY, embedding vector(1536))');
    await db.knex.raw(
      `INSERT INTO calibration_items SELECT i, (SELECT array_agg(random())::vector FROM generate_series(1, 1536) d WHERE g.i > 0) FROM generate_series(1, 6500) g(i)`,
    );
    await db.knex.raw('CREATE INDEX calibration_items_ivf ON calibration_items USING ivfflat (embedding vector_l2_ops) WITH (lists = 20)');
    const index = { schema: 'public', name: 'calibration_items_ivf' };
    const estimateOf = async () => {
      const report = await getVectorHealth(dbOf(), { expectedDimensions: null });
      if (!report.ann.ok) throw new Error(report.ann.error);
      return report.ann.data.indexes.find((i) => i.name === index.name)!;
    };
    const before = await estimateOf();
    expect(before.reindex.plain.estimate).toBe(rebuildEstimate('ivfflat', before.sizeBytes, false));
    expect(before.reindex.plain.estimate).not.toMatch(/this server/);

    const who = { actor: { kind: 'user' as const, id: 'u1', label: 'operator@example.test', role: 'operator' as const }, requestId: 'req-cal', ip: null };
    const done = await settle((await startReindex(dbOf(), { index, confirm: index.name, concurrently: false, maintenanceWorkMemMb: 256 }, who)).job);
    expect(done.error).toBeNull();
    const r = done.result as ReindexResult;
    expect(r.method).toBe('ivfflat');
    expect(buildSeconds('ivfflat', r.sizeAfterBytes!)).toBeGreaterThanOrEqual(1);

    const after = await estimateOf();
    const factor = r.ms / 1000 / buildSeconds('ivfflat', r.sizeAfterBytes!);
    expect(after.reindex.plain.estimate).toBe(rebuildEstimate('ivfflat', after.sizeBytes, false, { ivfflat: { factor, builds: 1 } }));
    expect(after.reindex.plain.estimate).toContain(`scaled to this server by its last rebuild of ivfflat indexes (${factor.toFixed(1)}x the reference machine's time)`);
    await db.knex.raw('DROP TABLE calibration_items');
  }, 180_000);
});
