import 'server-only';
// Bounded reads of a table: the page never scans a big table to draw itself. A table the
// statistics call small is read whole (with a cap, in case the statistics are stale); a big one
// through TABLESAMPLE SYSTEM, which reads a few random pages; one never analyzed, by its first rows.
import type { Knex } from 'knex';
import type { Estimate, VectorType } from '../../schemas/vector-health';

export const SAMPLE_ROWS = 1000;

export type Sample = {
  /** A subquery text with ?? and ? placeholders, and its bindings. */
  sql: string;
  bindings: Knex.RawBinding[];
  /** The cap on rows read: reaching it means the result is a sample, not the whole table. */
  cap: number;
  kind: 'whole' | 'system' | 'first';
};

/** Names with a dot would be split by knex's ?? quoting, so such tables are listed but not read. */
export function readable(...names: string[]): boolean {
  return names.every((n) => !n.includes('.'));
}

export function sampleOf(schema: string, table: string, columns: string[], reltuples: number, rowsWanted = SAMPLE_ROWS): Sample {
  const cols = columns.map(() => '??').join(', ');
  const from = `SELECT ${cols} FROM ??.??`;
  const bindings: Knex.RawBinding[] = [...columns, schema, table];
  if (reltuples >= 0 && reltuples <= rowsWanted * 2) {
    const cap = rowsWanted * 4;
    return { sql: `${from} LIMIT ?`, bindings: [...bindings, cap + 1], cap, kind: 'whole' };
  }
  if (reltuples < 0) {
    return { sql: `${from} LIMIT ?`, bindings: [...bindings, rowsWanted + 1], cap: rowsWanted, kind: 'first' };
  }
  // Twice the share needed, since pages hold unequal numbers of live rows; LIMIT trims the excess.
  const percent = Math.min(100, ((rowsWanted * 2) / reltuples) * 100);
  return { sql: `${from} TABLESAMPLE SYSTEM (?) LIMIT ?`, bindings: [...bindings, percent, rowsWanted], cap: rowsWanted, kind: 'system' };
}

/** Whether a read of `got` rows covered the whole table. */
export function coveredWhole(s: Sample, got: number): boolean {
  return s.kind !== 'system' && got <= s.cap;
}

/** A count found in `hits` of `got` sampled rows, scaled to the table. */
export function scaled(hits: number, got: number, whole: boolean, tableRows: number): Estimate {
  if (whole) return { value: hits, method: 'exact' };
  const value = got > 0 ? Math.round((hits / got) * tableRows) : 0;
  return { value, method: 'sample', sampleRows: got, sampleHits: hits };
}

/** SQL (with one ?? for the column) that is true for a zero vector of the type. */
export function zeroTest(type: VectorType): string {
  switch (type) {
    case 'vector':
      return 'vector_norm(??) = 0';
    case 'halfvec':
    case 'sparsevec':
      return 'l2_norm(??) = 0';
    case 'bit':
      return "position(B'1' IN ??) = 0";
  }
}

/** SQL (with one ?? for the column) giving a value's dimensions. */
export function dimsOf(type: VectorType): string {
  switch (type) {
    case 'vector':
    case 'halfvec':
      return 'vector_dims(??)';
    case 'sparsevec':
      return "split_part(??::text, '/', 2)::int";
    case 'bit':
      return 'length(??)';
  }
}
