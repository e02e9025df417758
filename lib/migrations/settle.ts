import 'server-only';
// What became of each migration of a run, read from the database after the run stopped (however
// it stopped): knex's table says what knex recorded; Strata's step rows, written in each
// migration's own transaction, say what committed; the run's own entries say what started.
import type { Knex } from 'knex';
import type { MigrationOutcome, RunMigration } from '../schemas/migrations';

export const RUN_STEPS = 'strata.run_steps';

type Started = Pick<RunMigration, 'name' | 'transaction' | 'status'>;

/**
 * The final outcome of each entry. `finishedInMemory` names the migrations whose up()/down()
 * returned in this process (known only to the process that ran them).
 */
export async function settleOutcomes(
  knex: Knex,
  table: string,
  runId: string,
  direction: 'up' | 'down',
  entries: Started[],
  finishedInMemory: ReadonlySet<string> = new Set(),
): Promise<Map<string, MigrationOutcome>> {
  const names = entries.map((e) => e.name);
  const inKnex = new Set<string>(
    names.length && (await knex.schema.hasTable(table)) ? await knex(table).whereIn('name', names).pluck('name') : [],
  );
  const stepped = new Set<string>(names.length ? await knex(RUN_STEPS).where({ run_id: runId }).whereIn('name', names).pluck('name') : []);
  const out = new Map<string, MigrationOutcome>();
  for (const e of entries) {
    const knexSaysDone = direction === 'up' ? inKnex.has(e.name) : !inKnex.has(e.name);
    const started = e.status !== 'pending' && e.status !== 'not_started';
    let outcome: MigrationOutcome;
    if (knexSaysDone && (started || stepped.has(e.name))) outcome = 'committed';
    else if (stepped.has(e.name)) outcome = 'unrecorded';
    else if (!started) outcome = 'not_started';
    else if (e.transaction) outcome = 'rolled_back';
    // Outside a transaction: finished but not recorded, or cut off part-way.
    else outcome = finishedInMemory.has(e.name) ? 'unrecorded' : 'partial';
    out.set(e.name, outcome);
  }
  return out;
}

export type Step = { runId: string; table: string; name: string; direction: 'up' | 'down'; ms: number; checksum: string; actorLabel: string };

/**
 * Marks, in the migration's own transaction (or right after it, outside one), that its work is
 * done, and keeps Strata's applied record in step: the file's checksum, who, how long (up), or no
 * record (down). One statement, so it costs one round trip per migration.
 */
export async function recordStep(k: Knex, s: Step): Promise<void> {
  const step = `INSERT INTO ${RUN_STEPS} (run_id, name, direction, ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (run_id, name) DO UPDATE SET direction = EXCLUDED.direction, ms = EXCLUDED.ms, finished_at = now()`;
  if (s.direction === 'up') {
    await k.raw(
      `WITH step AS (${step})
       INSERT INTO strata.applied_migrations (migrations_table, name, checksum, run_id, actor_label, duration_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (migrations_table, name) DO UPDATE
         SET checksum = EXCLUDED.checksum, run_id = EXCLUDED.run_id, actor_label = EXCLUDED.actor_label,
             duration_ms = EXCLUDED.duration_ms, applied_at = now()`,
      [s.runId, s.name, s.direction, s.ms, s.table, s.name, s.checksum, s.runId, s.actorLabel, s.ms],
    );
  } else {
    await k.raw(`WITH step AS (${step}) DELETE FROM strata.applied_migrations WHERE migrations_table = ? AND name = ?`, [s.runId, s.name, s.direction, s.ms, s.table, s.name]);
  }
}
