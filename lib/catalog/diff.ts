// The difference between two catalog snapshots, object by object, with the SQL that turns the
// first into the second. Pure: the plan's schema effects, the round trip and drift all show what
// this returns. Changes come in an order whose SQL runs top to bottom: what depends on other
// objects is dropped first and created last.
import type { ChangeDetail, ObjectKind, SchemaChange } from '../schemas/catalog';
import * as ddl from './ddl';
import { label } from './names';
import type { CatalogSnapshot, ColumnSnap, ExtensionSnap, IndexSnap, SequenceSnap, TableSnap, TypeSnap } from './snapshot';

export type DiffOptions = ddl.DdlOptions;

type Ranked = SchemaChange & { rank: number };

// Drops, then changes made in place, then creates; within each, the order in which they run.
const RANK = {
  drop: { trigger: 0, view: 1, 'materialized view': 1, constraintFk: 2, constraint: 3, index: 4, column: 5, table: 6, function: 7, procedure: 7, sequence: 8, type: 9, extension: 10, schema: 11 },
  alter: { extension: 20, type: 21, sequence: 22, column: 23, index: 24, constraint: 25, function: 26, procedure: 26, view: 27, 'materialized view': 27, trigger: 28 },
  create: { schema: 40, extension: 41, type: 42, sequence: 43, function: 44, procedure: 44, table: 45, column: 46, constraint: 47, index: 48, constraintFk: 49, view: 50, 'materialized view': 50, trigger: 51 },
} as const;

const tableLabel = (qualifiedTable: string) => {
  const dot = qualifiedTable.indexOf('.');
  return label(qualifiedTable.slice(0, dot), qualifiedTable.slice(dot + 1));
};

function fields<T extends object>(a: T, b: T, keys: (keyof T)[], show: (v: unknown) => string | null = (v) => (v === null || v === undefined ? null : String(v))): ChangeDetail[] {
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => ({ what: String(k), from: show(a[k]), to: show(b[k]) }));
}

/** Two extension versions are the same when equal, or when each is its own server's default. */
function extensionDetails(a: ExtensionSnap, b: ExtensionSnap): ChangeDetail[] {
  const out: ChangeDetail[] = [];
  const sameVersion = a.version === b.version || (a.version === a.defaultVersion && b.version === b.defaultVersion);
  if (!sameVersion) out.push({ what: 'version', from: a.version, to: b.version });
  if (a.schema !== b.schema) out.push({ what: 'schema', from: a.schema, to: b.schema });
  return out;
}

function indexDetails(a: IndexSnap, b: IndexSnap): ChangeDetail[] {
  const body = (i: IndexSnap) => i.definition.slice(i.definition.indexOf(' ON ') + 4);
  const out: ChangeDetail[] = [];
  if (a.method !== b.method) out.push({ what: 'method', from: a.method, to: b.method });
  if (a.unique !== b.unique) out.push({ what: 'unique', from: String(a.unique), to: String(b.unique) });
  if (a.opclasses.join(',') !== b.opclasses.join(',')) out.push({ what: 'operator class', from: a.opclasses.join(', '), to: b.opclasses.join(', ') });
  for (const k of new Set([...Object.keys(a.options), ...Object.keys(b.options)])) {
    if (a.options[k] !== b.options[k]) out.push({ what: k, from: a.options[k] ?? null, to: b.options[k] ?? null });
  }
  if (!out.length && body(a) !== body(b)) out.push({ what: 'definition', from: a.definition, to: b.definition });
  if (a.valid !== b.valid) out.push({ what: 'valid', from: a.valid ? 'yes' : 'no (a build failed)', to: b.valid ? 'yes' : 'no (a build failed)' });
  return out;
}

/** Added tables in an order where a table comes after the tables its foreign keys point to. */
function creationOrder(tables: TableSnap[], to: CatalogSnapshot): TableSnap[] {
  const keys = new Set(tables.map((t) => `${t.schema}.${t.name}`));
  const refs = new Map<string, string[]>();
  for (const c of Object.values(to.constraints)) {
    if (c.type !== 'f') continue;
    const target = /REFERENCES\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/.exec(c.definition)?.[1]?.replace(/"/g, '');
    if (!target) continue;
    const qualifiedTarget = target.includes('.') ? target : `public.${target}`;
    const from = `${c.schema}.${c.table}`;
    if (keys.has(qualifiedTarget) && qualifiedTarget !== from) refs.set(from, [...(refs.get(from) ?? []), qualifiedTarget]);
  }
  const out: TableSnap[] = [];
  const seen = new Set<string>();
  const visit = (t: TableSnap, path: Set<string>) => {
    const key = `${t.schema}.${t.name}`;
    if (seen.has(key) || path.has(key)) return;
    path.add(key);
    for (const r of refs.get(key) ?? []) visit(tables.find((x) => `${x.schema}.${x.name}` === r)!, path);
    seen.add(key);
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => `${a.schema}.${a.name}`.localeCompare(`${b.schema}.${b.name}`))) visit(t, new Set());
  return out;
}

export function diffSnapshots(from: CatalogSnapshot, to: CatalogSnapshot, options: DiffOptions = {}): SchemaChange[] {
  const out: Ranked[] = [];
  const push = (rank: number, kind: ObjectKind, name: string, table: string | null, change: SchemaChange['change'], details: ChangeDetail[], sql: string[]) =>
    out.push({ rank, kind, name, table, change, details, sql });
  const keys = <T>(a: Record<string, T>, b: Record<string, T>) => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();

  for (const k of keys(from.schemas, to.schemas)) {
    if (!to.schemas[k]) push(RANK.drop.schema, 'schema', k, null, 'removed', [], [ddl.dropSchema(k)]);
    else if (!from.schemas[k]) push(RANK.create.schema, 'schema', k, null, 'added', [], [ddl.createSchema(k)]);
  }
  for (const k of keys(from.extensions, to.extensions)) {
    const a = from.extensions[k];
    const b = to.extensions[k];
    if (!b) push(RANK.drop.extension, 'extension', k, null, 'removed', [], [ddl.dropExtension(a!)]);
    else if (!a) push(RANK.create.extension, 'extension', k, null, 'added', [], [ddl.createExtension(b)]);
    else {
      const details = extensionDetails(a, b);
      if (details.length) push(RANK.alter.extension, 'extension', k, null, 'changed', details, details.some((d) => d.what === 'version') ? [ddl.updateExtension(b)] : [`ALTER EXTENSION ${b.name} SET SCHEMA ${b.schema}`]);
    }
  }
  for (const k of keys(from.types, to.types)) {
    const a = from.types[k];
    const b = to.types[k];
    const name = label((a ?? b)!.schema, (a ?? b)!.name);
    if (!b) push(RANK.drop.type, 'type', name, null, 'removed', [], [ddl.dropType(a!)]);
    else if (!a) push(RANK.create.type, 'type', name, null, 'added', [], [ddl.createType(b)]);
    else {
      const details = fields<TypeSnap>(a, b, ['kind', 'labels', 'base', 'notNull', 'default', 'checks'], (v) => (Array.isArray(v) ? v.join(', ') : v === null ? null : String(v)));
      if (details.length) push(RANK.alter.type, 'type', name, null, 'changed', details, ddl.alterType(a, b));
    }
  }
  for (const k of keys(from.sequences, to.sequences)) {
    const a = from.sequences[k];
    const b = to.sequences[k];
    const name = label((a ?? b)!.schema, (a ?? b)!.name);
    if (!b) push(RANK.drop.sequence, 'sequence', name, null, 'removed', [], [ddl.dropSequence(a!)]);
    else if (!a) push(RANK.create.sequence, 'sequence', name, null, 'added', [], [ddl.createSequence(b)]);
    else {
      const details = fields<SequenceSnap>(a, b, ['type', 'start', 'increment', 'min', 'max', 'cache', 'cycle']);
      if (details.length) push(RANK.alter.sequence, 'sequence', name, null, 'changed', details, [ddl.alterSequence(b)]);
    }
  }
  for (const k of keys(from.functions, to.functions)) {
    const a = from.functions[k];
    const b = to.functions[k];
    const f = (a ?? b)!;
    const name = `${label(f.schema, f.name)}(${f.args})`;
    if (!b) push(RANK.drop[f.kind], f.kind, name, null, 'removed', [], [ddl.dropFunction(a!)]);
    else if (!a) push(RANK.create[f.kind], f.kind, name, null, 'added', [], [ddl.createFunction(b)]);
    else if (a.definition !== b.definition) push(RANK.alter[f.kind], f.kind, name, null, 'changed', [{ what: 'definition', from: a.definition, to: b.definition }], [ddl.createFunction(b)]);
  }

  // Tables: an added or removed table carries its columns, indexes, constraints and triggers.
  const added = creationOrder(
    keys(from.tables, to.tables).filter((k) => !from.tables[k]).map((k) => to.tables[k]!),
    to,
  );
  const removedTables = new Set(keys(from.tables, to.tables).filter((k) => !to.tables[k]));
  const addedTables = new Set(added.map((t) => `${t.schema}.${t.name}`));
  const ownedBy = (table: string) => addedTables.has(table) || removedTables.has(table);
  added.forEach((t, i) => {
    const key = `${t.schema}.${t.name}`;
    const cons = Object.values(to.constraints).filter((c) => `${c.schema}.${c.table}` === key);
    const sql = [
      ddl.createTable(t),
      ...cons.filter((c) => c.type !== 'f').map(ddl.addConstraint),
      ...Object.values(to.indexes).filter((x) => x.table === key && !x.constraint).map((x) => ddl.createIndex(x, options)),
      ...cons.filter((c) => c.type === 'f').map(ddl.addConstraint),
      ...Object.values(to.triggers).filter((g) => `${g.schema}.${g.table}` === key).map(ddl.createTrigger),
    ];
    out.push({ rank: RANK.create.table + i / 1000, kind: 'table', name: label(t.schema, t.name), table: null, change: 'added', details: [], sql });
  });
  // Removed tables go in the reverse order: one that others point to goes last.
  creationOrder([...removedTables].map((k) => from.tables[k]!), from)
    .reverse()
    .forEach((t, i) => out.push({ rank: RANK.drop.table + i / 1000, kind: 'table', name: label(t.schema, t.name), table: null, change: 'removed', details: [], sql: [ddl.dropTable(t)] }));

  for (const k of keys(from.tables, to.tables)) {
    const a = from.tables[k];
    const b = to.tables[k];
    if (!a || !b) continue;
    for (const c of keys(a.columns, b.columns)) {
      const ca = a.columns[c];
      const cb = b.columns[c];
      const name = `${label(b.schema, b.name)}.${c}`;
      if (!cb) push(RANK.drop.column, 'column', name, label(b.schema, b.name), 'removed', [], [ddl.dropColumn(a, ca!)]);
      else if (!ca) push(RANK.create.column, 'column', name, label(b.schema, b.name), 'added', [], [ddl.addColumn(b, cb)]);
      else {
        const details = fields<ColumnSnap>(ca, cb, ['type', 'notNull', 'default', 'identity', 'generated']);
        if (details.length) push(RANK.alter.column, 'column', name, label(b.schema, b.name), 'changed', details, ddl.alterColumn(b, ca, cb));
      }
    }
  }
  for (const k of keys(from.indexes, to.indexes)) {
    const a = from.indexes[k];
    const b = to.indexes[k];
    const i = (a ?? b)!;
    if (i.constraint && (!a || !b || (a.constraint && b.constraint))) continue;
    if (ownedBy(i.table) && (!a || !b)) continue;
    const name = label(i.schema, i.name);
    const table = tableLabel(i.table);
    if (!b) push(RANK.drop.index, 'index', name, table, 'removed', [], [ddl.dropIndex(a!, options)]);
    else if (!a) push(RANK.create.index, 'index', name, table, 'added', [], [ddl.createIndex(b, options)]);
    else {
      const details = indexDetails(a, b);
      if (!details.length) continue;
      const onlyValidity = details.every((d) => d.what === 'valid');
      push(RANK.alter.index, 'index', name, table, 'changed', details, onlyValidity ? [ddl.reindex(b, options)] : [ddl.dropIndex(a, options), ddl.createIndex(b, options)]);
    }
  }
  for (const k of keys(from.constraints, to.constraints)) {
    const a = from.constraints[k];
    const b = to.constraints[k];
    const c = (a ?? b)!;
    const table = `${c.schema}.${c.table}`;
    if (ownedBy(table) && (!a || !b)) continue;
    const fk = c.type === 'f';
    if (!b) push(fk ? RANK.drop.constraintFk : RANK.drop.constraint, 'constraint', c.name, tableLabel(table), 'removed', [], [ddl.dropConstraint(a!)]);
    else if (!a) push(fk ? RANK.create.constraintFk : RANK.create.constraint, 'constraint', c.name, tableLabel(table), 'added', [], [ddl.addConstraint(b)]);
    else if (a.definition !== b.definition) {
      push(RANK.alter.constraint, 'constraint', c.name, tableLabel(table), 'changed', [{ what: 'definition', from: a.definition, to: b.definition }], [ddl.dropConstraint(a), ddl.addConstraint(b)]);
    }
  }
  for (const k of keys(from.views, to.views)) {
    const a = from.views[k];
    const b = to.views[k];
    const v = (a ?? b)!;
    const kind = v.materialized ? 'materialized view' : 'view';
    const name = label(v.schema, v.name);
    if (!b) push(RANK.drop[kind], kind, name, null, 'removed', [], [ddl.dropView(a!)]);
    else if (!a) push(RANK.create[kind], kind, name, null, 'added', [], [ddl.createView(b)]);
    else if (a.form !== b.form || a.materialized !== b.materialized) {
      push(RANK.alter[kind], kind, name, null, 'changed', [{ what: 'definition', from: a.definition, to: b.definition }], [ddl.dropView(a), ddl.createView(b)]);
    }
  }
  for (const k of keys(from.triggers, to.triggers)) {
    const a = from.triggers[k];
    const b = to.triggers[k];
    const g = (a ?? b)!;
    const table = `${g.schema}.${g.table}`;
    if (ownedBy(table) && (!a || !b)) continue;
    if (!b) push(RANK.drop.trigger, 'trigger', g.name, tableLabel(table), 'removed', [], [ddl.dropTrigger(a!)]);
    else if (!a) push(RANK.create.trigger, 'trigger', g.name, tableLabel(table), 'added', [], [ddl.createTrigger(b)]);
    else if (a.definition !== b.definition) {
      push(RANK.alter.trigger, 'trigger', g.name, tableLabel(table), 'changed', [{ what: 'definition', from: a.definition, to: b.definition }], [ddl.dropTrigger(a), ddl.createTrigger(b)]);
    }
  }
  return out
    .sort((x, y) => x.rank - y.rank || x.name.localeCompare(y.name))
    .map((c) => ({ kind: c.kind, name: c.name, table: c.table, change: c.change, details: c.details, sql: c.sql }));
}

/** The SQL of every change, in order. */
export function reconcilingSql(changes: SchemaChange[]): string[] {
  return changes.flatMap((c) => c.sql);
}
