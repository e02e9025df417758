import 'server-only';
// The current filter and sort as CSV, streamed: keyset batches of rows are read only as the
// client takes the previous ones, so memory stays flat however many rows match. Batches (not
// COPY TO STDOUT) because each batch is a short transaction of its own: the embedded database's
// single connection is free between batches for the dashboard's other requests, and the same
// code serves both kinds of database.
import type { Knex } from 'knex';
import type { Cursor, ExportQuery } from '../schemas/evaluations';
import { log } from '../log';
import { fetchPage } from './browse';
import { readOnly } from './read';

export const CSV_HEADER = [
  'id',
  'forum_id',
  'forum',
  'content_type',
  'content_id',
  'content',
  'orphan',
  'quality_score',
  'relevance_score',
  'summary',
  'created_at',
] as const;

export const EXPORT_BATCH_ROWS = 10_000;

/** RFC 4180 quoting; text a spreadsheet would run as a formula is prefixed with an apostrophe. */
export function csvField(v: unknown, text = false): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

type Batch = Awaited<ReturnType<typeof fetchPage>>;

function csvRows(batch: Batch): string {
  let out = '';
  for (const r of batch.rows) {
    out +=
      [
        csvField(r.id),
        csvField(r.forum_id),
        csvField(r.forum_name, true),
        csvField(r.content_type, true),
        csvField(r.content_id),
        csvField(r.content, true),
        csvField(r.orphan),
        csvField(r.quality_score),
        csvField(r.relevance_score),
        csvField(r.summary, true),
        csvField(r.created_at),
      ].join(',') + '\r\n';
  }
  return out;
}

/**
 * Reads the first batch before it returns, so that a missing table or a failing query is an
 * error response rather than a broken download; the rest is read as the client pulls.
 */
export async function exportCsv(knex: Knex, q: ExportQuery, batchRows = EXPORT_BATCH_ROWS): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const read = (after?: Cursor) =>
    readOnly(knex, (trx) => fetchPage(trx, { filters: q, sort: q.sort, dir: q.dir, limit: batchRows, after }), { timeoutMs: 60_000 });
  let pending: Batch | null = await read();
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const batch: Batch = pending ?? { rows: [], more: false };
          pending = null;
          const head = first ? CSV_HEADER.join(',') + '\r\n' : '';
          first = false;
          if (head || batch.rows.length) controller.enqueue(encoder.encode(head + csvRows(batch)));
          const last = batch.rows[batch.rows.length - 1];
          if (!batch.more || !last) {
            controller.close();
            return;
          }
          pending = await read({ s: q.sort, d: q.dir, v: last.sort_value, i: last.id });
        } catch (err) {
          log.error({ err }, 'CSV export failed part way');
          controller.error(err);
        }
      },
    },
    // One batch waiting at most: the next is read only once the client has taken this one.
    { highWaterMark: 0 },
  );
}
