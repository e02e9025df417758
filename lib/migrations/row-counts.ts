import 'server-only';
// Row counts as a plan needs them: the live tables' counts now (exact below a million rows, the
// planner's estimate above, labelled), carried through the batch statement by statement, so that a
// migration is judged on the rows its tables hold after the earlier migrations of the same batch.
// A table created in the batch starts empty and grows by the rows the live dry run inserted; rows
// inserted or deleted where only the shadow ran (it has none of the live data) are not known.
import type { Knex } from 'knex';
import { relationLabel, type Relation, type SqlOp } from './sql-facts';

export type TableRows = {
  exists: boolean;
  /** null: not known (see note). */
  rows: number | null;
  estimated: boolean;
  /** Created by an earlier statement of this batch. */
  createdInBatch: boolean;
  note: string | null;
};

// Below this estimate a table is counted exactly (bounded by the statement timeout); above it, only
// when asked, with a longer timeout.
const EXACT_COUNT_BELOW = 1_000_000;

/** Row counts of `relations` as they are now, outside any dry run. */
export async function tableRows(knex: Knex, relations: Relation[], options: { exact?: boolean } = {}): Promise<Map<string, TableRows>> {
  const out = new Map<string, TableRows>();
  const absent: TableRows = { exists: false, rows: 0, estimated: false, createdInBatch: false, note: null };
  await knex.transaction(
    async (trx) => {
      await trx.raw(`SET LOCAL statement_timeout = ${options.exact ? "'120s'" : "'5s'"}`);
      for (const r of relations) {
        const key = relationLabel(r);
        if (out.has(key)) continue;
        const quoted = [r.schema, r.name].filter((p): p is string => p !== null).map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
        const found = await trx.raw<{ rows: { est: string }[] }>(
          `SELECT c.reltuples::bigint AS est FROM pg_class c WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p', 'm')`,
          [quoted],
        );
        if (!found.rows.length) {
          out.set(key, absent);
          continue;
        }
        const est = Number(found.rows[0]!.est);
        if (est >= EXACT_COUNT_BELOW && !options.exact) {
          out.set(key, { ...absent, exists: true, rows: est, estimated: true });
          continue;
        }
        const counted = await trx.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM ??', [key]);
        out.set(key, { ...absent, exists: true, rows: Number(counted.rows[0]!.n) });
      }
    },
    { readOnly: true },
  );
  return out;
}

/** What `ops` of one statement do to the counts; `touched` is the rows PostgreSQL reported, null where only the shadow ran it. */
export function applyStatement(rows: Map<string, TableRows>, ops: SqlOp[], touched: number | null, migration: string): void {
  for (const op of ops) {
    if (!('relation' in op) || op.op === 'drop_index') continue;
    const key = relationLabel(op.relation);
    const now = rows.get(key);
    switch (op.op) {
      case 'create_table': {
        const filled = op.filled ? touched : 0;
        rows.set(key, {
          exists: true,
          rows: filled,
          estimated: false,
          createdInBatch: true,
          note: filled === null ? `filled by ${migration}, which ran only on the shadow (it has none of the live data)` : null,
        });
        break;
      }
      case 'drop_table':
        rows.set(key, { exists: false, rows: 0, estimated: false, createdInBatch: false, note: null });
        break;
      case 'truncate':
        if (now) rows.set(key, { ...now, rows: 0, estimated: false, note: null });
        break;
      case 'write_rows': {
        if (!now || op.kind === 'update') break;
        if (touched === null) {
          // Only the shadow ran it (it has none of the live data): a new table's count is lost; a
          // live table keeps its count as of now, with a note that says it may have changed.
          const verb = op.kind === 'insert' ? 'inserts rows into it' : 'deletes rows from it';
          rows.set(
            key,
            now.createdInBatch || now.rows === null
              ? { ...now, rows: null, note: `${migration} ${verb} and ran only on the shadow, so how many it holds then is not known` }
              : { ...now, note: `as now; ${migration} ${verb} first, previewed only on the shadow, so how many then is not known` },
          );
        } else if (now.rows !== null) {
          rows.set(key, { ...now, rows: Math.max(0, now.rows + (op.kind === 'insert' ? touched : -touched)) });
        }
        break;
      }
      default:
        break;
    }
  }
}

/** A table named by a change's label (`posts`, `audit.events`). */
export function relationOfLabel(label: string): Relation {
  const dot = label.indexOf('.');
  return dot === -1 ? { schema: null, name: label } : { schema: label.slice(0, dot), name: label.slice(dot + 1) };
}
