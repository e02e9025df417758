// The CSV export through COPY against the keyset-batch export, byte for byte, on rows planted to
// catch every difference between COPY's CSV and the batch export's: formulas (=cmd() and the
// others), empty texts, whitespace at either end (ASCII and Unicode), quotes, commas, line breaks,
// scores PostgreSQL and JavaScript print differently (-0, 1e-7, 1234567), NaN and infinities,
// orphans; with filters whose values go into the COPY statement (quotes, backslashes, a real at
// its bound), chunks cut anywhere, and a download given up half way.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { beforeAll, describe, expect, it } from 'vitest';
import { CSV_HEADER, exportCsv, exportEvaluations } from '../lib/evaluations/export';
import { copyQuery, CsvFromCopy, exportCsvCopy, withValues } from '../lib/evaluations/export-copy';
import { exportQuerySchema, type ExportQuery } from '../lib/schemas/evaluations';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();

const SUMMARIES = [
  '=cmd()',
  '+1',
  '-2',
  '@SUM(A1)',
  '\tTab first',
  '\rCR first',
  ' leading space',
  'trailing space ',
  '\u00a0no-break space first',
  'line separator last\u2028',
  '\ufeffbyte order mark first',
  'ideographic space last\u3000',
  '',
  null,
  'a "quoted" word',
  'comma, here',
  'two\nlines',
  'two\r\nlines',
  '=cmd, "quoted"\nnext line',
  ' =space then formula',
  'back\\slash',
  '\\.',
  '"',
  `a "quoted" it's \\ 50%_ match`,
  'ünïcödé ',
  '日本語',
  '😀 ',
  'plain text',
];
const SCORES = ['NaN', 'Infinity', '-Infinity', '-0', '1e-7', '5e-7', '0.000001', '0.00005', '0.1', '0.0001', '1234567', '3.4e38', '0.5', '1', '0'];

async function text(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const query = (params: Record<string, string>): ExportQuery => exportQuerySchema.parse(params);

/** A test of the COPY path, which serves servers only: the embedded database keeps the batches. */
function onServer(name: string, fn: () => Promise<void>) {
  it(name, async (ctx) => {
    ctx.skip(db.mode === 'embedded', 'skipped on the embedded database: its export is the batch export');
    await fn();
  });
}

async function activeCopies(): Promise<number> {
  const r = await db.knex.raw<{ rows: { n: number }[] }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (%' AND state = 'active' AND pid <> pg_backend_pid()",
  );
  return r.rows[0]!.n;
}

/** COPY's own output for a query, before CsvFromCopy. */
async function rawCopy(q: ExportQuery): Promise<Buffer> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const native = copyQuery(db.knex, q).toSQL().toNative();
    const sql = await withValues(client, native.sql, native.bindings);
    const parts: Buffer[] = [];
    for await (const c of client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv)`)) as AsyncIterable<Buffer>) parts.push(c);
    return Buffer.concat(parts);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await db.knex.migrate.latest();
  await db.knex('forums').insert([
    { id: 1, name: 'forum one', url: 'https://f1.example' },
    { id: 2, name: '=HYPERLINK("x")', url: 'https://f2.example' },
    { id: 3, name: 'trailing ', url: 'https://f3.example' },
    { id: 4, name: '', url: 'https://f4.example' },
  ]);
  await db.knex('topics').insert([
    { id: 1, forum_id: 1, title: 'Plain title', content: 'body', author: 'a' },
    { id: 2, forum_id: 2, title: '-minus, "quoted"', content: 'body', author: 'a' },
    { id: 3, forum_id: 3, title: ' spaced ', content: 'body', author: 'a' },
  ]);
  // Cut at 240 characters, these posts' previews end with a space, a word, a line break, an emoji.
  const long = (tail: string) => 'w'.repeat(239 - tail.length + 1) + tail + ' more text after the cut';
  await db.knex('posts').insert([
    { id: 1, topic_id: 1, forum_id: 1, content: long(' '), author: 'b' },
    { id: 2, topic_id: 1, forum_id: 1, content: long('x'), author: 'b' },
    { id: 3, topic_id: 2, forum_id: 2, content: 'short\npost', author: 'b' },
    { id: 4, topic_id: 3, forum_id: 3, content: '@mention first', author: 'b' },
    { id: 5, topic_id: 3, forum_id: 3, content: long('😀'), author: 'b' },
  ]);
  const rows = [];
  let n = 0;
  for (const summary of SUMMARIES) {
    for (const forum of [1, 2, 3, 4]) {
      n++;
      const orphan = n % 17 === 0;
      const topic = n % 3 === 0;
      rows.push({
        content_type: topic ? 'topic' : 'post',
        content_id: orphan ? 999 : topic ? 1 + (n % 3) : 1 + (n % 5),
        forum_id: forum,
        quality_score: SCORES[n % SCORES.length],
        relevance_score: SCORES[(n * 7) % SCORES.length],
        summary,
        created_at: new Date(Date.UTC(2025, 0, 1) + n * 3_600_123).toISOString(),
      });
    }
  }
  // An odd content type (the column is free text), a formula in it too.
  rows.push({ content_type: '=type', content_id: 1, forum_id: 1, quality_score: 0.25, relevance_score: 0.75, summary: 'odd type', created_at: '2025-02-01T00:00:00Z' });
  await db.knex('content_evaluations').insert(rows);
});

describe('CSV export through COPY', () => {
  const cases: Record<string, string>[] = [
    {},
    { sort: 'quality', dir: 'asc' },
    { sort: 'relevance', dir: 'desc', forum: '2,3' },
    { type: 'post', sort: 'created_at', dir: 'asc' },
    { q: `"quoted" it's \\ 50%_` },
    { q: 'space' },
    { qmin: '0.1', qmax: '0.5' },
    { from: '2025-01-02', to: '2025-01-03' },
    { orphans: 'only' },
  ];
  for (const params of cases) {
    onServer(`writes the batch export's bytes for ${JSON.stringify(params)}`, async () => {
      const q = query(params);
      const copied = await text(await exportCsvCopy(db.knex, q));
      const batched = await text(await exportCsv(db.knex, q, 7));
      expect(copied.toString()).toBe(batched.toString());
      expect(copied.length).toBeGreaterThan(CSV_HEADER.join(',').length + 2);
    });
  }

  onServer('escapes the planted formula in the summary, and reads no row twice', async () => {
    const csv = (await text(await exportCsvCopy(db.knex, query({})))).toString();
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(csv).toContain(`,'=cmd(),`);
    expect(csv).not.toMatch(/,=cmd\(\)/);
    expect(csv).toContain(`,"'=cmd, ""quoted""\nnext line",`);
    expect(csv).toContain(`,"'=HYPERLINK(""x"")",`);
    expect(csv).toContain(`," leading space",`);
    expect(csv).toContain(`,"trailing space ",`);
    expect(csv).toContain(`,NaN,`);
    expect(csv).not.toContain(',-0,');
    const ids = [...csv.matchAll(/\r\n(\d+),/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(SUMMARIES.length * 4 + 1);
  });

  onServer('mends COPY output the same however it is cut into chunks', async () => {
    const raw = await rawCopy(query({}));
    const whole = new CsvFromCopy().push(raw);
    const cut = (sizes: () => number) => {
      const rows = new CsvFromCopy();
      const parts: Buffer[] = [];
      for (let at = 0; at < raw.length; ) {
        const n = Math.max(1, sizes());
        parts.push(Buffer.from(rows.push(raw.subarray(at, at + n))));
        at += n;
      }
      rows.end();
      return Buffer.concat(parts);
    };
    expect(cut(() => 1).equals(whole)).toBe(true);
    let seed = 5;
    expect(cut(() => (seed = (seed * 48271) % 2147483647) % 97).equals(whole)).toBe(true);
    const copied = await text(await exportCsvCopy(db.knex, query({})));
    expect(Buffer.concat([Buffer.from(CSV_HEADER.join(',') + '\r\n'), whole]).equals(copied)).toBe(true);
    // Cut short, it says so rather than ending quietly.
    const short = new CsvFromCopy();
    short.push(raw.subarray(0, raw.length - 3));
    expect(() => short.end()).toThrow(/middle of a row/);
  });

  onServer('writes every time as to_json does, in any time zone: offsets with minutes, BC, infinity, microseconds', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const times = [
        '2025-01-01 00:00:00+00',
        '2025-06-30 23:59:59.999999+00',
        '2025-03-01 12:34:56.78+00',
        '1999-12-31 23:00:00.5-02:30',
        '0044-03-15 12:00:00+00 BC',
        '12345-01-01 00:00:00+00',
        // Local mean time: an offset with seconds in Amsterdam (+00:19:32).
        '1900-01-01 00:00:00+00',
        'infinity',
        '-infinity',
      ];
      for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Asia/Kathmandu', 'Europe/Amsterdam']) {
        await client.query(`SELECT set_config('TimeZone', $1, false), set_config('DateStyle', 'ISO, MDY', false)`, [zone]);
        const select = `SELECT 1, 1, 'f', 'post', 1, 'c', 'false', 0.5::real, 0.5::real, 's', t, NULL FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, n) ORDER BY n`;
        const want = (await client.query<{ j: string }>(`SELECT to_json(t) #>> '{}' AS j FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, n) ORDER BY n`, [times])).rows.map((r) => r.j);
        const sql = await withValues(client, select, [`{${times.map((t) => `"${t}"`).join(',')}}`]);
        const chunks: Buffer[] = [];
        const copy = client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv)`));
        for await (const c of copy) chunks.push(c as Buffer);
        const rows = new CsvFromCopy().push(Buffer.concat(chunks)).toString().split('\r\n').filter(Boolean);
        expect(rows.map((r) => r.split(',')[10]), zone).toEqual(want);
      }
    } finally {
      await client.end();
    }
  });

  onServer('puts filter values into the statement as literals of the placeholder types', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const native = copyQuery(db.knex, query({ forum: '2', qmin: '0.1', q: "it's \\" })).toSQL().toNative();
      const sql = await withValues(client, native.sql, native.bindings);
      expect(sql).not.toMatch(/\$\d/);
      expect(sql).toContain(`CAST('0.1' AS real)`);
      expect(sql).toContain(`CAST('2' AS integer)`);
      expect(sql).toMatch(/CAST\(\s*E'%it''s \\\\\\\\%' AS text\)/);
    } finally {
      await client.end();
    }
  });

  onServer('gives its connection up when the client stops reading half way', async () => {
    const stream = await exportCsvCopy(db.knex, query({}));
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    // The server notices the closed connection as it next writes: a moment at most.
    let copies = await activeCopies();
    for (let i = 0; i < 50 && copies > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      copies = await activeCopies();
    }
    expect(copies).toBe(0);
    // The pool still serves.
    expect((await db.knex.raw('SELECT 1 AS one')).rows[0].one).toBe(1);
    expect((await text(await exportCsvCopy(db.knex, query({ forum: '1' })))).length).toBeGreaterThan(100);
  });

  onServer('says a missing table is missing, before any byte is sent', async () => {
    await db.knex.raw('ALTER TABLE content_evaluations RENAME TO content_evaluations_away');
    try {
      await expect(exportCsvCopy(db.knex, query({}))).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await db.knex.raw('ALTER TABLE content_evaluations_away RENAME TO content_evaluations');
    }
  });

  it('is what GET /api/evaluations/export streams on this database', async () => {
    const q = query({ sort: 'quality', dir: 'desc' });
    const got = await text(await exportEvaluations({ knex: db.knex, target: db.target }, q));
    expect(got.toString()).toBe((await text(await exportCsv(db.knex, q, 5))).toString());
  });
});
