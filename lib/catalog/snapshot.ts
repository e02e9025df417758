// A catalog as plain, comparable data: schemas, extensions, tables and their columns, indexes,
// constraints, views, functions, sequences, enum and domain types and triggers, each keyed by its
// schema-qualified name, with definitions as PostgreSQL itself prints them (pg_get_indexdef,
// pg_get_constraintdef, format_type, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef).
// System schemas, objects that belong to an extension, and whatever `exclude` names are left out.
// Read in one statement, with the search path set to `public`, so that names print the same on
// every server: objects in public unqualified, all others qualified.
import 'server-only';
import type { Knex } from 'knex';
import { qualified } from './names';
import { viewForm } from './view-form';

export type ColumnSnap = {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  /** '' (none), 'a' (GENERATED ALWAYS AS IDENTITY) or 'd' (BY DEFAULT). */
  identity: string;
  /** The expression of a generated column. */
  generated: string | null;
  /** The sequence the column owns (serial columns), qualified. */
  sequence: string | null;
};
export type TableSnap = { schema: string; name: string; partitioned: boolean; columns: Record<string, ColumnSnap> };
export type IndexSnap = {
  schema: string;
  name: string;
  table: string;
  definition: string;
  method: string;
  unique: boolean;
  valid: boolean;
  opclasses: string[];
  options: Record<string, string>;
  /** Backs a primary key, unique or exclusion constraint (the constraint stands for it). */
  constraint: boolean;
};
export type ConstraintSnap = { schema: string; table: string; name: string; type: string; definition: string };
export type ViewSnap = {
  schema: string;
  name: string;
  materialized: boolean;
  definition: string;
  /** What is compared: the definition's parse tree in a form alike across versions (view-form.ts). */
  form: string;
};
export type FunctionSnap = { schema: string; name: string; args: string; kind: 'function' | 'procedure'; definition: string };
export type SequenceSnap = { schema: string; name: string; type: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean };
export type TypeSnap = { schema: string; name: string; kind: 'enum' | 'domain'; labels: string[]; base: string | null; notNull: boolean; default: string | null; checks: string[] };
export type TriggerSnap = { schema: string; table: string; name: string; definition: string };
export type ExtensionSnap = { name: string; schema: string; version: string; defaultVersion: string | null };

export type CatalogSnapshot = {
  server: { version: string };
  schemas: Record<string, { name: string }>;
  extensions: Record<string, ExtensionSnap>;
  tables: Record<string, TableSnap>;
  indexes: Record<string, IndexSnap>;
  constraints: Record<string, ConstraintSnap>;
  views: Record<string, ViewSnap>;
  functions: Record<string, FunctionSnap>;
  sequences: Record<string, SequenceSnap>;
  types: Record<string, TypeSnap>;
  triggers: Record<string, TriggerSnap>;
};

export type SnapshotOptions = {
  /** Schemas left out besides the system ones (Strata's own). */
  excludeSchemas?: string[];
  /** Tables left out, in any schema (knex's migrations table and its lock). */
  excludeTables?: string[];
};

/** The tables and schemas a snapshot of a managed database leaves out: Strata's and knex's own. */
export function managedExclusions(migrationsTable: string): Required<SnapshotOptions> {
  return { excludeSchemas: ['strata'], excludeTables: [migrationsTable, `${migrationsTable}_lock`] };
}

const SNAPSHOT_SQL = `
WITH ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
ns AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
     AND n.nspname <> ALL (?::text[])
     AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_namespace'::regclass AND ext.objid = n.oid)),
rels AS (
  SELECT c.oid, c.relname, c.relkind, n.nspname FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
   WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
     AND NOT (c.relkind IN ('r', 'p') AND c.relname = ANY (?::text[]))),
owned AS (
  SELECT d.objid AS seq, d.refobjid AS rel, d.refobjsubid AS attnum FROM pg_depend d
   WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0)
SELECT json_build_object(
  'version', current_setting('server_version'),
  'schemas', (SELECT coalesce(json_agg(nspname), '[]') FROM ns),
  'extensions', (SELECT coalesce(json_agg(json_build_object('name', e.extname, 'schema', n.nspname, 'version', e.extversion, 'defaultVersion', a.default_version)), '[]')
                   FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace LEFT JOIN pg_available_extensions a ON a.name = e.extname
                  WHERE e.extname <> 'plpgsql'),
  'tables', (SELECT coalesce(json_agg(json_build_object('schema', nspname, 'name', relname, 'partitioned', relkind = 'p')), '[]') FROM rels WHERE relkind IN ('r', 'p')),
  'columns', (SELECT coalesce(json_agg(json_build_object(
                 'schema', r.nspname, 'table', r.relname, 'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull,
                 'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
                 'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
                 'identity', a.attidentity::text,
                 'sequence', (SELECT sn.nspname || '.' || s.relname FROM owned o JOIN pg_class s ON s.oid = o.seq JOIN pg_namespace sn ON sn.oid = s.relnamespace
                               WHERE o.rel = r.oid AND o.attnum = a.attnum LIMIT 1))), '[]')
                FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE r.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped),
  'indexes', (SELECT coalesce(json_agg(json_build_object(
                 'schema', n.nspname, 'name', i.relname, 'table', t.nspname || '.' || t.relname, 'definition', pg_get_indexdef(i.oid), 'method', am.amname,
                 'unique', x.indisunique, 'valid', x.indisvalid, 'reloptions', i.reloptions,
                 'opclasses', ARRAY(SELECT o.opcname FROM unnest(x.indclass::oid[]) WITH ORDINALITY AS u(oid, ord) JOIN pg_opclass o ON o.oid = u.oid ORDER BY u.ord),
                 'constraint', EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid AND c.conrelid = t.oid AND c.contype IN ('p', 'u', 'x')))), '[]')
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN rels t ON t.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = i.relnamespace JOIN pg_am am ON am.oid = i.relam),
  'constraints', (SELECT coalesce(json_agg(json_build_object('schema', r.nspname, 'table', r.relname, 'name', c.conname, 'type', c.contype::text, 'definition', pg_get_constraintdef(c.oid))), '[]')
                    FROM pg_constraint c JOIN rels r ON r.oid = c.conrelid WHERE c.contype IN ('c', 'f', 'p', 'u', 'x')),
  'views', (SELECT coalesce(json_agg(json_build_object('schema', nspname, 'name', relname, 'materialized', relkind = 'm', 'definition', pg_get_viewdef(oid))), '[]')
              FROM rels WHERE relkind IN ('v', 'm')),
  'functions', (SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'name', p.proname, 'args', pg_get_function_identity_arguments(p.oid),
                   'kind', CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, 'definition', pg_get_functiondef(p.oid))), '[]')
                  FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
                 WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)),
  'sequences', (SELECT coalesce(json_agg(json_build_object('schema', r.nspname, 'name', r.relname, 'type', format_type(s.seqtypid, NULL),
                   'start', s.seqstart::text, 'increment', s.seqincrement::text, 'min', s.seqmin::text, 'max', s.seqmax::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle)), '[]')
                  FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid WHERE r.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM owned o WHERE o.seq = r.oid)),
  'types', (SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'name', t.typname, 'kind', CASE t.typtype WHEN 'e' THEN 'enum' ELSE 'domain' END,
               'labels', ARRAY(SELECT enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
               'base', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, 'notNull', t.typnotnull, 'default', t.typdefault,
               'checks', ARRAY(SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname))), '[]')
              FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
             WHERE t.typtype IN ('e', 'd') AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)),
  'triggers', (SELECT coalesce(json_agg(json_build_object('schema', r.nspname, 'table', r.relname, 'name', g.tgname, 'definition', pg_get_triggerdef(g.oid))), '[]')
                 FROM pg_trigger g JOIN rels r ON r.oid = g.tgrelid WHERE NOT g.tgisinternal)
) AS snapshot`;

type Raw = {
  version: string;
  schemas: string[];
  extensions: ExtensionSnap[];
  tables: { schema: string; name: string; partitioned: boolean }[];
  columns: (ColumnSnap & { schema: string; table: string })[];
  indexes: (Omit<IndexSnap, 'options'> & { reloptions: string[] | null })[];
  constraints: ConstraintSnap[];
  views: Omit<ViewSnap, 'form'>[];
  functions: FunctionSnap[];
  sequences: SequenceSnap[];
  types: TypeSnap[];
  triggers: TriggerSnap[];
};

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const byKey = <T>(items: T[], key: (t: T) => string): Record<string, T> => Object.fromEntries(items.map((t) => [key(t), t]));

/** Turns the query's rows into a snapshot: pure, so it is tested without a database. */
export function toSnapshot(raw: Raw): CatalogSnapshot {
  const tables = byKey(
    raw.tables.map((t) => ({ ...t, columns: {} as Record<string, ColumnSnap> })),
    (t) => qualified(t.schema, t.name),
  );
  for (const { schema, table, ...c } of raw.columns) {
    const t = tables[qualified(schema, table)];
    if (t) t.columns[c.name] = c;
  }
  return {
    server: { version: raw.version },
    schemas: byKey(raw.schemas.map((name) => ({ name })), (s) => s.name),
    extensions: byKey(raw.extensions, (e) => e.name),
    tables,
    indexes: byKey(
      raw.indexes.map(({ reloptions, ...i }) => ({
        ...i,
        options: Object.fromEntries((reloptions ?? []).map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)])),
      })),
      (i) => qualified(i.schema, i.name),
    ),
    constraints: byKey(raw.constraints, (c) => `${qualified(c.schema, c.table)}.${c.name}`),
    views: byKey(
      raw.views.map((v) => ({ ...v, definition: squash(v.definition), form: squash(v.definition) })),
      (v) => qualified(v.schema, v.name),
    ),
    functions: byKey(
      raw.functions.map((f) => ({ ...f, definition: f.definition.trim() })),
      (f) => `${qualified(f.schema, f.name)}(${f.args})`,
    ),
    sequences: byKey(raw.sequences, (s) => qualified(s.schema, s.name)),
    types: byKey(raw.types, (t) => qualified(t.schema, t.name)),
    triggers: byKey(raw.triggers, (t) => `${qualified(t.schema, t.table)}.${t.name}`),
  };
}

type Queryable = Knex | Knex.Transaction;

async function query(conn: Queryable, options: SnapshotOptions): Promise<CatalogSnapshot> {
  const { rows } = await conn.raw<{ rows: { snapshot: Raw | string }[] }>(SNAPSHOT_SQL, [options.excludeSchemas ?? [], options.excludeTables ?? []]);
  const raw = rows[0]!.snapshot;
  const snapshot = toSnapshot(typeof raw === 'string' ? (JSON.parse(raw) as Raw) : raw);
  for (const v of Object.values(snapshot.views)) v.form = await viewForm(v.definition);
  return snapshot;
}

/**
 * Reads the snapshot. Given a transaction (a migration's, in a hook), it reads inside it and puts
 * the search path back afterwards; given a knex instance, it reads in a transaction of its own.
 */
export async function readSnapshot(conn: Queryable, options: SnapshotOptions = {}): Promise<CatalogSnapshot> {
  const isTransaction = 'isTransaction' in conn && (conn as Knex.Transaction).isTransaction;
  if (!isTransaction) {
    // Only the catalog is read, with a time limit, so a busy live database is never held up.
    return (conn as Knex).transaction(
      async (trx) => {
        await trx.raw(`SELECT set_config('search_path', 'public', true), set_config('statement_timeout', '10s', true)`);
        return query(trx, options);
      },
      { readOnly: true },
    );
  }
  const { rows } = await conn.raw<{ rows: { path: string }[] }>(`SELECT current_setting('search_path') AS path, set_config('search_path', 'public', true)`);
  try {
    return await query(conn, options);
  } finally {
    await conn.raw(`SELECT set_config('search_path', ?, true)`, [rows[0]!.path]);
  }
}
