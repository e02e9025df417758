import 'server-only';
// Runs whose process stopped, found later (at start-up and whenever the migrations page is read):
// a 'running' record that no live process owns and that does not hold the run lock. Strata
// settles what became of each of its migrations from the database, looks for sessions the run
// left behind and at knex's lock flag, and records all of it with its audit row.
import fs from 'node:fs';
import type { AuditDb } from '../auth/audit';
import type { StrataConfig } from '../config';
import type { RunAftermath, RunError, RunSummary } from '../schemas/migrations';
import { knexLockFlag, lockHolder } from './lock';
import { writeFinishedRun } from './run-record';
import { liveRuns, RUNS, THIS_PROCESS, toSummary, type RunRow } from './runs';
import { settleOutcomes } from './settle';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that its parent has not reaped yet (a zombie) still answers signal 0.
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

function whyStopped(row: RunRow): Pick<RunError, 'cause' | 'message'> {
  const where = `pid ${row.pid} on ${row.host}`;
  if (row.host !== THIS_PROCESS.host) {
    return {
      cause: 'process_stopped',
      message: `The dashboard process running this (${where}) no longer holds the run: it stopped, or its database session ended. Strata cannot tell which from another host.`,
    };
  }
  if (row.pid !== THIS_PROCESS.pid && processAlive(row.pid)) {
    return {
      cause: 'lock_lost',
      message: `The dashboard process running this (${where}) is alive but no longer holds the run's database session (the database restarted, or the connection was cut).`,
    };
  }
  return { cause: 'process_stopped', message: `The dashboard process running this (${where}) stopped before the run finished.` };
}

async function aftermathOf(db: AuditDb, row: RunRow, table: string): Promise<RunAftermath> {
  const sessions = row.session_tag
    ? (
        await db.knex.raw<{ rows: { pid: number; state: string | null; query: string }[] }>(
          `SELECT pid, state, left(query, 300) AS query FROM pg_stat_activity WHERE application_name = ? ORDER BY pid`,
          [row.session_tag],
        )
      ).rows
    : [];
  return { checkedAt: new Date().toISOString(), sessions, knexLocked: await knexLockFlag(db.knex, table) };
}

/** Marks the runs of stopped processes interrupted, with what became of them. Returns how many. */
export async function reconcileRuns(db: AuditDb, config: StrataConfig): Promise<number> {
  const table = config.migrationsTable;
  const rows = ((await db.knex(RUNS).where({ migrations_table: table, status: 'running' })) as RunRow[]).filter((r) => !liveRuns.has(r.id));
  if (!rows.length) return 0;
  const holder = await lockHolder(db.knex, table);
  let n = 0;
  for (const row of rows) {
    if (holder && (holder.runId === row.id || holder.runId === null)) continue;
    const run: RunSummary = toSummary(row);
    const running = run.migrations.find((m) => m.status === 'running');
    const outcomes = await settleOutcomes(db.knex, table, row.id, run.kind === 'rollback' ? 'down' : 'up', run.migrations);
    const stopped = whyStopped(row);
    const finished: RunSummary = {
      ...run,
      status: 'interrupted',
      finishedAt: new Date().toISOString(),
      durationMs: null,
      currentMigration: null,
      migrations: run.migrations.map((m) => ({ ...m, status: outcomes.get(m.name) ?? m.status })),
      error: { ...stopped, migration: running?.name ?? row.current_migration, statement: null },
      aftermath: await aftermathOf(db, row, table),
    };
    // Only if nobody recorded it meanwhile (its own process, back with the database, or another).
    const actor = { kind: row.actor_type as 'system', label: row.actor_label, role: row.role ?? undefined };
    if (await writeFinishedRun(db, finished, actor, { requestId: row.request_id }, { onlyIfRunning: true, delayMs: 250 })) n++;
  }
  return n;
}
