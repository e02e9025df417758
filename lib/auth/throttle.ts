import 'server-only';
// Sign-in throttling, kept in the database so that it holds across dashboard processes. An
// attempt is recorded before the password is checked, so that concurrent guesses count too.
//
// The policy never locks an account out: that would let anyone lock out anyone, the admin
// included, by failing on purpose. What blocks (429) is per account *and* address, and per
// address across accounts (one machine spraying passwords). Across addresses an account is only
// slowed down: past the limit each attempt waits before its password is checked, longer the more
// failures there are, up to MAX_DELAY_MS, so that the right password from a clean address still
// signs in while someone else is guessing.
import type { Knex } from 'knex';

export type ThrottleLimits = { maxFailures: number; maxFailuresPerIp: number; windowMs: number };

export type AttemptStart =
  | { id: string; delayMs: number }
  | { throttled: 'account and address' | 'address'; retryAfterSeconds: number };

/** The longest an attempt waits when its account is under attack from elsewhere. */
export const MAX_DELAY_MS = 3_000;
const FIRST_DELAY_MS = 250;

type Count = { n: number; oldest: Date | null };

/** The wait for an account with `failures` recent failures from any address. */
export function accountDelayMs(failures: number, maxFailures: number): number {
  if (failures < maxFailures) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(failures - maxFailures, 16));
}

export async function startAttempt(knex: Knex, email: string, ip: string, limits: ThrottleLimits): Promise<AttemptStart> {
  const [row] = await knex('strata.sign_in_attempts').insert({ email, ip }).returning('id');
  const id = String(row.id);
  const windowStart = knex.raw(`now() - make_interval(secs => ?)`, [limits.windowMs / 1000]);
  // Failures (or attempts still in flight) in the window, not counting this one.
  const failures = () =>
    knex('strata.sign_in_attempts')
      .whereNot({ id })
      .where('at', '>', windowStart)
      .where((q) => q.where('succeeded', false).orWhereNull('succeeded'))
      .select(knex.raw('count(*)::int AS n, min(at) AS oldest'));
  const since = (where: Record<string, string>) =>
    knex.raw(`coalesce((SELECT max(at) FROM strata.sign_in_attempts WHERE ${Object.keys(where).map((k) => `${k} = ?`).join(' AND ')} AND succeeded), '-infinity')`, Object.values(where));
  // A success from an address ends that pair's count; a success anywhere ends the account's.
  const [pair, address, account] = (await Promise.all([
    failures().where({ email, ip }).where('at', '>', since({ email, ip })).first(),
    failures().where({ ip }).first(),
    failures().where({ email }).where('at', '>', since({ email })).first(),
  ])) as Count[];
  const over =
    pair && pair.n >= limits.maxFailures ? { kind: 'account and address' as const, oldest: pair.oldest } :
    address && address.n >= limits.maxFailuresPerIp ? { kind: 'address' as const, oldest: address.oldest } : null;
  if (!over) return { id, delayMs: accountDelayMs(account?.n ?? 0, limits.maxFailures) };
  // A refused attempt is not a guess: it does not extend the block.
  await knex('strata.sign_in_attempts').where({ id }).delete();
  const retryAfterMs = (over.oldest ? over.oldest.getTime() + limits.windowMs : Date.now() + limits.windowMs) - Date.now();
  return { throttled: over.kind, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

export async function finishAttempt(knex: Knex, id: string, succeeded: boolean): Promise<void> {
  await knex('strata.sign_in_attempts').where({ id }).update({ succeeded });
  if (succeeded) {
    // Attempts older than a day no longer matter to any window.
    await knex('strata.sign_in_attempts').where('at', '<', knex.raw(`now() - interval '1 day'`)).delete();
  }
}
