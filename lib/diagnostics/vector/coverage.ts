import 'server-only';
// Embedding coverage from bounded samples: content rows without a vector row, and vectors older
// than the content they embed. The exact counts are a background job (exact-counts.ts).
import type { Knex } from 'knex';
import type { CoveragePair, Estimate } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { num, rows } from '../read-only';
import { findPairs, type Pair } from './coverage-pairs';
import { coveredWhole, sampleOf, scaled } from './sample';

const COVERAGE_SAMPLE_ROWS = 2000;

type Counted = { n: number; hits: number; examples: string[] | null };

async function sampledMissing(trx: Knex.Transaction, p: Pair): Promise<Counted & { whole: boolean }> {
  const s = sampleOf(p.c_schema, p.c_table, [p.c_key], p.c_rows, COVERAGE_SAMPLE_ROWS);
  const test = 'NOT EXISTS (SELECT 1 FROM ??.?? v WHERE v.?? = s.??)';
  const tb = [p.v_schema, p.v_table, p.v_key, p.c_key];
  const [r] = await rows<Counted>(
    trx.raw(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE ${test})::int AS hits,
              (array_agg(s.??::text ORDER BY s.??) FILTER (WHERE ${test}))[1:5] AS examples
         FROM (${s.sql}) s`,
      [...tb, p.c_key, p.c_key, ...tb, ...s.bindings],
    ),
  );
  return { n: num(r?.n), hits: num(r?.hits), examples: r?.examples ?? [], whole: coveredWhole(s, num(r?.n)) };
}

async function sampledStale(trx: Knex.Transaction, p: Pair): Promise<Counted & { whole: boolean }> {
  const s = sampleOf(p.v_schema, p.v_table, [p.v_key, 'updated_at'], p.v_rows, COVERAGE_SAMPLE_ROWS);
  const [r] = await rows<Counted>(
    trx.raw(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE c.updated_at > s.updated_at)::int AS hits,
              (array_agg(s.??::text ORDER BY s.??) FILTER (WHERE c.updated_at > s.updated_at))[1:5] AS examples
         FROM (${s.sql}) s JOIN ??.?? c ON c.?? = s.??`,
      [p.v_key, p.v_key, ...s.bindings, p.c_schema, p.c_table, p.c_key, p.v_key],
    ),
  );
  // Rows whose content is gone do not join; the sample's size is what was read.
  return { n: num(r?.n), hits: num(r?.hits), examples: r?.examples ?? [], whole: s.kind !== 'system' && num(r?.n) <= s.cap };
}

function rowsEstimate(whole: boolean, n: number, reltuples: number): Estimate | null {
  if (whole) return { value: n, method: 'exact' };
  return reltuples >= 0 ? { value: Math.round(reltuples), method: 'statistics' } : null;
}

export async function readCoverage(trx: Knex.Transaction, vectorSchema: string): Promise<CoveragePair[]> {
  const out: CoveragePair[] = [];
  for (const p of await findPairs(trx, vectorSchema)) {
    const notes: string[] = [];
    let missing: CoveragePair['missing'] = null;
    let contentRows = p.c_rows >= 0 ? ({ value: Math.round(p.c_rows), method: 'statistics' } as Estimate) : null;
    if (p.key_indexed) {
      const m = await sampledMissing(trx, p);
      contentRows = rowsEstimate(m.whole, m.n, p.c_rows);
      missing = { ...scaled(m.hits, m.n, m.whole, contentRows?.value ?? 0), examples: m.examples ?? [] };
    } else {
      notes.push(`No index on ${qualified(p.v_schema, p.v_table)}.${p.v_key}, so missing vectors are not sampled here; ask for an exact count.`);
    }
    let stale: CoveragePair['stale'] = null;
    let vectorRows = p.v_rows >= 0 ? ({ value: Math.round(p.v_rows), method: 'statistics' } as Estimate) : null;
    if (p.v_updated && p.c_updated) {
      const s = await sampledStale(trx, p);
      if (s.whole) vectorRows = { value: s.n, method: 'exact' };
      stale = { ...scaled(s.hits, s.n, s.whole, vectorRows?.value ?? 0), examples: s.examples ?? [] };
    } else {
      notes.push('Both tables need an updated_at column to find vectors older than their content.');
    }
    out.push({
      content: { schema: p.c_schema, table: p.c_table, key: p.c_key },
      vectors: { schema: p.v_schema, table: p.v_table, column: p.v_key },
      contentRows,
      vectorRows,
      missing,
      stale,
      note: notes.length ? notes.join(' ') : null,
    });
  }
  return out;
}
