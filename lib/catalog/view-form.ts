// A view's definition in a form that compares across PostgreSQL versions. pg_get_viewdef prints the
// same view differently on different majors (since 16 it leaves out the table name before a column
// when the query reads a single relation), so two catalogs of the same migrations would differ on
// text alone. The form is PostgreSQL's own parse tree (libpg-query), without source positions and
// with such qualifiers removed; when the text cannot be parsed, the text itself.
import { parse } from 'libpg-query';

type Node = unknown;

function strip(node: Node, qualifiers: ReadonlySet<string>): Node {
  if (Array.isArray(node)) return node.map((n) => strip(n, qualifiers));
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, Node>;
  if ('SelectStmt' in obj) return { SelectStmt: select(obj.SelectStmt as Record<string, Node>) };
  if ('ColumnRef' in obj) {
    const ref = obj.ColumnRef as { fields: { String?: { sval: string } }[] };
    const first = ref.fields[0]?.String?.sval;
    const fields = ref.fields.length === 2 && first && qualifiers.has(first) ? ref.fields.slice(1) : ref.fields;
    return { ColumnRef: { fields } };
  }
  const out: Record<string, Node> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'location') out[k] = strip(v, qualifiers);
  return out;
}

/** One SELECT: its columns may be qualified by its single relation's name or alias, or not. */
function select(stmt: Record<string, Node>): Node {
  const from = (stmt.fromClause ?? []) as { RangeVar?: { relname: string; alias?: { aliasname: string } } }[];
  const single = from.length === 1 && from[0]!.RangeVar ? from[0]!.RangeVar : null;
  const qualifiers = new Set(single ? [single.alias?.aliasname ?? single.relname] : []);
  const out: Record<string, Node> = {};
  for (const [k, v] of Object.entries(stmt)) out[k] = strip(v, qualifiers);
  return out;
}

export async function viewForm(definition: string): Promise<string> {
  try {
    const tree = (await parse(definition)) as { stmts?: { stmt: Node }[] };
    return JSON.stringify((tree.stmts ?? []).map((s) => strip(s.stmt, new Set())));
  } catch {
    return definition;
  }
}
