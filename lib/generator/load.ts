// Loads the generated rows with COPY, in one transaction: the guide's secondary indexes are
// dropped first and rebuilt after the load (as the guide advises for bulk loads), and a failure
// leaves the database as it was.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createWorld, evaluationRows, forumRows, postRows, postVectorRows, topicRows, topicVectorRows, vectorLiteral, type Row, type Value, type World } from './rows';
import type { Scale } from './scales';

export const TABLES = ['forums', 'topics', 'posts', 'topic_vectors', 'post_vectors', 'content_evaluations'] as const;
export type TableName = (typeof TABLES)[number];

/**
 * Each column's type as COPY's binary format writes it (the guide's migrations define them):
 * int4, text (varchar too), jsonb, float4 (knex's float), a timestamp (with or without time zone:
 * the same microseconds since 2000-01-01; the rows give milliseconds since the epoch) and vector.
 */
export type Kind = 'int4' | 'text' | 'jsonb' | 'float4' | 'timestamp' | 'vector';

export const COLUMNS: Record<TableName, [name: string, kind: Kind][]> = {
  forums: [['id', 'int4'], ['name', 'text'], ['url', 'text'], ['metadata', 'jsonb'], ['created_at', 'timestamp'], ['updated_at', 'timestamp']],
  topics: [
    ['id', 'int4'], ['forum_id', 'int4'], ['title', 'text'], ['content', 'text'], ['author', 'text'], ['view_count', 'int4'],
    ['metadata', 'jsonb'], ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
  posts: [
    ['id', 'int4'], ['topic_id', 'int4'], ['forum_id', 'int4'], ['content', 'text'], ['author', 'text'], ['metadata', 'jsonb'],
    ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
  topic_vectors: [
    ['id', 'int4'], ['topic_id', 'int4'], ['forum_id', 'int4'], ['title_vector', 'vector'], ['content_vector', 'vector'],
    ['combined_vector', 'vector'], ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
  post_vectors: [['id', 'int4'], ['post_id', 'int4'], ['forum_id', 'int4'], ['content_vector', 'vector'], ['created_at', 'timestamp'], ['updated_at', 'timestamp']],
  content_evaluations: [
    ['id', 'int4'], ['content_id', 'int4'], ['content_type', 'text'], ['forum_id', 'int4'], ['quality_score', 'float4'],
    ['relevance_score', 'float4'], ['summary', 'text'], ['metadata', 'jsonb'], ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
};

const names = (t: TableName) => COLUMNS[t].map(([n]) => n).join(', ');

const ROWS: Record<TableName, (w: World) => Generator<Row>> = {
  forums: forumRows,
  topics: topicRows,
  posts: postRows,
  topic_vectors: topicVectorRows,
  post_vectors: postVectorRows,
  content_evaluations: evaluationRows,
};

/** `step` is a table being loaded, or an index being built. */
export type Progress = { step: string; rows: number; done: boolean; ms: number };

export class NotEmptyError extends Error {
  override name = 'NotEmptyError';
}

/** A value as PostgreSQL's text input takes it (the INSERT path binds these). */
export function textValue(kind: Kind, v: Value): string | number | null {
  if (v === null) return null;
  if (kind === 'vector') return vectorLiteral(v as Float32Array);
  if (kind === 'timestamp') return new Date(v as number).toISOString();
  return v as string | number;
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const CHUNK = 1 << 20;

/** Most bytes a row can take in COPY's binary format (3 bytes per UTF-16 unit of text at most). */
function rowBound(kinds: Kind[], r: Row): number {
  let n = 2;
  for (let c = 0; c < kinds.length; c++) {
    const v = r[c];
    if (v === null || v === undefined) n += 4;
    else if (kinds[c] === 'vector') n += 8 + (v as Float32Array).length * 4;
    else if (typeof v === 'string') n += 5 + v.length * 3;
    else n += 12;
  }
  return n;
}

/**
 * COPY's binary format: a header, then per row a field count and each field as its length and
 * bytes (-1 for NULL), then -1. pgvector's binary `vector` (vector_recv) is int16 dimensions, int16
 * unused (0), then each component as a big-endian float4: the Float32Array's bytes, swapped.
 */
export function* binaryChunks(kinds: Kind[], rows: Iterable<Row>, onRow: () => void = () => undefined): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(CHUNK);
  let off = SIGNATURE.copy(buf, 0);
  off = buf.writeInt32BE(0, off); // flags
  off = buf.writeInt32BE(0, off); // header extension length
  for (const r of rows) {
    const bound = rowBound(kinds, r);
    if (off + bound > buf.length) {
      yield buf.subarray(0, off);
      buf = Buffer.allocUnsafe(Math.max(CHUNK, bound + 2));
      off = 0;
    }
    off = buf.writeInt16BE(kinds.length, off);
    for (let c = 0; c < kinds.length; c++) {
      const v = r[c];
      if (v === null || v === undefined) {
        off = buf.writeInt32BE(-1, off);
        continue;
      }
      switch (kinds[c]) {
        case 'int4':
          off = buf.writeInt32BE(4, off);
          off = buf.writeInt32BE(v as number, off);
          break;
        case 'float4':
          off = buf.writeInt32BE(4, off);
          off = buf.writeFloatBE(v as number, off);
          break;
        case 'timestamp': {
          const us = (Math.round(v as number) - PG_EPOCH_MS) * 1000;
          const hi = Math.floor(us / 4294967296);
          off = buf.writeInt32BE(8, off);
          off = buf.writeInt32BE(hi, off);
          off = buf.writeUInt32BE(us - hi * 4294967296, off);
          break;
        }
        case 'text': {
          const n = buf.write(v as string, off + 4, 'utf8');
          buf.writeInt32BE(n, off);
          off += 4 + n;
          break;
        }
        case 'jsonb': {
          // jsonb's binary form: a version byte (1), then the JSON text.
          const n = buf.write(v as string, off + 5, 'utf8');
          buf.writeInt32BE(n + 1, off);
          buf[off + 4] = 1;
          off += 5 + n;
          break;
        }
        case 'vector': {
          const f = v as Float32Array;
          off = buf.writeInt32BE(4 + f.length * 4, off);
          off = buf.writeInt16BE(f.length, off);
          off = buf.writeInt16BE(0, off);
          const dv = new DataView(buf.buffer, buf.byteOffset + off, f.length * 4);
          for (let i = 0; i < f.length; i++) dv.setFloat32(i * 4, f[i]!);
          off += f.length * 4;
          break;
        }
      }
    }
    onRow();
  }
  if (off + 2 > buf.length) {
    yield buf.subarray(0, off);
    buf = Buffer.allocUnsafe(2);
    off = 0;
  }
  off = buf.writeInt16BE(-1, off);
  yield buf.subarray(0, off);
}

async function rowCounts(client: pg.ClientBase): Promise<Record<string, number>> {
  const parts = TABLES.map((t) => `SELECT '${t}' AS t, EXISTS (SELECT 1 FROM ${t}) AS has_rows`);
  const res = await client.query<{ t: string; has_rows: boolean }>(parts.join(' UNION ALL '));
  return Object.fromEntries(res.rows.map((r) => [r.t, r.has_rows ? 1 : 0]));
}

/** Secondary indexes (not backing a primary key or unique constraint) on the tables we load. */
async function secondaryIndexes(client: pg.ClientBase): Promise<{ name: string; def: string }[]> {
  const res = await client.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY i.relname`,
    [TABLES as unknown as string[]],
  );
  return res.rows;
}

export type GenerateOptions = {
  scale: Scale;
  seed: number;
  /** Empty the tables first (TRUNCATE ... CASCADE). Without it, tables with rows are refused. */
  replace: boolean;
  /**
   * 'copy' streams COPY FROM STDIN in the binary format, written from the generated numbers and
   * Float32Arrays directly (no text in between); 'insert' sends multi-row INSERTs with bound values, for the
   * embedded database (pglite-socket does not speak the COPY sub-protocol) and as the baseline
   * that the generator's benchmark compares COPY with.
   */
  method?: 'copy' | 'insert';
  /** Today's default vectors are as hard to index as real embeddings; `easy` gives separable ones. */
  easy?: boolean;
  onProgress?: (p: Progress) => void;
};

async function insertBatches(client: pg.ClientBase, table: TableName, rows: Generator<Row>, onRow: () => void): Promise<void> {
  const cols = COLUMNS[table].map(([n]) => n);
  const kinds = COLUMNS[table].map(([, k]) => k);
  const batchRows = table.endsWith('_vectors') ? 100 : 1_000;
  let batch: Row[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`);
    const params = batch.flatMap((r) => r.map((v, c) => textValue(kinds[c]!, v)));
    await client.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values.join(', ')}`, params);
    batch = [];
  };
  for (const r of rows) {
    batch.push(r);
    onRow();
    if (batch.length >= batchRows) await flush();
  }
  await flush();
}

export async function generate(client: pg.ClientBase, opts: GenerateOptions): Promise<Record<TableName, number>> {
  const world = createWorld(opts.scale, opts.seed, { easy: opts.easy });
  const counts = {} as Record<TableName, number>;
  await client.query('BEGIN');
  try {
    const nonEmpty = Object.entries(await rowCounts(client)).filter(([, n]) => n > 0).map(([t]) => t);
    if (nonEmpty.length > 0 && !opts.replace) {
      throw new NotEmptyError(
        `These tables already have rows: ${nonEmpty.join(', ')}. ` +
          `Replacing them empties ${TABLES.join(', ')} (TRUNCATE ... CASCADE) first.`,
      );
    }
    if (opts.replace) await client.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
    const indexes = await secondaryIndexes(client);
    for (const ix of indexes) await client.query(`DROP INDEX "${ix.name.replace(/"/g, '""')}"`);
    for (const table of TABLES) {
      const started = performance.now();
      let n = 0;
      const report = (done: boolean) => opts.onProgress?.({ step: table, rows: n, done, ms: performance.now() - started });
      const onRow = () => {
        n++;
        if (n % 20_000 === 0) report(false);
      };
      if (opts.method === 'insert') {
        await insertBatches(client, table, ROWS[table](world), onRow);
      } else {
        const stream = client.query(copyFrom(`COPY ${table} (${names(table)}) FROM STDIN (FORMAT binary)`));
        const kinds = COLUMNS[table].map(([, k]) => k);
        await pipeline(Readable.from(binaryChunks(kinds, ROWS[table](world), onRow), { objectMode: false }), stream);
      }
      counts[table] = n;
      report(true);
      await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1))`);
    }
    // ivfflat needs memory proportional to lists x dimensions; the default 64MB can be too little.
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    for (const ix of indexes) {
      const started = performance.now();
      await client.query(ix.def);
      opts.onProgress?.({ step: `index ${ix.name}`, rows: 0, done: true, ms: performance.now() - started });
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  await client.query('ANALYZE');
  return counts;
}
