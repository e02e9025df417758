import 'server-only';
// The current filter and sort as CSV, streamed, so memory stays flat however many rows match. On
// a server, one COPY … TO STDOUT (export-copy.ts). On the embedded database, keyset batches read
// only as the client takes the previous ones: each batch is a short transaction of its own, so
// the embedded database's single connection is free between batches for the dashboard's other
// requests. Both write the same bytes.
import type { Knex } from 'knex';
import type { Db } from '../db/knex';
import type { Cursor, ExportQuery } from '../schemas/evaluations';
import { log } from '../log';
import { fetchPage } from './browse';
import { CSV_HEADER, csvField } from './csv';
import { exportCsvCopy } from './export-copy';
import { readOnly } from './read';

export { CSV_HEADER, csvField };

export const EXPORT_BATCH_ROWS = 10_000;

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

/** The export for this database: COPY on a server, keyset batches on the embedded database. */
export async function exportEvaluations(db: Db, q: ExportQuery): Promise<ReadableStream<Uint8Array>> {
  return db.target.kind === 'embedded' ? exportCsv(db.knex, q) : exportCsvCopy(db.knex, q);
}

/**
 * The batch export. Reads the first batch before it returns, so that a missing table or a failing query is an
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
