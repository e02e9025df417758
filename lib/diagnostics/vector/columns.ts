import 'server-only';
// Vector columns, found from the catalog across schemas: type, declared dimensions, whether an
// ANN index can take them, and NULLs, zero vectors and stored dimensions from the statistics or a
// bounded sample.
import type { Knex } from 'knex';
import { STRATA_SCHEMA } from '../../../db/strata';
import type { Estimate, VectorColumn, VectorType } from '../../schemas/vector-health';
import { num, rows } from '../read-only';
import { coveredWhole, dimsOf, readable, sampleOf, scaled, zeroTest } from './sample';

type CatalogRow = {
  schema: string;
  table: string;
  column: string;
  type: VectorType;
  typmod: number;
  reltuples: number;
  null_frac: number | null;
};

// The most dimensions an ivfflat or HNSW index takes per type (pgvector's README).
const INDEX_LIMIT: Record<VectorType, number | null> = { vector: 2000, halfvec: 4000, bit: 64000, sparsevec: null };

/** Catalog filter shared with the coverage and index queries: the user's schemas only. */
export const USER_SCHEMAS_SQL = `n.nspname NOT IN ('pg_catalog', 'information_schema', ?) AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;
export const USER_SCHEMAS_BINDINGS = [STRATA_SCHEMA];

export async function findVectorColumns(trx: Knex.Transaction, vectorSchema: string | null): Promise<CatalogRow[]> {
  return rows<CatalogRow>(
    trx.raw(
      `SELECT n.nspname AS schema, c.relname AS table, a.attname AS column,
              CASE WHEN t.oid = 'bit'::regtype THEN 'bit' ELSE t.typname END AS type,
              a.atttypmod AS typmod, c.reltuples::float8 AS reltuples, s.null_frac::float8 AS null_frac
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname AND NOT s.inherited
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'm')
          AND ${USER_SCHEMAS_SQL}
          AND ((t.typname IN ('vector', 'halfvec', 'sparsevec') AND t.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)) OR t.oid = 'bit'::regtype)
        ORDER BY n.nspname, c.relname, a.attnum`,
      [...USER_SCHEMAS_BINDINGS, vectorSchema ?? ''],
    ),
  );
}

function display(knex: Knex, sql: string, bindings: Knex.RawBinding[]): string {
  return knex.raw(sql, bindings).toQuery();
}

type SampleCounts = { got: number; whole: boolean; nulls: number[]; zeros: number[]; plannerRows: number | null };

/** The planner's row estimate for a table never analyzed: from its size on disk, at no cost. */
async function plannerRows(trx: Knex.Transaction, schema: string, table: string): Promise<number | null> {
  const [r] = await rows<{ 'QUERY PLAN': [{ Plan?: { 'Plan Rows'?: number } }] }>(trx.raw('EXPLAIN (FORMAT JSON) SELECT 1 FROM ??.??', [schema, table]));
  const n = r?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'];
  return typeof n === 'number' ? n : null;
}

async function sampleTable(trx: Knex.Transaction, cols: CatalogRow[]): Promise<SampleCounts> {
  const first = cols[0]!;
  const s = sampleOf(first.schema, first.table, cols.map((c) => c.column), first.reltuples);
  const parts = ['count(*)::int AS n'];
  const bindings: Knex.RawBinding[] = [];
  cols.forEach((c, i) => {
    parts.push(`count(*) FILTER (WHERE ?? IS NULL)::int AS nulls_${i}`, `count(*) FILTER (WHERE ${zeroTest(c.type)})::int AS zeros_${i}`);
    bindings.push(c.column, c.column);
  });
  const [r] = await rows<Record<string, number>>(trx.raw(`SELECT ${parts.join(', ')} FROM (${s.sql}) s`, [...bindings, ...s.bindings]));
  const got = num(r?.n);
  const whole = coveredWhole(s, got);
  return { got, whole, plannerRows: !whole && first.reltuples < 0 ? await plannerRows(trx, first.schema, first.table) : null, nulls: cols.map((_, i) => num(r?.[`nulls_${i}`])), zeros: cols.map((_, i) => num(r?.[`zeros_${i}`])) };
}

async function storedDimensions(trx: Knex.Transaction, c: CatalogRow): Promise<{ dimensions: number; rows: number }[]> {
  const s = sampleOf(c.schema, c.table, [c.column], c.reltuples);
  const found = await rows<{ d: number; n: number }>(
    trx.raw(`SELECT ${dimsOf(c.type)} AS d, count(*)::int AS n FROM (${s.sql}) s WHERE ?? IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`, [
      c.column,
      ...s.bindings,
      c.column,
    ]),
  );
  return found.map((f) => ({ dimensions: num(f.d), rows: num(f.n) }));
}

function problemsOf(c: VectorColumn, expected: number | null): string[] {
  const out: string[] = [];
  const fmt = (n: number) => n.toLocaleString('en-US');
  if (c.dimensions === null) {
    out.push(`Declared without dimensions (${c.type} instead of ${c.type}(n)): no ANN index can be built on it.`);
    if (c.storedDimensions && c.storedDimensions.length > 1) {
      out.push(`Rows hold vectors of ${c.storedDimensions.length} different dimensions; distances between them fail.`);
    }
  } else if (c.indexLimit !== null && c.dimensions > c.indexLimit) {
    out.push(`${fmt(c.dimensions)} dimensions is more than an ANN index takes for ${c.type} (${fmt(c.indexLimit)}).`);
  }
  if (expected !== null) {
    const declared = c.dimensions !== null ? [c.dimensions] : (c.storedDimensions ?? []).map((d) => d.dimensions);
    const other = declared.filter((d) => d !== expected);
    if (other.length > 0) out.push(`Holds ${other.map(fmt).join(', ')}-dimension vectors; the expected embedding dimension is ${fmt(expected)}.`);
  }
  if (c.zeros && c.zeros.value > 0) {
    out.push('Has zero vectors: their cosine distance to anything is NaN, so a cosine index never returns them.');
  }
  return out;
}

export async function readVectorColumns(trx: Knex.Transaction, vectorSchema: string | null, expected: number | null): Promise<VectorColumn[]> {
  const found = await findVectorColumns(trx, vectorSchema);
  const byTable = new Map<string, CatalogRow[]>();
  for (const c of found) {
    if (!readable(c.schema, c.table, c.column)) continue;
    const key = `${c.schema}\u0000${c.table}`;
    byTable.set(key, [...(byTable.get(key) ?? []), c]);
  }
  const samples = new Map<string, SampleCounts>();
  for (const [key, cols] of byTable) samples.set(key, await sampleTable(trx, cols));

  const out: VectorColumn[] = [];
  for (const c of found) {
    const key = `${c.schema}\u0000${c.table}`;
    const s = samples.get(key);
    const i = byTable.get(key)?.indexOf(c) ?? -1;
    const dimensions = c.typmod > 0 ? c.typmod : null;
    const limit = INDEX_LIMIT[c.type];
    const tableRows: Estimate | null = s?.whole
      ? { value: s.got, method: 'exact' }
      : c.reltuples >= 0
        ? { value: Math.round(c.reltuples), method: 'statistics' }
        : s?.plannerRows != null
          ? { value: Math.round(s.plannerRows), method: 'statistics' }
          : null;
    const total = tableRows?.value ?? 0;
    let nulls: Estimate | null = null;
    let zeros: Estimate | null = null;
    if (s && i >= 0) {
      nulls = !s.whole && c.null_frac !== null ? { value: Math.round(c.null_frac * total), method: 'statistics' } : scaled(s.nulls[i]!, s.got, s.whole, total);
      zeros = scaled(s.zeros[i]!, s.got, s.whole, total);
    }
    const col: VectorColumn = {
      schema: c.schema,
      table: c.table,
      column: c.column,
      type: c.type,
      dimensions,
      indexLimit: limit,
      indexable: dimensions !== null && (limit === null || dimensions <= limit),
      problems: [],
      estimatedRows: tableRows,
      nulls,
      zeros,
      storedDimensions: dimensions === null && s ? await storedDimensions(trx, c) : null,
      dimensionsSql: display(trx, `SELECT ${dimsOf(c.type)} AS dims, count(*) FROM ??.?? GROUP BY 1 ORDER BY 2 DESC, 1;`, [c.column, c.schema, c.table]),
      annIndexes: [],
    };
    col.problems = problemsOf(col, expected);
    out.push(col);
  }
  return out;
}
