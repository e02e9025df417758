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

/** Marks, in the migration's own transaction (or right after it, outside one), that its work is done. */
export async function recordStep(k: Knex, runId: string, name: string, direction: 'up' | 'down', ms: number): Promise<void> {
  await k(RUN_STEPS).insert({ run_id: runId, name, direction, ms }).onConflict(['run_id', 'name']).merge();
}
