import 'server-only';
// "What will be destroyed": every object a migration removes, from its schema effect on the shadow
// (so a CASCADE, or an extension taking its columns with it, is seen), with the rows its table holds
// when the migration runs. A migration the shadow did not run falls back on what its SQL says.
import type { SchemaChange } from '../schemas/catalog';
import type { Destruction } from '../schemas/migrations';
import type { TableRows } from './row-counts';
import { relationLabel, type SqlOp } from './sql-facts';

function counted(rows: TableRows | undefined): Pick<Destruction, 'rows' | 'rowsEstimated' | 'rowsNote'> {
  if (!rows?.exists) return { rows: null, rowsEstimated: false, rowsNote: 'not in the live database now' };
  if (rows.rows === null) return { rows: null, rowsEstimated: false, rowsNote: rows.note ?? 'not known' };
  return { rows: rows.rows, rowsEstimated: rows.estimated, rowsNote: rows.note ?? (rows.createdInBatch ? 'rows the earlier migrations of this batch put there' : null) };
}

/** The destructions of one migration, with row counts as the batch leaves them before it. */
export function destructionsOf(migration: string, effects: SchemaChange[] | null, fallback: SqlOp[], rows: Map<string, TableRows>): Destruction[] {
  if (effects) {
    return effects
      .filter((c) => c.change === 'removed')
      .map((c) => {
        const base = { kind: c.kind, name: c.kind === 'column' ? c.name.slice(c.name.lastIndexOf('.') + 1) : c.name, table: c.table, migration };
        if (c.kind === 'table' || c.kind === 'materialized view') return { ...base, ...counted(rows.get(c.name)) };
        if (c.kind === 'column') return { ...base, ...counted(rows.get(c.table!)) };
        return { ...base, rows: null, rowsEstimated: false, rowsNote: null };
      });
  }
  const out: Destruction[] = [];
  for (const op of fallback) {
    if (op.op === 'drop_table') out.push({ kind: 'table', name: relationLabel(op.relation), table: null, migration, ...counted(rows.get(relationLabel(op.relation))) });
    if (op.op === 'drop_column') out.push({ kind: 'column', name: op.column, table: relationLabel(op.relation), migration, ...counted(rows.get(relationLabel(op.relation))) });
    if (op.op === 'drop_extension') out.push({ kind: 'extension', name: op.name, table: null, migration, rows: null, rowsEstimated: false, rowsNote: null });
    if (op.op === 'drop_index') out.push({ kind: 'index', name: relationLabel(op.relation), table: null, migration, rows: null, rowsEstimated: false, rowsNote: null });
  }
  return out;
}

/** Rows a DELETE or TRUNCATE takes from a table: as the live dry run counted them, or as far as is known. */
export function rowsDeleted(migration: string, ops: SqlOp[], touched: number | null, rows: Map<string, TableRows>): Destruction[] {
  const out: Destruction[] = [];
  for (const op of ops) {
    const deletes = (op.op === 'write_rows' && op.kind === 'delete') || op.op === 'truncate';
    if (!deletes || !('relation' in op)) continue;
    const name = relationLabel(op.relation);
    const now = rows.get(name);
    const base = { kind: 'rows' as const, name, table: null, migration, rowsEstimated: false };
    if (op.op === 'write_rows' && touched !== null) out.push({ ...base, rows: touched, rowsNote: null });
    else if (op.op === 'truncate' && now?.rows != null) out.push({ ...base, rows: now.rows, rowsEstimated: now.estimated, rowsNote: now.note });
    else {
      const held = now?.exists && now.rows !== null ? `it holds ${now.rows.toLocaleString('en-US')} now; ` : '';
      out.push({ ...base, rows: null, rowsNote: `${held}how many are deleted could be previewed only on the shadow, which has none of the live data` });
    }
  }
  return out;
}
