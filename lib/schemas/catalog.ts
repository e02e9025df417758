// What differs between two catalog snapshots, as every shadow feature shows it (plan effects, the
// round trip, drift). Shared by the server and the pages (no server imports).

export type ObjectKind =
  | 'schema'
  | 'extension'
  | 'table'
  | 'column'
  | 'index'
  | 'constraint'
  | 'view'
  | 'materialized view'
  | 'function'
  | 'procedure'
  | 'sequence'
  | 'type'
  | 'trigger';

export type ChangeDetail = { what: string; from: string | null; to: string | null };

/**
 * One object that differs from the first snapshot (`from`) to the second (`to`): `added` exists
 * only in `to`, `removed` only in `from`. A table's own columns, indexes, constraints and
 * triggers come with it and are not listed apart.
 */
export type SchemaChange = {
  kind: ObjectKind;
  /** For reading: `posts`, `audit.events`, `posts.title` for a column, the index or constraint name. */
  name: string;
  /** The table a column, index, constraint or trigger belongs to. */
  table: string | null;
  change: 'added' | 'removed' | 'changed';
  details: ChangeDetail[];
  /** Statements that make the `from` database like `to` for this object, in an order that runs. */
  sql: string[];
};
