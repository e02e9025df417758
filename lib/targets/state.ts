import 'server-only';
// What each target has applied, read independently and with a time limit each: one target that
// does not answer is "unreachable since …" on its own card and costs the others nothing.
import type { Knex } from 'knex';
import type { StrataConfig } from '../config';
import { getDb } from '../db/knex';
import { peerKnex, withinPeerBounds } from '../db/peers';
import { databaseFailure } from '../db/failure';
import type { Target } from './registry';

export type AppliedHere = { name: string; batch: number; appliedAt: string; checksum: string | null; by: string | null };

export type TargetRead =
  | { target: Target; ok: true; ms: number; applied: AppliedHere[] }
  | { target: Target; ok: false; ms: number; error: string; unreachableSince: string };

const holder = globalThis as { __strataUnreachable?: Map<string, Date> };
const unreachable = (holder.__strataUnreachable ??= new Map<string, Date>());

export class TargetTimeoutError extends Error {
  override name = 'TargetTimeoutError';
}

async function readApplied(k: Knex, table: string): Promise<AppliedHere[]> {
  const found = await k.raw<{ rows: Array<{ migrations: string | null; recorded: string | null }> }>(
    `SELECT to_regclass(?)::text AS migrations, to_regclass('strata.applied_migrations')::text AS recorded`,
    [table],
  );
  const { migrations, recorded } = found.rows[0]!;
  if (!migrations) return [];
  const rows = (await k.raw<{ rows: Array<{ name: string; batch: number; migration_time: Date | string; checksum: string | null; actor_label: string | null }> }>(
    recorded
      ? `SELECT m.name, m.batch, m.migration_time, r.checksum, r.actor_label
           FROM ?? m LEFT JOIN strata.applied_migrations r ON r.migrations_table = ? AND r.name = m.name
          ORDER BY m.id`
      : `SELECT m.name, m.batch, m.migration_time, NULL AS checksum, NULL AS actor_label FROM ?? m ORDER BY m.id`,
    recorded ? [table, table] : [table],
  )).rows;
  return rows.map((r) => ({ name: r.name, batch: Number(r.batch), appliedAt: new Date(r.migration_time).toISOString(), checksum: r.checksum, by: r.actor_label }));
}

/** The connection to a target: this dashboard's own for its target, a peer pool for the others. */
export async function targetKnex(target: Target): Promise<Knex> {
  if (target.current) return (await getDb()).knex;
  if (!target.url) throw new Error(`${target.urlEnv} is not set in this dashboard's environment`);
  return peerKnex(target.url);
}

/** How long a read waits on a target that did not answer last time before answering with that. */
export const KNOWN_UNREACHABLE_WAIT_MS = 250;

const lookingAgain = ((globalThis as { __strataTargetProbes?: Map<string, Promise<TargetRead>> }).__strataTargetProbes ??= new Map());
const lastError = ((globalThis as { __strataTargetErrors?: Map<string, string> }).__strataTargetErrors ??= new Map());

/**
 * One target's applied migrations, within PEER_BOUNDS (this dashboard's own database within its
 * usual bounds). A target that did not answer last time is looked at again in the background, and
 * a read waits for that at most KNOWN_UNREACHABLE_WAIT_MS before it says "unreachable since …" with
 * the last reason: one silent target costs the others' answers its full time limit once, not on
 * every read.
 */
export async function readTarget(target: Target, config: StrataConfig): Promise<TargetRead> {
  const since = unreachable.get(target.name);
  if (!since) return readNow(target, config);
  const t0 = performance.now();
  let probe = lookingAgain.get(target.name);
  if (!probe) {
    probe = readNow(target, config).finally(() => lookingAgain.delete(target.name));
    lookingAgain.set(target.name, probe);
  }
  let timer: NodeJS.Timeout | undefined;
  const quick = await Promise.race([probe, new Promise<null>((r) => (timer = setTimeout(() => r(null), KNOWN_UNREACHABLE_WAIT_MS)))]).finally(() => clearTimeout(timer));
  if (quick) return quick;
  const error = `${lastError.get(target.name) ?? 'it did not answer'} (looking again now)`;
  return { target, ok: false, ms: Math.round(performance.now() - t0), error, unreachableSince: since.toISOString() };
}

async function readNow(target: Target, config: StrataConfig): Promise<TargetRead> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  try {
    const k = await targetKnex(target);
    const applied = await withinPeerBounds(readApplied(k, config.migrationsTable), (m) => new TargetTimeoutError(m));
    unreachable.delete(target.name);
    lastError.delete(target.name);
    return { target, ok: true, ms: ms(), applied };
  } catch (err) {
    const since = unreachable.get(target.name) ?? new Date();
    unreachable.set(target.name, since);
    const failure = err instanceof TargetTimeoutError ? null : databaseFailure(err);
    const error = failure ? failure.reason : (err as Error).message;
    lastError.set(target.name, error);
    return { target, ok: false, ms: ms(), error, unreachableSince: since.toISOString() };
  }
}
