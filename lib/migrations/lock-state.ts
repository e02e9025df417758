import 'server-only';
// The lock as the migrations page and the 409s describe it: a run through Strata (which, by whom,
// since when), or knex's flag set outside Strata (since when Strata first saw it, and the sessions
// that could be the migrator holding it), or free.
import type { Knex } from 'knex';
import type { LockState, RunSummary } from '../schemas/migrations';
import { knexLockFlag } from './lock';
import { runningRun } from './runs';
import { describeSession, suspectSessions } from './sessions';

const SIGHTINGS = 'strata.knex_lock_sightings';

/** When Strata first saw knex's flag set (recorded now if this is the first time); cleared when free. */
export async function knexLockSince(knex: Knex, table: string, locked: boolean): Promise<Date | null> {
  if (!locked) {
    await knex(SIGHTINGS).where({ migrations_table: table }).delete();
    return null;
  }
  await knex(SIGHTINGS).insert({ migrations_table: table }).onConflict('migrations_table').ignore();
  const row = await knex(SIGHTINGS).where({ migrations_table: table }).first<{ first_seen_at: Date }>('first_seen_at');
  return row?.first_seen_at ?? null;
}

export function heldByRun(run: RunSummary): string {
  return `Held by a ${run.kind === 'rollback' ? 'rollback' : 'run'} through Strata (run ${run.id}) by ${run.actorLabel}, started ${run.startedAt}.`;
}

export async function lockState(knex: Knex, table: string): Promise<LockState> {
  const [knexLocked, running] = await Promise.all([knexLockFlag(knex, table), runningRun(knex, table)]);
  const since = await knexLockSince(knex, table, knexLocked);
  const suspects = knexLocked && !running ? await suspectSessions(knex, table, since) : [];
  let explanation: string;
  if (running) explanation = heldByRun(running);
  else if (knexLocked) {
    const seen = `knex's lock flag in ${table}_lock has been set since at least ${since?.toISOString() ?? 'now'} (when Strata first saw it; knex keeps no time), and no run through Strata holds it. knex refuses to migrate until it is cleared.`;
    explanation = suspects.length
      ? `${seen} ${suspects.length} database session(s) could be the migrator holding it: ${suspects.map(describeSession).join(' ')}`
      : `${seen} No database session that Strata can see looks like a migrator: the tool that set it probably stopped without clearing it. (A migrator between two statements, outside a transaction, holds nothing Strata can see: make sure no knex migrate is running before an admin releases it.)`;
  } else explanation = 'Free.';
  return { knexLocked, knexLockedSince: since?.toISOString() ?? null, running, suspects, explanation };
}
