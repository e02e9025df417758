import 'server-only';
// Run records (strata.migration_runs): the process running a run keeps it in memory and answers
// from there while it runs (the embedded database's only connection may be busy with the run);
// the database row is what other processes and later starts read.
import os from 'node:os';
import type { Knex } from 'knex';
import { databaseKeyOf } from '../db/database-key';
import { busyError, embeddedBusy } from '../db/embedded-busy';
import type { DbTarget } from '../db/target';
import type { BackupEvidence } from '../schemas/targets';
import type { IndexProgress, MigrationOutcome, RunAftermath, RunDetail, RunMigration, RunPromotion, RunSummary } from '../schemas/migrations';
import { lockHolder } from './lock';

export const RUNS = 'strata.migration_runs';

export type RunRow = {
  id: string;
  kind: RunSummary['kind'];
  status: RunSummary['status'];
  migrations_table: string;
  actor_type: string;
  actor_label: string;
  role: string | null;
  request_id: string | null;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  batch: number | null;
  atomic: boolean | null;
  expected: unknown;
  migrations: unknown[];
  current_migration: string | null;
  error: RunSummary['error'];
  backend_pid: number | null;
  session_tag: string | null;
  undoes_run: string | null;
  aftermath: RunAftermath | null;
  statements: Record<string, string[]> | null;
  target_database: string;
  target_name: string | null;
  promotion: RunPromotion | null;
  backup: BackupEvidence | null;
  approval: RunSummary['approval'];
  host: string;
  pid: number;
};

export type LiveRun = {
  summary: RunSummary;
  /** The database it runs on (lib/db/database-key.ts): it is this process's run there only. */
  database: string;
  table: string;
  tag: string | null;
  /** The SQL captured so far, by migration. */
  statements: Map<string, string[]>;
};

// A run record keeps at most this much SQL per migration: a backfill can run thousands of statements.
const MAX_STATEMENTS = 200;
const MAX_STATEMENT_CHARS = 20_000;

/** The captured SQL as a run record keeps it. */
export function keptStatements(captured: Map<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, list] of captured) {
    const kept = list.slice(0, MAX_STATEMENTS).map((q) => (q.length > MAX_STATEMENT_CHARS ? `${q.slice(0, MAX_STATEMENT_CHARS)} /* … ${q.length - MAX_STATEMENT_CHARS} more characters */` : q));
    if (list.length > MAX_STATEMENTS) kept.push(`/* … and ${list.length - MAX_STATEMENTS} more statements */`);
    out[name] = kept;
  }
  return out;
}

/** Runs going on in this process, by id, on whichever database. Their rows say 'running' legitimately. */
export const liveRuns: Map<string, LiveRun> = ((globalThis as Record<string, unknown>).__strataLiveRuns ??= new Map<string, LiveRun>()) as Map<string, LiveRun>;

export const THIS_PROCESS = { host: os.hostname(), pid: process.pid };

const LEGACY_STATUS: Record<string, MigrationOutcome> = { done: 'committed', failed: 'rolled_back', running: 'not_started' };

/** Entries as stored; rows written before outcomes were recorded are read in today's terms. */
function entryOf(raw: unknown): RunMigration {
  const e = raw as Partial<RunMigration> & { status?: string };
  // Entries written before outcomes were recorded have no `transaction`.
  const legacy = e.transaction === undefined;
  return {
    name: e.name ?? '?',
    transaction: e.transaction ?? true,
    status: ((legacy ? LEGACY_STATUS[e.status ?? ''] : undefined) ?? e.status ?? 'not_started') as MigrationOutcome,
    startedAt: e.startedAt ?? null,
    finishedAt: e.finishedAt ?? null,
    ms: e.ms ?? null,
    backendPid: e.backendPid ?? null,
  };
}

export function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    actorLabel: r.actor_label,
    role: r.role,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    durationMs: r.duration_ms,
    batch: r.batch,
    atomic: r.atomic,
    expected: r.expected,
    migrations: (r.migrations ?? []).map(entryOf),
    currentMigration: r.current_migration,
    error: r.error,
    undoesRun: r.undoes_run,
    aftermath: r.aftermath,
    outcomeKnown: r.status !== 'running',
    target: r.target_name ?? null,
    promotion: r.promotion ?? null,
    backup: r.backup ?? null,
    approval: r.approval ?? null,
  };
}

/** A copy of a live run's state, so that a caller never sees it change under it. */
function snapshot(live: LiveRun): RunSummary {
  return structuredClone(live.summary);
}

export async function listRuns(knex: Knex, table: string, q: { limit: number; before?: string }): Promise<{ runs: RunSummary[]; nextBefore: string | null }> {
  const query = knex(RUNS).where({ migrations_table: table }).orderBy('started_at', 'desc').limit(q.limit + 1);
  if (q.before) query.where('started_at', '<', q.before);
  const rows = (await query) as RunRow[];
  const page = rows.slice(0, q.limit).map((r) => {
    const live = liveRuns.get(r.id);
    return live ? snapshot(live) : toSummary(r);
  });
  return { runs: page, nextBefore: rows.length > q.limit ? page[page.length - 1]!.startedAt : null };
}

/** pgvector and btree index builds report their progress in pg_stat_progress_create_index. */
async function indexProgress(knex: Knex, tag: string): Promise<IndexProgress | null> {
  const { rows } = await knex.raw<{ rows: { phase: string; relation: string | null; blocks_done: string; blocks_total: string; tuples_done: string; tuples_total: string }[] }>(
    `SELECT p.phase, p.relid::regclass::text AS relation, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total
       FROM pg_stat_progress_create_index p JOIN pg_stat_activity a ON a.pid = p.pid
      WHERE a.application_name = ?
      LIMIT 1`,
    [tag],
  );
  const p = rows[0];
  if (!p) return null;
  const num = (v: string) => (v === null || v === undefined ? null : Number(v));
  const [done, total] = Number(p.blocks_total) > 0 ? [Number(p.blocks_done), Number(p.blocks_total)] : [Number(p.tuples_done), Number(p.tuples_total)];
  return {
    phase: p.phase,
    relation: p.relation,
    percent: total > 0 ? Math.min(100, Math.round((done / total) * 1000) / 10) : null,
    blocksDone: num(p.blocks_done),
    blocksTotal: num(p.blocks_total),
    tuplesDone: num(p.tuples_done),
    tuplesTotal: num(p.tuples_total),
  };
}

/** This process's run `id` on the database of `knex`, from memory. */
function liveOn(knex: Knex, id: string): LiveRun | null {
  const live = liveRuns.get(id);
  return live && live.database === databaseKeyOf(knex) ? live : null;
}

export async function getRun(knex: Knex, id: string): Promise<RunDetail | null> {
  const live = liveOn(knex, id);
  if (live) {
    const progress = live.tag ? await indexProgress(knex, live.tag).catch(() => null) : null;
    return { ...snapshot(live), progress, statements: keptStatements(live.statements) };
  }
  const row = (await knex(RUNS).where({ id }).first()) as RunRow | undefined;
  if (!row) return null;
  const progress = row.status === 'running' && row.session_tag ? await indexProgress(knex, row.session_tag).catch(() => null) : null;
  return { ...toSummary(row), progress, statements: row.statements };
}

/**
 * A run for the API: from memory while this process runs it; otherwise its record, unless the
 * embedded database is busy (then 503 at once rather than a wait behind the run).
 */
export async function readRun(db: { knex: Knex; target: DbTarget }, id: string): Promise<RunDetail | null> {
  const busy = liveOn(db.knex, id) ? null : embeddedBusy(db.target);
  if (busy) throw busyError(busy);
  return getRun(db.knex, id);
}

/** The run of `table` going on in this process on the database of `knex`, from memory. */
export function liveRun(knex: Knex, table: string): RunSummary | null {
  const database = databaseKeyOf(knex);
  for (const live of liveRuns.values()) if (live.database === database && live.table === table && live.summary.status === 'running') return snapshot(live);
  return null;
}

/** The run holding the run lock for `table` now, if any: from this process's memory, or its record. */
export async function runningRun(knex: Knex, table: string): Promise<RunSummary | null> {
  const here = liveRun(knex, table);
  if (here) return here;
  const holder = await lockHolder(knex, table);
  if (!holder?.runId) return null;
  // The holder writes its record right after it takes the lock; give it a moment.
  for (let i = 0; i < 10; i++) {
    const row = (await knex(RUNS).where({ id: holder.runId }).first()) as RunRow | undefined;
    if (row) return toSummary(row);
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}
