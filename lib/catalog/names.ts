// Names in a snapshot: keys are always schema-qualified; what a person reads leaves out `public.`;
// identifiers in generated SQL are quoted only where PostgreSQL needs it.

// PostgreSQL's reserved keywords, and those that are reserved except as a function or type name
// (Appendix C of its documentation): an identifier spelled like one must be quoted.
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
    'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze ' +
    'from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit ' +
    'localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references ' +
    'returning right select session_user similar some symmetric system_user table tablesample then to trailing true union ' +
    'unique user using variadic verbose when where window with'
  ).split(' '),
);

export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/** `schema.name` for SQL: the schema is left out for `public`, the search path snapshots are read with. */
export function sqlName(schema: string, name: string): string {
  return schema === 'public' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** The same for reading: `posts`, or `audit.events` outside public. */
export function label(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

export function quoteLiteralText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
