import 'server-only';
// The plan's safety review: unsafe operations in the SQL a migration would run, each with why it
// matters and the safer form (after Squawk's rules and strong_migrations), and what a rollback
// would destroy. Findings warn; the operator decides.
import type { Knex } from 'knex';
import type { Destruction, Finding } from '../schemas/migrations';
import { relationLabel, sqlOps, type Relation, type SqlOp } from './sql-facts';

export type TableRows = { exists: boolean; rows: number; estimated: boolean };

// Below this estimate a table is counted exactly (bounded by the statement timeout).
const EXACT_COUNT_BELOW = 1_000_000;

/** Row counts of the tables the plan touches, as they are now (outside the dry run). */
export async function tableRows(knex: Knex, relations: Relation[]): Promise<Map<string, TableRows>> {
  const out = new Map<string, TableRows>();
  await knex.transaction(
    async (trx) => {
      await trx.raw(`SET LOCAL statement_timeout = '5s'`);
      for (const r of relations) {
        const key = relationLabel(r);
        if (out.has(key)) continue;
        const quoted = [r.schema, r.name].filter((p): p is string => p !== null).map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
        const found = await trx.raw<{ rows: { est: string }[] }>(
          `SELECT c.reltuples::bigint AS est FROM pg_class c WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p', 'm')`,
          [quoted],
        );
        if (!found.rows.length) {
          out.set(key, { exists: false, rows: 0, estimated: false });
          continue;
        }
        const est = Number(found.rows[0]!.est);
        if (est >= EXACT_COUNT_BELOW) {
          out.set(key, { exists: true, rows: est, estimated: true });
          continue;
        }
        const counted = await trx.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM ??', [key]);
        out.set(key, { exists: true, rows: Number(counted.rows[0]!.n), estimated: false });
      }
    },
    { readOnly: true },
  );
  return out;
}

function relationsOf(ops: SqlOp[]): Relation[] {
  return ops.flatMap((o) => ('relation' in o && o.op !== 'drop_index' ? [o.relation] : []));
}

const fmt = (n: number) => n.toLocaleString('en-US');

function findingsFor(op: SqlOp, rows: TableRows | undefined): Omit<Finding, 'migration' | 'statement'>[] {
  const has = rows?.exists && rows.rows > 0;
  const size = rows?.exists ? `${rows.estimated ? '~' : ''}${fmt(rows.rows)} rows` : 'a new table';
  switch (op.op) {
    case 'create_index': {
      const out: Omit<Finding, 'migration' | 'statement'>[] = [];
      if (!op.concurrent && has) {
        out.push({
          rule: 'index-without-concurrently',
          message: `CREATE INDEX ${op.index ?? ''} on ${relationLabel(op.relation)} (${size}) without CONCURRENTLY`,
          why: 'Building the index blocks every write to the table until it finishes.',
          safer: 'CREATE INDEX CONCURRENTLY, in a migration of its own with `export const config = { transaction: false }`.',
        });
      }
      if (op.method === 'ivfflat' && op.lists !== null && (rows?.rows ?? 0) < op.lists) {
        out.push({
          rule: 'ivfflat-little-data',
          message: `ivfflat index ${op.index ?? ''} with lists = ${fmt(op.lists)} on ${relationLabel(op.relation)}, which has ${size}`,
          why: 'ivfflat picks its list centres from the rows present when it is built; on fewer rows than lists, recall stays low after the table fills.',
          safer: 'Create the index after loading data (lists ≈ rows / 1000), or use hnsw, which needs no training data.',
        });
      }
      return out;
    }
    case 'alter_column_type':
      return has
        ? [
            {
              rule: 'column-type-change',
              message: `${relationLabel(op.relation)}.${op.column} changes type to ${op.type} (${size})`,
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
              message: `${relationLabel(op.relation)}.${op.column} is added NOT NULL without a default (${size})`,
              why: 'Existing rows have no value for it, so the migration fails on a table with rows.',
              safer: 'Add the column nullable (or with a default), backfill, then SET NOT NULL after a CHECK (... IS NOT NULL) NOT VALID is validated.',
            },
          ]
        : [];
    case 'drop_table':
      return [
        {
          rule: 'drop-table',
          message: `DROP TABLE ${relationLabel(op.relation)} (${size})`,
          why: 'The table and every row in it are gone; only a backup brings them back.',
          safer: 'Take a backup first, or rename the table and drop it in a later release.',
        },
      ];
    case 'drop_column':
      return [
        {
          rule: 'drop-column',
          message: `DROP COLUMN ${relationLabel(op.relation)}.${op.column} (${size})`,
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

export type Reviewed = { findings: Finding[]; destroys: Destruction[] };

/** Reviews the captured statements of a plan, migration by migration. */
export async function review(knex: Knex, migrations: { name: string; statements: string[] }[]): Promise<Reviewed> {
  const parsed = await Promise.all(
    migrations.map(async (m) => ({ name: m.name, statements: await Promise.all(m.statements.map(async (sql) => ({ sql, ops: await sqlOps(sql) }))) })),
  );
  const rows = await tableRows(knex, parsed.flatMap((m) => m.statements.flatMap((s) => relationsOf(s.ops))));
  const findings: Finding[] = [];
  const destroys: Destruction[] = [];
  for (const m of parsed) {
    for (const s of m.statements) {
      for (const op of s.ops) {
        const r = 'relation' in op ? rows.get(relationLabel(op.relation)) : undefined;
        for (const f of findingsFor(op, r)) findings.push({ ...f, migration: m.name, statement: s.sql });
        if (op.op === 'drop_table') destroys.push({ kind: 'table', name: relationLabel(op.relation), table: null, rows: r?.exists ? r.rows : null, rowsEstimated: !!r?.estimated });
        if (op.op === 'drop_column') destroys.push({ kind: 'column', name: op.column, table: relationLabel(op.relation), rows: r?.exists ? r.rows : null, rowsEstimated: !!r?.estimated });
        if (op.op === 'drop_extension') destroys.push({ kind: 'extension', name: op.name, table: null, rows: null, rowsEstimated: false });
        if (op.op === 'drop_index') destroys.push({ kind: 'index', name: relationLabel(op.relation), table: null, rows: null, rowsEstimated: false });
      }
    }
  }
  return { findings, destroys };
}
