import 'server-only';
// Exact counts, as a background job the user asks for: rows, NULLs and zero vectors of every
// vector column, content without vectors, and vectors older than their content. Each table is
// read in block ranges (TID range scans, PostgreSQL 14 and later), each range in its own short
// read-only transaction, so progress can be shown and no snapshot is held for long.
import type { Knex } from 'knex';
import { ApiError } from '../../api/errors';
import type { Db } from '../../db/knex';
import { MAX_RUNNING_JOBS, runningCount, runningJob, startJob } from '../../jobs/registry';
import type { ExactCountsResult, JobView, QualifiedName } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { num, readOnly, rows } from '../read-only';
import { findVectorColumns } from './columns';
import { findPairs, type Pair } from './coverage-pairs';
import { readExtension } from './extension';
import { readable, zeroTest } from './sample';

const CHUNK_TIMEOUT_MS = 60_000;
const CHUNKS_PER_TABLE = 50;

type Counts = Record<string, number | string[] | null>;
type Scan = {
  label: string;
  schema: string;
  table: string;
  blocks: number;
  /** SELECT list and FROM clause over the table aliased `t`, and the bindings before the range's. */
  sql: string;
  bindings: Knex.RawBinding[];
  add(c: Counts): void;
};

type Columns = ExactCountsResult['columns'];
type Coverage = ExactCountsResult['coverage'][number];

function merge(a: string[], b: string[] | null): string[] {
  return [...a, ...(b ?? [])].sort((x, y) => x.localeCompare(y, 'en', { numeric: true })).slice(0, 5);
}

function columnScan(cols: Awaited<ReturnType<typeof findVectorColumns>>, out: Columns): Omit<Scan, 'blocks'> {
  const { schema, table } = cols[0]!;
  const entries = cols.map((c) => ({ schema, table, column: c.column, rows: 0, nulls: 0, zeros: 0 }));
  out.push(...entries);
  const parts = ['count(*)::bigint AS n'];
  const bindings: Knex.RawBinding[] = [];
  cols.forEach((c, i) => {
    parts.push(`count(*) FILTER (WHERE t.?? IS NULL)::bigint AS nulls_${i}`, `count(*) FILTER (WHERE ${zeroTest(c.type).replace('??', 't.??')})::bigint AS zeros_${i}`);
    bindings.push(c.column, c.column);
  });
  return {
    label: `${qualified(schema, table)}: NULLs and zero vectors`,
    schema,
    table,
    sql: `SELECT ${parts.join(', ')} FROM ??.?? t`,
    bindings: [...bindings, schema, table],
    add(c) {
      entries.forEach((e, i) => {
        e.rows += num(c.n);
        e.nulls += num(c[`nulls_${i}`]);
        e.zeros += num(c[`zeros_${i}`]);
      });
    },
  };
}

function coverageScans(p: Pair, entry: Coverage): Omit<Scan, 'blocks'>[] {
  const missing = 'NOT EXISTS (SELECT 1 FROM ??.?? v WHERE v.?? = t.??)';
  const mb = [p.v_schema, p.v_table, p.v_key, p.c_key];
  const scans: Omit<Scan, 'blocks'>[] = [
    {
      label: `${qualified(p.c_schema, p.c_table)}: rows without a vector`,
      schema: p.c_schema,
      table: p.c_table,
      sql: `SELECT count(*)::bigint AS n, count(*) FILTER (WHERE ${missing})::bigint AS hits,
                   (array_agg(t.??::text ORDER BY t.??) FILTER (WHERE ${missing}))[1:5] AS examples FROM ??.?? t`,
      bindings: [...mb, p.c_key, p.c_key, ...mb, p.c_schema, p.c_table],
      add(c) {
        entry.contentRows += num(c.n);
        entry.missing += num(c.hits);
        entry.missingExamples = merge(entry.missingExamples, c.examples as string[] | null);
      },
    },
  ];
  if (p.v_updated && p.c_updated) {
    entry.stale = 0;
    scans.push({
      label: `${qualified(p.v_schema, p.v_table)}: vectors older than their content`,
      schema: p.v_schema,
      table: p.v_table,
      sql: `SELECT count(*)::bigint AS n, count(*) FILTER (WHERE c.updated_at > t.updated_at)::bigint AS hits,
                   (array_agg(t.??::text ORDER BY t.??) FILTER (WHERE c.updated_at > t.updated_at))[1:5] AS examples
              FROM ??.?? t LEFT JOIN ??.?? c ON c.?? = t.??`,
      bindings: [p.v_key, p.v_key, p.v_schema, p.v_table, p.c_schema, p.c_table, p.c_key, p.v_key],
      add(c) {
        entry.vectorRows += num(c.n);
        entry.stale = (entry.stale ?? 0) + num(c.hits);
        entry.staleExamples = merge(entry.staleExamples, c.examples as string[] | null);
      },
    });
  }
  return scans;
}

async function plan(db: Db, scope: QualifiedName | undefined): Promise<{ scans: Scan[]; result: ExactCountsResult; ranges: boolean; vectorSchema: string }> {
  return readOnly(db.knex, 10_000, async (trx) => {
    const ext = await readExtension(trx);
    // Without pgvector there is nothing to count: the job ends at once with empty lists.
    if (!ext.schema) return { scans: [], result: { columns: [], coverage: [] }, ranges: false, vectorSchema: '' };
    const inScope = (schema: string, table: string) => !scope || (scope.schema === schema && scope.name === table);
    const result: ExactCountsResult = { columns: [], coverage: [] };
    const partial: Omit<Scan, 'blocks'>[] = [];
    const byTable = new Map<string, Awaited<ReturnType<typeof findVectorColumns>>>();
    for (const c of await findVectorColumns(trx, ext.schema)) {
      if (!readable(c.schema, c.table, c.column) || !inScope(c.schema, c.table)) continue;
      const key = `${c.schema}\u0000${c.table}`;
      byTable.set(key, [...(byTable.get(key) ?? []), c]);
    }
    for (const cols of byTable.values()) partial.push(columnScan(cols, result.columns));
    for (const p of await findPairs(trx, ext.schema)) {
      if (!inScope(p.c_schema, p.c_table) && !inScope(p.v_schema, p.v_table)) continue;
      const entry: Coverage = {
        content: qualified(p.c_schema, p.c_table),
        vectors: qualified(p.v_schema, p.v_table),
        contentRows: 0,
        missing: 0,
        missingExamples: [],
        vectorRows: 0,
        stale: null,
        staleExamples: [],
      };
      result.coverage.push(entry);
      partial.push(...coverageScans(p, entry));
    }
    const [v] = await rows<{ n: number; block: number }>(
      trx.raw("SELECT current_setting('server_version_num')::int AS n, current_setting('block_size')::int AS block"),
    );
    const scans: Scan[] = [];
    for (const s of partial) {
      const [r] = await rows<{ bytes: string }>(trx.raw("SELECT pg_relation_size(format('%I.%I', ?::text, ?::text)::regclass) AS bytes", [s.schema, s.table]));
      scans.push({ ...s, blocks: Math.ceil(num(r?.bytes) / (v?.block ?? 8192)) });
    }
    return { scans, result, ranges: (v?.n ?? 0) >= 140000, vectorSchema: ext.schema };
  });
}

export async function startExactCounts(db: Db, scope: QualifiedName | undefined, startedBy: string): Promise<{ job: JobView; existing: boolean }> {
  const key = scope ? qualified(scope.schema, scope.name) : '*';
  const running = await runningJob(db, 'exact-counts', key);
  if (running) return { job: running, existing: true };
  if (runningCount() >= MAX_RUNNING_JOBS) throw new ApiError('conflict', 'Other jobs are running; try again when one has finished');
  const { scans, result, ranges, vectorSchema } = await plan(db, scope);
  const job = await startJob(db, { kind: 'exact-counts', key, subject: scope ? key : 'all vector tables', startedBy }, async (ctx) => {
    const total = Math.max(1, scans.reduce((a, s) => a + Math.max(1, s.blocks), 0));
    let done = 0;
    for (const s of scans) {
      const step = ranges ? Math.max(1, Math.ceil(s.blocks / CHUNKS_PER_TABLE)) : Math.max(1, s.blocks);
      for (let from = 0; from === 0 || from < s.blocks; from += step) {
        const last = from + step >= s.blocks;
        ctx.progress(done, total, `${s.label}: block ${from.toLocaleString('en-US')} of ${s.blocks.toLocaleString('en-US')}`);
        // The last range is open-ended: rows added since the plan was made are counted too.
        const range = !ranges ? '' : last ? ' WHERE t.ctid >= ?::tid' : ' WHERE t.ctid >= ?::tid AND t.ctid < ?::tid';
        const rb = !ranges ? [] : last ? [`(${from},0)`] : [`(${from},0)`, `(${from + step},0)`];
        const [c] = await readOnly(db.knex, CHUNK_TIMEOUT_MS, (trx) => rows<Counts>(trx.raw(s.sql + range, [...s.bindings, ...rb])), { vectorSchema: vectorSchema || null });
        if (c) s.add(c);
        done += Math.min(step, Math.max(1, s.blocks - from));
        ctx.partial(structuredClone(result));
      }
    }
    return result;
  });
  return { job, existing: false };
}
