// The SQL that creates, drops or alters one object of a snapshot: what a diff offers to reconcile
// two catalogs. Written from the snapshot's own definitions (PostgreSQL printed them), so an index,
// constraint, view, function or trigger is recreated exactly as it was read.
import { quoteIdent, quoteLiteralText, sqlName } from './names';
import type { ColumnSnap, ConstraintSnap, ExtensionSnap, FunctionSnap, IndexSnap, SequenceSnap, TableSnap, TriggerSnap, TypeSnap, ViewSnap } from './snapshot';

export type DdlOptions = {
  /** Build and drop indexes with CONCURRENTLY (for a live database; such statements cannot run in a transaction). */
  concurrently?: boolean;
};


const SERIAL: Record<string, string> = { integer: 'serial', bigint: 'bigserial', smallint: 'smallserial' };

/** A column as it would be written in CREATE TABLE or ADD COLUMN. */
export function columnSql(c: ColumnSnap): string {
  const serial = c.sequence && c.default?.startsWith('nextval(') && SERIAL[c.type];
  const parts = [quoteIdent(c.name), serial || c.type];
  if (c.identity) parts.push(`GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  else if (c.generated) parts.push(`GENERATED ALWAYS AS (${c.generated}) STORED`);
  else if (c.default !== null && !serial) parts.push(`DEFAULT ${c.default}`);
  if (c.notNull && !c.identity) parts.push('NOT NULL');
  return parts.join(' ');
}

export function createTable(t: TableSnap): string {
  const cols = Object.values(t.columns).map((c) => `  ${columnSql(c)}`);
  return `CREATE TABLE ${sqlName(t.schema, t.name)} (\n${cols.join(',\n')}\n)${t.partitioned ? ' /* partitioned: add PARTITION BY as in its migration */' : ''}`;
}

export const dropTable = (t: TableSnap) => `DROP TABLE ${sqlName(t.schema, t.name)}`;

export const addColumn = (table: TableSnap, c: ColumnSnap) => `ALTER TABLE ${sqlName(table.schema, table.name)} ADD COLUMN ${columnSql(c)}`;
export const dropColumn = (table: TableSnap, c: ColumnSnap) => `ALTER TABLE ${sqlName(table.schema, table.name)} DROP COLUMN ${quoteIdent(c.name)}`;

/** ALTER COLUMN statements that turn column `a` into `b`; a comment where no statement can. */
export function alterColumn(table: TableSnap, a: ColumnSnap, b: ColumnSnap): string[] {
  const head = `ALTER TABLE ${sqlName(table.schema, table.name)} ALTER COLUMN ${quoteIdent(b.name)}`;
  const out: string[] = [];
  if (a.identity !== b.identity || a.generated !== b.generated) {
    out.push(`-- ${b.name}: identity or generation differs; change it by hand (${columnSql(b)})`);
    return out;
  }
  if (a.type !== b.type) out.push(`${head} TYPE ${b.type} USING ${quoteIdent(b.name)}::${b.type}`);
  if (a.default !== b.default) out.push(b.default === null ? `${head} DROP DEFAULT` : `${head} SET DEFAULT ${b.default}`);
  if (a.notNull !== b.notNull) out.push(`${head} ${b.notNull ? 'SET' : 'DROP'} NOT NULL`);
  return out;
}

export function createIndex(i: IndexSnap, options: DdlOptions): string {
  return options.concurrently ? i.definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ') : i.definition;
}

export const dropIndex = (i: IndexSnap, options: DdlOptions) => `DROP INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}${sqlName(i.schema, i.name)}`;
export const reindex = (i: IndexSnap, options: DdlOptions) => `REINDEX INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}${sqlName(i.schema, i.name)}`;

export const addConstraint = (c: ConstraintSnap) => `ALTER TABLE ${sqlName(c.schema, c.table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
export const dropConstraint = (c: ConstraintSnap) => `ALTER TABLE ${sqlName(c.schema, c.table)} DROP CONSTRAINT ${quoteIdent(c.name)}`;

export const createView = (v: ViewSnap) =>
  v.materialized
    ? `CREATE MATERIALIZED VIEW ${sqlName(v.schema, v.name)} AS ${v.definition.replace(/;$/, '')}`
    : `CREATE OR REPLACE VIEW ${sqlName(v.schema, v.name)} AS ${v.definition.replace(/;$/, '')}`;
export const dropView = (v: ViewSnap) => `DROP ${v.materialized ? 'MATERIALIZED ' : ''}VIEW ${sqlName(v.schema, v.name)}`;

export const createFunction = (f: FunctionSnap) => f.definition;
export const dropFunction = (f: FunctionSnap) => `DROP ${f.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION'} ${sqlName(f.schema, f.name)}(${f.args})`;

function sequenceOptions(s: SequenceSnap): string {
  return `AS ${s.type} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}${s.cycle ? ' CYCLE' : ' NO CYCLE'}`;
}
export const createSequence = (s: SequenceSnap) => `CREATE SEQUENCE ${sqlName(s.schema, s.name)} ${sequenceOptions(s)}`;
export const alterSequence = (s: SequenceSnap) => `ALTER SEQUENCE ${sqlName(s.schema, s.name)} ${sequenceOptions(s)}`;
export const dropSequence = (s: SequenceSnap) => `DROP SEQUENCE ${sqlName(s.schema, s.name)}`;

export function createType(t: TypeSnap): string {
  const name = sqlName(t.schema, t.name);
  if (t.kind === 'enum') return `CREATE TYPE ${name} AS ENUM (${t.labels.map(quoteLiteralText).join(', ')})`;
  const parts = [`CREATE DOMAIN ${name} AS ${t.base}`];
  if (t.default !== null) parts.push(`DEFAULT ${t.default}`);
  if (t.notNull) parts.push('NOT NULL');
  parts.push(...t.checks);
  return parts.join(' ');
}
export const dropType = (t: TypeSnap) => `DROP ${t.kind === 'enum' ? 'TYPE' : 'DOMAIN'} ${sqlName(t.schema, t.name)}`;

/** An enum gains values in place; anything else about a type is recreated. */
export function alterType(a: TypeSnap, b: TypeSnap): string[] {
  if (a.kind === 'enum' && b.kind === 'enum' && a.labels.every((l) => b.labels.includes(l))) {
    return b.labels
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => !a.labels.includes(l))
      .map(({ l, i }) => `ALTER TYPE ${sqlName(b.schema, b.name)} ADD VALUE ${quoteLiteralText(l)}${i > 0 ? ` AFTER ${quoteLiteralText(b.labels[i - 1]!)}` : ` BEFORE ${quoteLiteralText(b.labels[1] ?? '')}`}`);
  }
  return [`-- ${b.name} cannot be altered in place: columns of this type must be changed first`, dropType(a), createType(b)];
}

export const createTrigger = (t: TriggerSnap) => t.definition;
export const dropTrigger = (t: TriggerSnap) => `DROP TRIGGER ${quoteIdent(t.name)} ON ${sqlName(t.schema, t.table)}`;

export const createExtension = (e: ExtensionSnap) =>
  `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}${e.version !== e.defaultVersion ? ` VERSION ${quoteLiteralText(e.version)}` : ''}`;
export const dropExtension = (e: ExtensionSnap) => `DROP EXTENSION ${quoteIdent(e.name)}`;
export const updateExtension = (e: ExtensionSnap) => `ALTER EXTENSION ${quoteIdent(e.name)} UPDATE TO ${quoteLiteralText(e.version)}`;

export const createSchema = (name: string) => `CREATE SCHEMA ${quoteIdent(name)}`;
export const dropSchema = (name: string) => `DROP SCHEMA ${quoteIdent(name)}`;

