import 'server-only';
// The plan's safety review: unsafe operations in the SQL a migration runs, each with why it matters
// and the safer form (after Squawk's rules and strong_migrations). Every statement is reviewed,
// whether it ran on the live database (rolled back) or only on the shadow; rules about table size
// use the live row counts as the batch leaves them at that statement. Findings warn; the operator
// decides. What a plan destroys is worked out beside it (destroys.ts), on the same counts.
import type { Knex } from 'knex';
import type { SchemaChange } from '../schemas/catalog';
import type { Destruction, Finding, Unseen } from '../schemas/migrations';
import { destructionsOf, rowsDeleted } from './destroys';
import { applyStatement, relationOfLabel, tableRows, type TableRows } from './row-counts';
import { relationLabel, statementOps, type Relation, type SqlOp } from './sql-facts';

/** A migration as the review sees it: statements in order (with what the live database answered, when it ran there) and its effect from the shadow. */
export type ReviewMigration = {
  name: string;
  statements: { sql: string; results: { command: string | null; rows: number | null }[] | null }[];
  effects: SchemaChange[] | null;
  /** Why its effect is unknown (it ran nowhere), for "what will be destroyed". */
  unseen: string | null;
};

type Rule = Omit<Finding, 'migration' | 'statement'>;
const fmt = (n: number) => n.toLocaleString('en-US');

function size(rows: TableRows | undefined): string {
  if (!rows?.exists) return 'a new table';
  if (rows.rows === null) return 'rows not known';
  const count = `${rows.estimated ? '~' : ''}${fmt(rows.rows)} rows`;
  return rows.createdInBatch ? `${count}, filled earlier in this batch` : count;
}

function findingsFor(op: SqlOp, rows: TableRows | undefined, droppedFirst: ReadonlySet<string>): Rule[] {
  const has = !!rows?.exists && rows.rows !== null && rows.rows > 0;
  // A table this batch created has no readers or writers yet: locking it costs nothing.
  const live = has && !rows!.createdInBatch;
  switch (op.op) {
    case 'create_index': {
      const out: Rule[] = [];
      const name = op.index ?? '';
      if (!op.concurrent && live) {
        out.push({
          rule: 'index-without-concurrently',
          message: `CREATE INDEX ${name} on ${relationLabel(op.relation)} (${size(rows)}) without CONCURRENTLY`,
          why: 'Building the index blocks every write to the table until it finishes.',
          safer: 'CREATE INDEX CONCURRENTLY, in a migration of its own with `export const config = { transaction: false }`.',
        });
      }
      if (op.concurrent && !(op.index && droppedFirst.has(op.index))) {
        out.push({
          rule: 'concurrent-index-retry',
          message: `CREATE INDEX CONCURRENTLY ${name} on ${relationLabel(op.relation)} does not first drop a leftover of a failed build`,
          why: 'A concurrent build that fails (a deadlock, a timeout, a duplicate in a unique index) leaves an INVALID index behind and knex does not record the migration, so running it again fails with "already exists"; IF NOT EXISTS would keep the invalid index silently.',
          safer: `Start the migration with DROP INDEX CONCURRENTLY IF EXISTS ${name || '<name>'}, and check pg_index.indisvalid after the build.`,
        });
      }
      if (op.method === 'ivfflat' && op.lists !== null && rows?.rows !== null && (rows?.rows ?? 0) < op.lists) {
        out.push({
          rule: 'ivfflat-little-data',
          message: `ivfflat index ${name} with lists = ${fmt(op.lists)} on ${relationLabel(op.relation)}, which has ${size(rows)}`,
          why: 'ivfflat picks its list centres from the rows present when it is built; on fewer rows than lists, recall stays low after the table fills.',
          safer: 'Create the index after loading data (lists ≈ rows / 1000), or use hnsw, which needs no training data.',
        });
      }
      return out;
    }
    case 'alter_column_type':
      return live
        ? [
            {
              rule: 'column-type-change',
              message: `${relationLabel(op.relation)}.${op.column} changes type to ${op.type} (${size(rows)})`,
              why: 'Changing a column type rewrites the whole table under an ACCESS EXCLUSIVE lock; reads and writes wait.',
              safer: 'Add a new column of the new type, backfill it in batches, switch readers over, then drop the old column.',
            },
          ]
        : [];
    case 'add_column':
      return op.notNull && !op.hasDefault && has
        ? [
            {
              rule: 'not-null-without-default',
              message: `${relationLabel(op.relation)}.${op.column} is added NOT NULL without a default (${size(rows)})`,
              why: 'Existing rows have no value for it, so the migration fails on a table with rows.',
              safer: 'Add the column nullable (or with a default), backfill, then SET NOT NULL after a CHECK (... IS NOT NULL) NOT VALID is validated.',
            },
          ]
        : [];
    case 'drop_table':
      return [
        {
          rule: 'drop-table',
          message: `DROP TABLE ${relationLabel(op.relation)} (${size(rows)})`,
          why: 'The table and every row in it are gone; only a backup brings them back.',
          safer: 'Take a backup first, or rename the table and drop it in a later release.',
        },
      ];
    case 'drop_column':
      return [
        {
          rule: 'drop-column',
          message: `DROP COLUMN ${relationLabel(op.relation)}.${op.column} (${size(rows)})`,
          why: 'The column\u2019s data is gone, and code still reading it fails.',
          safer: 'Stop reading the column in a release first; back it up if the data matters.',
        },
      ];
    case 'drop_extension':
      return [
        {
          rule: 'drop-extension',
          message: `DROP EXTENSION ${op.name}`,
          why:
            op.name === 'vector'
              ? 'Every vector, halfvec and sparsevec column and every ANN index depends on it: the drop fails, or with CASCADE destroys them.'
              : 'Objects that depend on the extension fail or are destroyed.',
          safer: 'Drop the tables and columns that use it first, on purpose, or keep the extension.',
        },
      ];
    default:
      return [];
  }
}

export type Reviewed = { findings: Finding[]; destroys: Destruction[]; unseen: Unseen[] };

/** Reviews a plan's migrations in the order they run. */
export async function review(knex: Knex, migrations: ReviewMigration[], options: { exact?: boolean } = {}): Promise<Reviewed> {
  const parsed = await Promise.all(
    migrations.map(async (m) => ({ ...m, statements: await Promise.all(m.statements.map(async (s) => ({ ...s, ops: await statementOps(s.sql) }))) })),
  );
  const relations: Relation[] = [];
  for (const m of parsed) {
    for (const s of m.statements) for (const op of s.ops.flat()) if ('relation' in op && op.op !== 'drop_index') relations.push(op.relation);
    for (const c of m.effects ?? []) {
      if (c.kind === 'table' || c.kind === 'materialized view') relations.push(relationOfLabel(c.name));
      if (c.table) relations.push(relationOfLabel(c.table));
    }
  }
  const rows = await tableRows(knex, relations, options);
  const findings: Finding[] = [];
  const destroys: Destruction[] = [];
  const unseen: Unseen[] = [];
  for (const m of parsed) {
    if (m.unseen) unseen.push({ migration: m.name, reason: m.unseen });
    destroys.push(...destructionsOf(m.name, m.effects, m.effects ? [] : m.statements.flatMap((s) => s.ops.flat()), rows));
    const droppedFirst = new Set<string>();
    for (const s of m.statements) {
      s.ops.forEach((ops, i) => {
        for (const op of ops) {
          const r = 'relation' in op ? rows.get(relationLabel(op.relation)) : undefined;
          for (const f of findingsFor(op, r, droppedFirst)) findings.push({ ...f, migration: m.name, statement: s.sql });
          if (op.op === 'drop_index' && op.ifExists) droppedFirst.add(op.relation.name);
        }
        const touched = s.results ? (s.results[i]?.rows ?? null) : null;
        destroys.push(...rowsDeleted(m.name, ops, touched, rows));
        applyStatement(rows, ops, touched, m.name);
      });
    }
    // What the statements do not say (a CASCADE, an extension's drop) the shadow's effect does.
    for (const c of m.effects ?? []) {
      if (c.kind === 'table' && c.change === 'removed') rows.set(c.name, { exists: false, rows: 0, estimated: false, createdInBatch: false, note: null });
    }
  }
  return { findings, destroys, unseen };
}
