// Loads the generated rows with COPY, in one transaction: the guide's secondary indexes are
// dropped first and rebuilt after the load (as the guide advises for bulk loads), and a failure
// leaves the database as it was.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { binaryChunks, COLUMNS, TABLES, textValue, type TableName } from './binary';
import { createWorld, evaluationRows, forumRows, postRows, postVectorRows, topicRows, topicVectorRows, type Row, type World } from './rows';
import { defaultVectorThreads, startVectorThreads, type VectorThreads } from './parallel';
import type { Scale } from './scales';

export { TABLES, type TableName } from './binary';

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
  /**
   * Worker threads that make the realistic vectors for COPY (lib/generator/parallel.ts); default
   * one per core, at most 4. 1 makes them on the main thread. The easy vectors, drawn from one
   * random stream, and the INSERT path always use the main thread.
   */
  threads?: number;
  /** Told how many threads made the vectors, before the first vector table. */
  onThreads?: (threads: number) => void;
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
  const threads = opts.method !== 'insert' && world.space ? Math.max(1, Math.floor(opts.threads ?? defaultVectorThreads())) : 1;
  let pool: VectorThreads | null = null;
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
      } else if (threads > 1 && (table === 'topic_vectors' || table === 'post_vectors')) {
        // The posts are loaded by now: the threads get their update times with the world.
        if (!pool) {
          pool = await startVectorThreads(world, threads);
          opts.onThreads?.(threads);
        }
        const stream = client.query(copyFrom(`COPY ${table} (${names(table)}) FROM STDIN (FORMAT binary)`));
        await pipeline(Readable.from(pool.chunks(table, onRow), { objectMode: false }), stream);
      } else {
        const stream = client.query(copyFrom(`COPY ${table} (${names(table)}) FROM STDIN (FORMAT binary)`));
        const kinds = COLUMNS[table].map(([, k]) => k);
        await pipeline(Readable.from(binaryChunks(kinds, ROWS[table](world), onRow), { objectMode: false }), stream);
      }
      counts[table] = n;
      report(true);
      await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1))`);
    }
    await pool?.close();
    pool = null;
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
  } finally {
    await pool?.close();
  }
  await client.query('ANALYZE');
  return counts;
}
