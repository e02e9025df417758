import 'server-only';
// Run records (strata.migration_runs): written as a run goes, read by the page and the history,
// and reconciled at start-up, when a run whose process died is marked interrupted.
import os from 'node:os';
import type { Knex } from 'knex';
import type { IndexProgress, LockState, RunDetail, RunSummary } from '../schemas/migrations';
import { knexLockFlag, runLockFree } from './lock';

type RunRow = {
  id: string;
  kind: RunSummary['kind'];
  status: RunSummary['status'];
  actor_label: string;
  role: string | null;
  started_at: Date;
  finished_at: Date | null;
  batch: number | null;
  expected: unknown;
  migrations: RunSummary['migrations'];
  current_migration: string | null;
  error: RunSummary['error'];
  backend_pid: number | null;
};

export const RUNS = 'strata.migration_runs';

/** Runs going on in this process; their rows say 'running' legitimately. */
export const activeRuns: Set<string> = ((globalThis as Record<string, unknown>).__strataActiveRuns ??= new Set<string>()) as Set<string>;

export const THIS_PROCESS = { host: os.hostname(), pid: process.pid };

export function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    actorLabel: r.actor_label,
    role: r.role,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    batch: r.batch,
    expected: r.expected,
    migrations: r.migrations,
    currentMigration: r.current_migration,
    error: r.error,
  };
}

export async function listRuns(knex: Knex, table: string, q: { limit: number; before?: string }): Promise<{ runs: RunSummary[]; nextBefore: string | null }> {
  const query = knex(RUNS).where({ migrations_table: table }).orderBy('started_at', 'desc').limit(q.limit + 1);
  if (q.before) query.where('started_at', '<', q.before);
  const rows = (await query) as RunRow[];
  const page = rows.slice(0, q.limit).map(toSummary);
  return { runs: page, nextBefore: rows.length > q.limit ? page[page.length - 1]!.startedAt : null };
}

/** pgvector and btree index builds report their progress in pg_stat_progress_create_index. */
async function indexProgress(knex: Knex, backendPid: number): Promise<IndexProgress | null> {
  const { rows } = await knex.raw<{ rows: { phase: string; relation: string | null; blocks_done: string; blocks_total: string; tuples_done: string; tuples_total: string }[] }>(
    `SELECT phase, relid::regclass::text AS relation, blocks_done, blocks_total, tuples_done, tuples_total
       FROM pg_stat_progress_create_index WHERE pid = ?`,
    [backendPid],
  );
  const p = rows[0];
  if (!p) return null;
  const [done, total] = Number(p.blocks_total) > 0 ? [Number(p.blocks_done), Number(p.blocks_total)] : [Number(p.tuples_done), Number(p.tuples_total)];
  return { phase: p.phase, relation: p.relation, percent: total > 0 ? Math.min(100, Math.round((done / total) * 1000) / 10) : null };
}

export async function getRun(knex: Knex, id: string): Promise<RunDetail | null> {
  const row = (await knex(RUNS).where({ id }).first()) as RunRow | undefined;
  if (!row) return null;
  const progress = row.status === 'running' && row.backend_pid ? await indexProgress(knex, row.backend_pid).catch(() => null) : null;
  return { ...toSummary(row), progress };
}

export async function runningRun(knex: Knex, table: string): Promise<RunSummary | null> {
  const row = (await knex(RUNS).where({ migrations_table: table, status: 'running' }).orderBy('started_at', 'desc').first()) as RunRow | undefined;
  return row ? toSummary(row) : null;
}

/**
 * Marks as interrupted every 'running' run that no live session is running: when nobody holds
 * the run lock, a 'running' row belongs to a process that died mid-run.
 */
export async function reconcileRuns(knex: Knex, table: string): Promise<number> {
  const stale = await knex(RUNS).where({ migrations_table: table, status: 'running' }).whereNotIn('id', [...activeRuns]).pluck('id');
  if (!stale.length || !(await runLockFree(knex, table))) return 0;
  return knex(RUNS)
    .whereIn('id', stale)
    .where({ status: 'running' })
    .update({
      status: 'interrupted',
      finished_at: knex.fn.now(),
      error: JSON.stringify({
        message:
          'The dashboard process running this stopped before it finished. A run in one transaction was rolled back by PostgreSQL; check the lock and the migrations below.',
        migration: null,
        statement: null,
      }),
    });
}

export async function lockState(knex: Knex, table: string): Promise<LockState> {
  const [knexLocked, running] = await Promise.all([knexLockFlag(knex, table), runningRun(knex, table)]);
  let explanation: string;
  if (running) explanation = `Held by a ${running.kind === 'rollback' ? 'rollback' : 'run'} through Strata by ${running.actorLabel}, started ${running.startedAt}.`;
  else if (knexLocked)
    explanation = `knex's lock flag in ${table}_lock is set, but no run through Strata holds the database lock: another tool (the knex CLI) is migrating, or a run that could not use a transaction died. knex refuses to migrate until it is cleared; an admin can release it once no session that could hold it is alive.`;
  else explanation = 'Free.';
  return { knexLocked, running, explanation };
}
