import 'server-only';
// The CSV export on a PostgreSQL server: one COPY … TO STDOUT (FORMAT csv) of the browse query,
// streamed as the client takes it. PostgreSQL writes and quotes each field; what the batch export
// (export.ts, csv.ts) writes differently is mended on the way out by CsvFromCopy, a single pass
// over the bytes: CRLF line ends, the apostrophe before text a spreadsheet would run as a formula,
// an empty text as nothing (COPY writes ""), quotes around text that starts or ends with
// whitespace (COPY leaves it bare), and scores as JavaScript prints them (-0 as 0, exponents
// only below 1e-6), times as to_json writes them (a T between date and time, the offset's minutes
// always). The same bytes as the batch export, at nearly COPY's own speed: the SQL does nothing
// that plain COPY does not.
import type { Knex } from 'knex';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import type { ExportQuery } from '../schemas/evaluations';
import { log } from '../log';
import { CONTENT_SQL, ORPHAN_SQL, pageSource } from './browse';
import { CSV_HEADER } from './csv';
import { readError } from './read';

/** How long the one COPY statement may run: a slow client holds it open too. */
export const COPY_TIMEOUT_MS = 15 * 60_000;

/**
 * The SELECT that COPY writes: the browse query's rows in its order, and an empty last column
 * (its comma becomes each row's CR). One level, so that the fields are made below the sort, in
 * the parallel workers that join and sort.
 */
export function copyQuery(knex: Knex, q: ExportQuery): Knex.QueryBuilder {
  const { query } = pageSource(knex, { filters: q, sort: q.sort, dir: q.dir, limit: null });
  return query.select(
    'e.id',
    'e.forum_id',
    'f.name',
    'e.content_type',
    'e.content_id',
    knex.raw(CONTENT_SQL),
    knex.raw(`CASE WHEN ${ORPHAN_SQL} THEN 'true' ELSE 'false' END`),
    'e.quality_score',
    'e.relevance_score',
    'e.summary',
    // As PostgreSQL writes it in the ISO style (2025-03-01 12:34:56.789+00); CsvFromCopy mends it
    // into what to_json writes and the batch export reads (2025-03-01T12:34:56.789+00:00).
    'e.created_at',
    knex.raw('NULL'),
  );
}

type PgConnection = pg.Client;

/**
 * COPY takes no bound parameters, so the values go into the statement, each as a literal cast to
 * the type PostgreSQL infers for its placeholder (asked with PREPARE): the same comparison as the
 * bound query makes (a real with a real, not with a numeric), and no text outside a literal.
 */
export async function withValues(conn: PgConnection, sql: string, values: readonly unknown[]): Promise<string> {
  if (values.length === 0) return sql;
  const name = `strata_export_${Math.random().toString(36).slice(2, 10)}`;
  await conn.query(`PREPARE ${name} AS ${sql}`);
  try {
    const r = await conn.query<{ types: string[] }>('SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1', [name]);
    const types = r.rows[0]!.types;
    return sql.replace(/\$(\d+)/g, (_, n: string) => {
      const v = values[Number(n) - 1];
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) throw new Error(`cannot put a ${typeof v} into the export's COPY statement`);
      return `CAST(${pg.escapeLiteral(String(v))} AS ${types[Number(n) - 1]})`;
    });
  } finally {
    await conn.query(`DEALLOCATE ${name}`);
  }
}

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const APOSTROPHE = Buffer.from("'");
const DQ = Buffer.from('"');

/** The row's field (0-based) that is a time. */
const TIME_FIELD = 10;
const SPACE = 0x20;
const COLON_00 = Buffer.from(':00');

/**
 * What turns a timestamptz as the ISO style writes it (2025-03-01 12:34:56.789+00, an offset in
 * hours only when it has no minutes) into what to_json writes (2025-03-01T12:34:56.789+00:00):
 * where the space before the time is (it becomes a T), and where ':00' goes (-1: nowhere). Null
 * for infinity and -infinity, which both write alike.
 */
function timeMend(buf: Buffer, s: number, e: number): { space: number; insert: number } | null {
  const space = buf.indexOf(SPACE, s);
  if (space === -1 || space >= e) return null;
  // The offset: the last sign after the time, then hh, then :mm only when the minutes are not 0.
  for (let i = e - 1; i > space; i--) {
    if (buf[i] === 0x2b || buf[i] === 0x2d) {
      const hoursEnd = i + 3;
      return { space, insert: hoursEnd === e || buf[hoursEnd] === SPACE ? hoursEnd : -1 };
    }
  }
  return { space, insert: -1 };
}

/** The row's fields (0-based) that are text, and that are scores. */
const TEXT_FIELD = [false, false, true, true, false, true, false, false, false, true, false, false];
const SCORE_FIELD = [false, false, false, false, false, false, false, true, true, false, false, false];
/** What a spreadsheet would run as a formula: = + - @ tab CR first. */
const FORMULA = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d]);
/** What JavaScript's \s matches (ECMAScript WhiteSpace and LineTerminator). */
const JS_SPACE = new Set([9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279]);

/** The code point whose UTF-8 starts at `i`. */
function codePoint(buf: Buffer, i: number): number {
  const b = buf[i]!;
  if (b < 0x80) return b;
  if (b < 0xe0) return ((b & 0x1f) << 6) | (buf[i + 1]! & 0x3f);
  if (b < 0xf0) return ((b & 0x0f) << 12) | ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
  return ((b & 0x07) << 18) | ((buf[i + 1]! & 0x3f) << 12) | ((buf[i + 2]! & 0x3f) << 6) | (buf[i + 3]! & 0x3f);
}

/** Where the last code point of buf[start, end) begins. */
function lastCodePoint(buf: Buffer, start: number, end: number): number {
  let j = end - 1;
  while (j > start && (buf[j]! & 0xc0) === 0x80) j--;
  return j;
}

/**
 * What the batch export writes for a text field COPY wrote as buf[s, e), or null when it is the
 * same: csvField's apostrophe before a formula, '' for "" (an empty text), quotes around a bare
 * text with whitespace at an end. (Text with a comma, quote or line break COPY quoted as csvField
 * does; the apostrophe goes inside its quotes.)
 */
function mendText(buf: Buffer, s: number, e: number): Buffer | null {
  if (e === s) return null;
  if (buf[s] === QUOTE) {
    if (e - s === 2) return Buffer.alloc(0);
    return FORMULA.has(buf[s + 1]!) ? Buffer.concat([DQ, APOSTROPHE, buf.subarray(s + 1, e)]) : null;
  }
  const formula = FORMULA.has(buf[s]!);
  const edge = (!formula && JS_SPACE.has(codePoint(buf, s))) || JS_SPACE.has(codePoint(buf, lastCodePoint(buf, s, e)));
  if (!formula && !edge) return null;
  return Buffer.concat([edge ? DQ : Buffer.alloc(0), formula ? APOSTROPHE : Buffer.alloc(0), buf.subarray(s, e), edge ? DQ : Buffer.alloc(0)]);
}

/** A real as JavaScript prints the number node-pg parses from PostgreSQL's text, or null when that is the same. */
function mendScore(buf: Buffer, s: number, e: number): Buffer | null {
  let exponent = false;
  for (let i = s; i < e; i++) if (buf[i] === 0x65) exponent = true;
  const negativeZero = e - s === 2 && buf[s] === 0x2d && buf[s + 1] === 0x30;
  if (!exponent && !negativeZero) return null;
  return Buffer.from(String(parseFloat(buf.toString('latin1', s, e))));
}

/**
 * Where the field starting at `s` ends (the comma or line break after it), or -1 when the buffer
 * ends first. A quoted field runs to its closing quote (a doubled quote is one inside it).
 */
function fieldEnd(buf: Buffer, s: number): number {
  if (buf[s] !== QUOTE) {
    const comma = buf.indexOf(COMMA, s);
    // Only the last column (empty) ends at a line break; an unquoted field holds none.
    return comma === -1 ? -1 : comma;
  }
  let i = s + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q === -1 || q + 1 >= buf.length) return -1;
    if (buf[q + 1] !== QUOTE) return q + 1;
    i = q + 2;
  }
}

/**
 * COPY's CSV rows into the batch export's, field by field (native searches for the commas and
 * quotes). A row that needs nothing mended (almost all) only has its empty last column's comma
 * turned into CR, in place; another is written again with its mended fields.
 */
export class CsvFromCopy {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    // A fresh buffer (the partial row before it, then the chunk): it is changed in place, and the
    // output is its pieces with what is mended or inserted between them, joined once.
    const buf = Buffer.concat([this.carry, chunk]);
    const out: Buffer[] = [];
    let done = 0;
    let rowStart = 0;
    const last = CSV_HEADER.length;
    rows: for (;;) {
      let s = rowStart;
      // What this row needs: replaced spans and insertions, in order (applied once the row is whole).
      const edits: { s: number; e: number; with: Buffer }[] = [];
      let time: { space: number; insert: number } | null = null;
      for (let field = 0; field < last; field++) {
        const e = fieldEnd(buf, s);
        if (e === -1) break rows;
        if (buf[e] !== COMMA) throw new Error('the export met a row it did not expect');
        if (field === TIME_FIELD) {
          time = timeMend(buf, s, e);
          if (time && time.insert !== -1) edits.push({ s: time.insert, e: time.insert, with: COLON_00 });
        } else {
          const mend = TEXT_FIELD[field] ? mendText(buf, s, e) : SCORE_FIELD[field] ? mendScore(buf, s, e) : null;
          if (mend) edits.push({ s, e, with: mend });
        }
        s = e + 1;
      }
      // The empty last column: its line break ends the row, and its comma becomes the CR.
      if (s >= buf.length) break;
      if (buf[s] !== LF) throw new Error('the export met a row it did not expect');
      // The row is whole: it is changed in place now (a partial one is read again, unchanged).
      buf[s - 1] = CR;
      if (time) buf[time.space] = 0x54; // T
      for (const m of edits) {
        out.push(buf.subarray(done, m.s), m.with);
        done = m.e;
      }
      rowStart = s + 1;
    }
    out.push(buf.subarray(done, rowStart));
    // The partial row is read again, whole, with the next chunk.
    this.carry = buf.subarray(rowStart);
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Checks that COPY's output ended with a whole row. */
  end(): void {
    if (this.carry.length) throw new Error('the export ended in the middle of a row');
  }
}

type PoolClient = { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<unknown> };

/**
 * Starts the COPY and waits for its first bytes (or its end), so that a missing table or a
 * failing query is an error response rather than a broken download; the rest is read as the
 * client pulls. Cancelled by the client, the connection is closed (which ends the COPY) and left
 * to the pool to replace.
 */
export async function exportCsvCopy(knex: Knex, q: ExportQuery): Promise<ReadableStream<Uint8Array>> {
  const pool = knex.client as unknown as PoolClient;
  const conn = await pool.acquireConnection();
  let copy: Readable;
  let released = false;
  const release = async (broken: boolean) => {
    if (released) return;
    released = true;
    if (broken) {
      // Closing the connection ends the COPY; the pool replaces it (and logs why).
      await conn.end().catch(() => undefined);
      (conn as unknown as { __knex__disposed?: unknown }).__knex__disposed = 'closed when a CSV export stopped part way';
    }
    await pool.releaseConnection(conn).catch(() => undefined);
  };
  try {
    await conn.query('BEGIN READ ONLY');
    // The ISO style is what CsvFromCopy mends times from, whatever the server's default.
    await conn.query("SELECT set_config('statement_timeout', $1, true), set_config('DateStyle', 'ISO, MDY', true)", [String(COPY_TIMEOUT_MS)]);
    const native = copyQuery(knex, q).toSQL().toNative();
    const sql = await withValues(conn, native.sql, native.bindings);
    copy = conn.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv)`));
    await new Promise<void>((resolve, reject) => {
      copy.once('readable', resolve);
      copy.once('end', resolve);
      copy.once('error', reject);
    });
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined);
    await release(false);
    throw readError(err, COPY_TIMEOUT_MS);
  }
  const rows = new CsvFromCopy();
  const iterator = copy[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (first) {
            first = false;
            controller.enqueue(Buffer.from(CSV_HEADER.join(',') + '\r\n'));
            return;
          }
          const next = await iterator.next();
          if (next.done) {
            rows.end();
            await conn.query('COMMIT');
            await release(false);
            controller.close();
            return;
          }
          const out = rows.push(next.value);
          if (out.length) controller.enqueue(out);
        } catch (err) {
          log.error({ err }, 'CSV export failed part way');
          await release(true);
          controller.error(err);
        }
      },
      async cancel() {
        copy.destroy();
        await release(true);
      },
    },
    // A few chunks read ahead (about 64 kB each), so that reading COPY's output and sending the
    // response overlap; memory stays flat whatever the number of rows.
    { highWaterMark: 4 },
  );
}
