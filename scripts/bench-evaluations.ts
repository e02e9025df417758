// The evaluations benchmarks of `npm run bench`: a browse page deep in the table against the
// first page, the distributions through the dashboard's code against the same statements through
// a plain pg client (and the first estimate against the exact answer), and the CSV export's rate
// against PostgreSQL's own COPY and its memory against building the file in memory. Every figure
// is a median of repeated runs, with its baseline measured alternately in the same run.
import type { Knex } from 'knex';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { browse, SORT_COLUMN } from '../lib/evaluations/browse';
import { DISTRIBUTION_SETTINGS, distributionStatements, getDistributions } from '../lib/evaluations/distributions';
import { coverage, estimateChecks } from '../lib/evaluations/estimate-checks';
import { exportCsv } from '../lib/evaluations/export';
import { exportCsvCopy } from '../lib/evaluations/export-copy';
import { browseQuerySchema, distributionQuerySchema, encodeCursor, exportQuerySchema, type SortDir, type SortKey } from '../lib/schemas/evaluations';

import { speed, type Result } from './bench-result';

export type { Result };

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : fmt(n)) + ' ms';
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Runs a and b alternately `runs` times after one warm-up each; medians in ms. */
async function pair(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  await a();
  await b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(await timed(a));
    tb.push(await timed(b));
  }
  return [median(ta), median(tb)];
}

const PAGE = 50;

/** The cursor that starts page `pageNo` (1-based), found with OFFSET once, outside the timing. */
async function cursorForPage(k: Knex, sort: SortKey, dir: SortDir, pageNo: number, forum?: number): Promise<string> {
  const { column } = SORT_COLUMN[sort];
  const q = k('content_evaluations')
    .select('id', k.raw(`to_json(??) #>> '{}' AS v`, [column]))
    .orderBy([
      { column, order: dir },
      { column: 'id', order: dir },
    ])
    .offset((pageNo - 1) * PAGE - 1)
    .limit(1);
  if (forum !== undefined) q.where('forum_id', forum);
  const row = (await q)[0] as { id: number; v: string };
  return encodeCursor({ s: sort, d: dir, v: row.v, i: row.id });
}

async function browseDepth(k: Knex, rows: number): Promise<Result[]> {
  const out: Result[] = [];
  // A quarter of the way down: page 5,000 of a million rows, page 50,000 of ten million.
  const deepPage = Math.max(2, Math.floor(rows / PAGE / 4));
  const smallest = (await k('content_evaluations').select('forum_id').count({ n: '*' }).groupBy('forum_id').orderBy('n').first()) as {
    forum_id: number;
    n: string;
  };
  const forumDeep = Math.max(2, Math.floor(Number(smallest.n) / PAGE) - 1);
  const cases: { label: string; sort: SortKey; dir: SortDir; forum?: number; page: number }[] = [
    { label: 'created_at desc', sort: 'created_at', dir: 'desc', page: deepPage },
    { label: 'quality asc', sort: 'quality', dir: 'asc', page: deepPage },
    { label: 'relevance desc', sort: 'relevance', dir: 'desc', page: deepPage },
    { label: `quality desc, forum ${smallest.forum_id}`, sort: 'quality', dir: 'desc', forum: smallest.forum_id, page: forumDeep },
  ];
  for (const c of cases) {
    const base = { sort: c.sort, dir: c.dir, ...(c.forum ? { forum: String(c.forum) } : {}) };
    const after = await cursorForPage(k, c.sort, c.dir, c.page, c.forum);
    const [deep, first] = await pair(
      31,
      () => browse(k, browseQuerySchema.parse({ ...base, after })),
      () => browse(k, browseQuerySchema.parse(base)),
    );
    out.push({
      name: `browse page ${fmt(c.page)} (${c.label})`,
      value: ms(deep),
      baseline: 'page 1, same sort and filter',
      baselineValue: ms(first),
      ratio: `${(deep / first).toFixed(2)}x`,
    });
  }
  // What the cursor saves: the same deep page read with OFFSET.
  const { column } = SORT_COLUMN.created_at;
  const after = await cursorForPage(k, 'created_at', 'desc', deepPage);
  const [keyset, offset] = await pair(
    5,
    () => browse(k, browseQuerySchema.parse({ after })),
    () =>
      k('content_evaluations')
        .select('id')
        .orderBy([
          { column, order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .offset((deepPage - 1) * PAGE)
        .limit(PAGE),
  );
  out.push({
    name: `browse page ${fmt(deepPage)} by cursor (created_at desc)`,
    value: ms(keyset),
    baseline: 'the same page by OFFSET (ids only)',
    baselineValue: ms(offset),
    ratio: speed(offset, keyset, 1),
  });
  return out;
}

async function distributions(k: Knex, url: string): Promise<Result[]> {
  const out: Result[] = [];
  const forum = ((await k('content_evaluations').select('forum_id').count({ n: '*' }).groupBy('forum_id').orderBy('n', 'desc').first()) as {
    forum_id: number;
  }).forum_id;
  const client = new pg.Client({ connectionString: url, application_name: 'strata-bench' });
  await client.connect();
  try {
    for (const [label, params] of [
      ['all rows', {}],
      [`forum ${forum}, one quarter`, { forum: String(forum), from: '2025-04-01', to: '2025-06-30' }],
    ] as const) {
      const q = distributionQuerySchema.parse(params);
      const statements = distributionStatements(k, q);
      const plain = async () => {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query("SELECT set_config('statement_timeout', '60000', true)");
        await client.query(DISTRIBUTION_SETTINGS);
        for (const s of statements) await client.query(s.native.sql, s.native.values);
        await client.query('COMMIT');
      };
      const [ours, theirs] = await pair(5, () => getDistributions(k, q), plain);
      out.push({
        name: `distributions (${label})`,
        value: ms(ours),
        baseline: 'same statements, plain pg client',
        baselineValue: ms(theirs),
        ratio: `${(ours / theirs).toFixed(2)}x`,
      });
    }
    out.push(...(await distributionEstimates(k)));
    const api = process.env.BENCH_API_URL;
    const token = process.env.BENCH_API_TOKEN;
    if (api && token) {
      const q = distributionQuerySchema.parse({});
      const statements = distributionStatements(k, q);
      const plain = async () => {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query(DISTRIBUTION_SETTINGS);
        for (const s of statements) await client.query(s.native.sql, s.native.values);
        await client.query('COMMIT');
      };
      const request = async () => {
        const res = await fetch(`${api}/api/evaluations/distributions`, { headers: { authorization: `Bearer ${token}` } });
        if (!res.ok) throw new Error(`GET /api/evaluations/distributions: HTTP ${res.status}`);
        await res.json();
      };
      const [http, direct] = await pair(5, request, plain);
      out.push({
        name: 'GET /api/evaluations/distributions (all rows)',
        value: ms(http),
        baseline: 'same statements, plain pg client',
        baselineValue: ms(direct),
        ratio: `${(http / direct).toFixed(2)}x`,
      });
    }
  } finally {
    await client.end();
  }
  return out;
}

/**
 * The first answer (mode=estimate) against the exact one, and how many of the estimate's 95 %
 * intervals hold the exact figure. Where few rows match, the estimate is the exact answer.
 */
async function distributionEstimates(k: Knex): Promise<Result[]> {
  const out: Result[] = [];
  for (const [label, params] of [
    ['all rows', {}],
    ['forums 1-8, half a year', { forum: '1,2,3,4,5,6,7,8', from: '2025-05-01', to: '2025-10-31' }],
  ] as const) {
    const estimate = distributionQuerySchema.parse({ ...params, mode: 'estimate' });
    const exact = distributionQuerySchema.parse({ ...params, mode: 'exact' });
    const [e, x] = await pair(5, () => getDistributions(k, estimate), () => getDistributions(k, exact));
    const est = await getDistributions(k, estimate);
    const b = est.basis;
    const how = b.kind === 'estimate' ? `${fmt(b.sampledRows)} rows sampled, ${b.percent.toFixed(1)} % of pages` : 'exact: few rows match';
    out.push({
      name: `distributions, first answer (mode=estimate, ${label}; ${how})`,
      value: ms(e),
      baseline: 'the exact answer (mode=exact)',
      baselineValue: ms(x),
      ratio: speed(x, e, 1),
    });
    if (b.kind !== 'estimate') continue;
    const c = coverage(estimateChecks(est, await getDistributions(k, exact)));
    const held = Math.round(c.share * c.n);
    out.push({
      name: `distributions estimate (${label}): 95 % intervals holding the exact figure`,
      value: `${fmt(held)} of ${fmt(c.n)} (${(100 * c.share).toFixed(1)} %)`,
      baseline: 'nominal',
      baselineValue: '95 %',
      ratio: '—',
    });
  }
  return out;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * The most memory that `fn` holds at once above where it began: live heap and buffers, measured
 * after a full garbage collection at each sample (npm run bench starts node with --expose-gc),
 * and the process's resident set.
 */
async function peakMemory(fn: (sample: () => void) => Promise<number>): Promise<{ rows: number; ms: number; live: number; rss: number }> {
  const used = () => {
    gc?.();
    const m = process.memoryUsage();
    return { live: m.heapUsed + m.arrayBuffers, rss: m.rss };
  };
  const start = used();
  let live = 0;
  let rss = 0;
  const sample = () => {
    const now = used();
    live = Math.max(live, now.live - start.live);
    rss = Math.max(rss, now.rss - start.rss);
  };
  const t = performance.now();
  const rows = await fn(sample);
  return { rows, ms: performance.now() - t, live, rss };
}

/** Reads a stream to its end; its bytes. */
async function drain(stream: AsyncIterable<Uint8Array>, each?: () => void): Promise<number> {
  let bytes = 0;
  let chunks = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (each && ++chunks % 50 === 0) each();
  }
  return bytes;
}

/**
 * The export on a server (COPY, mended into the batch export's bytes) against PostgreSQL's own
 * COPY … TO STDOUT of the same join in the same order, alternately; its memory against building
 * the file in memory; and the keyset batches the embedded database uses, once.
 */
const IN_MEMORY_MAX_ROWS = 1_000_000;

async function csvExport(k: Knex, url: string): Promise<Result[]> {
  const q = exportQuerySchema.parse({});
  const rows = Number(((await k('content_evaluations').count({ n: '*' })) as { n: string }[])[0]!.n);
  const streamed = await peakMemory(async (sample) => {
    await drain(await exportCsvCopy(k, q), sample);
    return rows;
  });
  // Baseline for memory: the same rows read at once and the file built in memory (at most the
  // first million: ten million would not fit in Node's heap, which is the point).
  const inMemoryRows = Math.min(rows, IN_MEMORY_MAX_ROWS);
  const inMemory = await peakMemory(async (sample) => {
    const all = await k.raw<{ rows: Record<string, unknown>[] }>(
      `SELECT e.id, e.forum_id, f.name, e.content_type, e.content_id, COALESCE(t.title, left(p.content, 240)) AS content,
              (t.id IS NULL AND p.id IS NULL) AS orphan, e.quality_score, e.relevance_score, e.summary, to_json(e.created_at) #>> '{}' AS created_at
         FROM content_evaluations e LEFT JOIN forums f ON f.id = e.forum_id
         LEFT JOIN topics t ON e.content_type = 'topic' AND t.id = e.content_id
         LEFT JOIN posts p ON e.content_type = 'post' AND p.id = e.content_id
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT ${inMemoryRows}`,
    );
    const text = all.rows.map((r) => Object.values(r).join(',')).join('\r\n');
    sample();
    return text.length > 0 ? all.rows.length : 0;
  });
  // Baseline for speed: PostgreSQL writing the same join as CSV itself (COPY TO STDOUT).
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const plainCopy = async () =>
    drain(
      client.query(
        copyTo(`COPY (SELECT e.id, e.forum_id, f.name, e.content_type, e.content_id, COALESCE(t.title, left(p.content, 240)),
                       (t.id IS NULL AND p.id IS NULL), e.quality_score, e.relevance_score, e.summary, e.created_at
                  FROM content_evaluations e LEFT JOIN forums f ON f.id = e.forum_id
                  LEFT JOIN topics t ON e.content_type = 'topic' AND t.id = e.content_id
                  LEFT JOIN posts p ON e.content_type = 'post' AND p.id = e.content_id
                 ORDER BY e.created_at DESC, e.id DESC) TO STDOUT WITH (FORMAT csv)`),
      ) as AsyncIterable<Buffer>,
    );
  let ours: number;
  let plain: number;
  try {
    [ours, plain] = await pair(3, async () => drain(await exportCsvCopy(k, q)), plainCopy);
  } finally {
    await client.end();
  }
  const batchMs = await timed(async () => drain(await exportCsv(k, q)));
  const rate = (msTaken: number) => `${fmt((rows / msTaken) * 1000)} rows/s (${(msTaken / 1000).toFixed(1)} s)`;
  return [
    {
      name: `CSV export, ${fmt(rows)} rows, COPY streamed: most memory held (heap and buffers)`,
      value: mb(streamed.live),
      baseline: inMemoryRows < rows ? `the first ${fmt(inMemoryRows)} rows read, file built in memory` : 'all rows read, file built in memory',
      baselineValue: mb(inMemory.live),
      ratio: `${(inMemory.live / Math.max(streamed.live, 1)).toFixed(0)}x less`,
    },
    {
      name: `CSV export, ${fmt(rows)} rows, COPY streamed: resident set growth`,
      value: mb(streamed.rss),
      baseline: inMemoryRows < rows ? `the first ${fmt(inMemoryRows)} rows read, file built in memory` : 'all rows read, file built in memory',
      baselineValue: mb(inMemory.rss),
      // Under 0.1 MB is within what the process does anyway: say so rather than divide by it.
      ratio: streamed.rss < 100_000 ? 'no growth to speak of' : `${(inMemory.rss / streamed.rss).toFixed(0)}x less`,
    },
    {
      name: `CSV export, ${fmt(rows)} rows, COPY streamed and mended: rate (median of 3)`,
      value: rate(ours),
      baseline: 'COPY ... TO STDOUT of the same join',
      baselineValue: rate(plain),
      ratio: `${(plain / ours).toFixed(2)}x`,
    },
    {
      name: `CSV export, ${fmt(rows)} rows, keyset batches (the embedded database's path): rate`,
      value: rate(batchMs),
      baseline: 'COPY ... TO STDOUT of the same join',
      baselineValue: rate(plain),
      ratio: `${(plain / batchMs).toFixed(2)}x`,
    },
  ];
}

export const EVALUATION_SECTIONS = ['browse', 'distributions', 'export'] as const;
export type EvaluationSection = (typeof EVALUATION_SECTIONS)[number];

/** `k` is a knex instance on `url`, migrated to the latest (the browse indexes included). */
export async function evaluationBenchmarks(k: Knex, url: string, sections: readonly EvaluationSection[] = EVALUATION_SECTIONS): Promise<Result[]> {
  const rows = Number(((await k('content_evaluations').count({ n: '*' })) as { n: string }[])[0]!.n);
  const out: Result[] = [];
  if (sections.includes('browse')) out.push(...(await browseDepth(k, rows)));
  if (sections.includes('distributions')) out.push(...(await distributions(k, url)));
  if (sections.includes('export')) out.push(...(await csvExport(k, url)));
  return out;
}
