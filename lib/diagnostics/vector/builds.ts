import 'server-only';
// CREATE INDEX and REINDEX runs in progress in this database, with their phase and how far along.
import type { Knex } from 'knex';
import type { IndexBuild, ReindexResult } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import type { PastRebuild } from './ann-rules';
import { num, rows } from '../read-only';

type Row = {
  pid: number;
  schema: string | null;
  table: string | null;
  index_schema: string | null;
  index: string | null;
  command: string;
  phase: string;
  tuples_done: string;
  tuples_total: string;
  blocks_done: string;
  blocks_total: string;
  started: Date | null;
};

export function percentOf(r: { tuplesDone: number; tuplesTotal: number; blocksDone: number; blocksTotal: number }): number | null {
  if (r.tuplesTotal > 0) return Math.min(100, (100 * r.tuplesDone) / r.tuplesTotal);
  if (r.blocksTotal > 0) return Math.min(100, (100 * r.blocksDone) / r.blocksTotal);
  return null;
}

export async function readBuilds(knex: Knex | Knex.Transaction, pid?: number): Promise<IndexBuild[]> {
  const found = await rows<Row>(
    knex.raw(
      `SELECT p.pid, tn.nspname AS schema, t.relname AS table, iname.nspname AS index_schema, i.relname AS index,
              p.command, p.phase, p.tuples_done, p.tuples_total, p.blocks_done, p.blocks_total,
              a.query_start AS started
         FROM pg_stat_progress_create_index p
         LEFT JOIN pg_class t ON t.oid = p.relid
         LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
         LEFT JOIN pg_class i ON i.oid = p.index_relid
         LEFT JOIN pg_namespace iname ON iname.oid = i.relnamespace
         LEFT JOIN pg_stat_activity a ON a.pid = p.pid
        WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND (?::int IS NULL OR p.pid = ?::int)
        ORDER BY p.pid`,
      [pid ?? null, pid ?? null],
    ),
  );
  return found.map((r) => {
    const counts = { tuplesDone: num(r.tuples_done), tuplesTotal: num(r.tuples_total), blocksDone: num(r.blocks_done), blocksTotal: num(r.blocks_total) };
    return {
      pid: r.pid,
      table: r.schema && r.table ? qualified(r.schema, r.table) : 'unknown',
      index: r.index_schema && r.index ? qualified(r.index_schema, r.index) : '(not created yet)',
      command: r.command,
      phase: r.phase,
      percent: percentOf(counts),
      ...counts,
      startedAt: r.started ? new Date(r.started).toISOString() : null,
    };
  });
}

/**
 * The rebuilds this database's dashboards finished (strata.jobs), newest first: how long each
 * took and at what size, for the rebuild estimate. A result from before the method was recorded
 * takes it from the index of that name, if it is still there.
 */
export async function readPastRebuilds(trx: Knex.Transaction, methodOf: (label: string) => 'ivfflat' | 'hnsw' | undefined, limit = 50): Promise<PastRebuild[]> {
  const [kept] = await rows<{ jobs: string | null }>(trx.raw(`SELECT to_regclass('strata.jobs')::text AS jobs`));
  if (!kept?.jobs) return [];
  const found = await rows<{ result: ReindexResult; finished_at: Date }>(
    trx.raw(
      `SELECT result, finished_at FROM strata.jobs
        WHERE kind = 'reindex' AND status = 'done' AND result IS NOT NULL
        ORDER BY finished_at DESC LIMIT ?`,
      [limit],
    ),
  );
  return found.flatMap((r): PastRebuild[] => {
    const method = r.result.method ?? methodOf(r.result.index);
    const sizeBytes = r.result.sizeAfterBytes ?? r.result.sizeBeforeBytes;
    if (!method || !(sizeBytes > 0) || !(r.result.ms > 0)) return [];
    return [{ method, sizeBytes, ms: r.result.ms, at: new Date(r.finished_at).toISOString() }];
  });
}
