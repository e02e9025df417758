import 'server-only';
// What a migration's SQL does, read with PostgreSQL's own parser (libpg-query): the operations
// that the plan's lint and its "what will be destroyed" list are made of.
import { parse } from 'libpg-query';

export type Relation = { schema: string | null; name: string };

export type SqlOp =
  | { op: 'create_index'; relation: Relation; index: string | null; method: string; concurrent: boolean; ifNotExists: boolean; lists: number | null }
  | { op: 'create_table'; relation: Relation; filled: boolean }
  | { op: 'write_rows'; relation: Relation; kind: 'insert' | 'update' | 'delete' }
  | { op: 'truncate'; relation: Relation }
  | { op: 'alter_column_type'; relation: Relation; column: string; type: string }
  | { op: 'add_column'; relation: Relation; column: string; notNull: boolean; hasDefault: boolean }
  | { op: 'drop_column'; relation: Relation; column: string }
  | { op: 'drop_table'; relation: Relation }
  | { op: 'drop_index'; relation: Relation; ifExists: boolean }
  | { op: 'drop_extension'; name: string };

type Node = Record<string, unknown>;
type RangeVar = { schemaname?: string; relname: string };

const rel = (r: RangeVar): Relation => ({ schema: r.schemaname ?? null, name: r.relname });
const str = (n: unknown): string => ((n as { String?: { sval?: string } })?.String?.sval ?? '') as string;

function listName(items: unknown[]): Relation {
  const parts = items.map(str);
  return parts.length > 1 ? { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! } : { schema: null, name: parts[0]! };
}

function intOption(options: unknown[] | undefined, name: string): number | null {
  for (const o of options ?? []) {
    const d = (o as { DefElem?: { defname: string; arg?: Node } }).DefElem;
    if (d?.defname !== name) continue;
    const arg = d.arg as { Integer?: { ival?: number }; String?: { sval?: string } } | undefined;
    if (arg?.Integer) return arg.Integer.ival ?? 0;
    if (arg?.String?.sval && /^\d+$/.test(arg.String.sval)) return Number(arg.String.sval);
  }
  return null;
}

function typeName(def: Node | undefined): string {
  const t = (def as { ColumnDef?: { typeName?: { names?: unknown[]; typmods?: { A_Const?: { ival?: { ival?: number } } }[] } } })?.ColumnDef
    ?.typeName;
  const names = (t?.names ?? []).map(str).filter((n) => n !== 'pg_catalog');
  const mods = (t?.typmods ?? []).map((m) => m.A_Const?.ival?.ival).filter((v) => v !== undefined);
  return `${names.join('.')}${mods.length ? `(${mods.join(',')})` : ''}`;
}

function opsOf(stmt: Node): SqlOp[] {
  const [kind, body] = Object.entries(stmt)[0] as [string, Node];
  if (kind === 'IndexStmt') {
    const s = body as { relation: RangeVar; idxname?: string; accessMethod?: string; concurrent?: boolean; if_not_exists?: boolean; options?: unknown[] };
    const method = s.accessMethod ?? 'btree';
    return [
      {
        op: 'create_index',
        relation: rel(s.relation),
        index: s.idxname ?? null,
        method,
        concurrent: !!s.concurrent,
        ifNotExists: !!s.if_not_exists,
        // pgvector's default when `lists` is not given.
        lists: method === 'ivfflat' ? (intOption(s.options, 'lists') ?? 100) : null,
      },
    ];
  }
  if (kind === 'AlterTableStmt') {
    const s = body as { relation: RangeVar; cmds?: { AlterTableCmd: { subtype: string; name?: string; def?: Node } }[] };
    const out: SqlOp[] = [];
    for (const { AlterTableCmd: c } of s.cmds ?? []) {
      if (c.subtype === 'AT_AlterColumnType') out.push({ op: 'alter_column_type', relation: rel(s.relation), column: c.name!, type: typeName(c.def) });
      if (c.subtype === 'AT_DropColumn') out.push({ op: 'drop_column', relation: rel(s.relation), column: c.name! });
      if (c.subtype === 'AT_AddColumn') {
        const col = (c.def as { ColumnDef?: { colname: string; constraints?: { Constraint: { contype: string } }[] } }).ColumnDef!;
        const types = (col.constraints ?? []).map((x) => x.Constraint.contype);
        out.push({
          op: 'add_column',
          relation: rel(s.relation),
          column: col.colname,
          notNull: types.includes('CONSTR_NOTNULL') || types.includes('CONSTR_PRIMARY'),
          hasDefault: types.includes('CONSTR_DEFAULT') || types.includes('CONSTR_IDENTITY') || types.includes('CONSTR_GENERATED'),
        });
      }
    }
    return out;
  }
  if (kind === 'CreateStmt') return [{ op: 'create_table', relation: rel((body as { relation: RangeVar }).relation), filled: false }];
  if (kind === 'CreateTableAsStmt') {
    const s = body as { objtype?: string; into: { rel: RangeVar } };
    return s.objtype === 'OBJECT_TABLE' ? [{ op: 'create_table', relation: rel(s.into.rel), filled: true }] : [];
  }
  if (kind === 'InsertStmt' || kind === 'UpdateStmt' || kind === 'DeleteStmt') {
    const write = ({ InsertStmt: 'insert', UpdateStmt: 'update', DeleteStmt: 'delete' } as const)[kind];
    return [{ op: 'write_rows', relation: rel((body as { relation: RangeVar }).relation), kind: write }];
  }
  if (kind === 'TruncateStmt') {
    return ((body as { relations?: { RangeVar: RangeVar }[] }).relations ?? []).map((r) => ({ op: 'truncate' as const, relation: rel(r.RangeVar) }));
  }
  if (kind === 'DropStmt') {
    const s = body as { removeType: string; objects?: unknown[]; missing_ok?: boolean };
    const objects = s.objects ?? [];
    if (s.removeType === 'OBJECT_TABLE') return objects.map((o) => ({ op: 'drop_table' as const, relation: listName((o as { List: { items: unknown[] } }).List.items) }));
    if (s.removeType === 'OBJECT_INDEX') {
      return objects.map((o) => ({ op: 'drop_index' as const, relation: listName((o as { List: { items: unknown[] } }).List.items), ifExists: !!s.missing_ok }));
    }
    if (s.removeType === 'OBJECT_EXTENSION') return objects.map((o) => ({ op: 'drop_extension' as const, name: str(o) }));
  }
  return [];
}

/** The operations of each statement in one SQL text (several statements allowed); [] when the parser cannot read it. */
export async function statementOps(sql: string): Promise<SqlOp[][]> {
  try {
    const tree = (await parse(sql)) as { stmts?: { stmt: Node }[] };
    return (tree.stmts ?? []).map((s) => opsOf(s.stmt));
  } catch {
    return [];
  }
}

/** The operations in one SQL text, all statements together. */
export async function sqlOps(sql: string): Promise<SqlOp[]> {
  return (await statementOps(sql)).flat();
}

/** `posts`, or `audit.events` outside public: the same label the catalog snapshot's changes use. */
export function relationLabel(r: Relation): string {
  return r.schema && r.schema !== 'public' ? `${r.schema}.${r.name}` : r.name;
}
