// Reads the public schema as a user would inspect it with psql's \d: columns, indexes,
// foreign keys and extensions. Used to check migrations and to compare before/after.
import type { Knex } from 'knex';

export type Column = { type: string; notNull: boolean; default: string | null };
export type Catalog = {
  tables: Record<string, Record<string, Column>>;
  /** index name -> pg_get_indexdef */
  indexes: Record<string, string>;
  /** "table.column -> table(column) on delete X" */
  foreignKeys: string[];
  extensions: string[];
};

const ON_DELETE: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

export async function readCatalog(db: Knex, schema = 'public'): Promise<Catalog> {
  const cols = await db.raw<{ rows: { table: string; column: string; type: string; not_null: boolean; default: string | null }[] }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = ? AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const tables: Catalog['tables'] = {};
  for (const r of cols.rows) {
    (tables[r.table] ??= {})[r.column] = { type: r.type, notNull: r.not_null, default: r.default };
  }
  const idx = await db.raw<{ rows: { name: string; def: string }[] }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = i.relnamespace
      WHERE n.nspname = ? ORDER BY i.relname`,
    [schema],
  );
  const fks = await db.raw<{ rows: { def: string }[] }>(
    `SELECT format('%s.%s -> %s(%s) on delete %s', c.conrelid::regclass, a.attname, c.confrelid::regclass, af.attname, c.confdeltype) AS def
       FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND n.nspname = ? ORDER BY 1`,
    [schema],
  );
  const ext = await db.raw<{ rows: { extname: string }[] }>(
    "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1",
  );
  return {
    tables,
    indexes: Object.fromEntries(idx.rows.map((r) => [r.name, r.def])),
    foreignKeys: fks.rows.map((r) => r.def.replace(/on delete (\w)$/, (_, c: string) => `on delete ${ON_DELETE[c] ?? c}`)),
    extensions: ext.rows.map((r) => r.extname),
  };
}
