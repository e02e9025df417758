import 'server-only';
// Sign-in throttling, per account and per address, kept in the database so that it holds across
// dashboard processes. An attempt is recorded before the password is checked, so that concurrent
// guesses count against the limit too.
import type { Knex } from 'knex';

export type ThrottleLimits = { maxFailures: number; maxFailuresPerIp: number; windowMs: number };

export type AttemptStart = { id: string } | { throttled: 'account' | 'address'; retryAfterSeconds: number };

export async function startAttempt(knex: Knex, email: string, ip: string, limits: ThrottleLimits): Promise<AttemptStart> {
  const [row] = await knex('strata.sign_in_attempts').insert({ email, ip }).returning('id');
  const id = String(row.id);
  const windowStart = knex.raw(`now() - make_interval(secs => ?)`, [limits.windowMs / 1000]);
  // Failures (or attempts still in flight) for this account since its last successful sign-in.
  const account = await knex('strata.sign_in_attempts')
    .where({ email })
    .whereNot({ id })
    .where('at', '>', windowStart)
    .where((q) => q.where('succeeded', false).orWhereNull('succeeded'))
    .where(
      'at',
      '>',
      knex.raw(`coalesce((SELECT max(at) FROM strata.sign_in_attempts WHERE email = ? AND succeeded), '-infinity')`, [email]),
    )
    .select(knex.raw('count(*)::int AS n, min(at) AS oldest'))
    .first<{ n: number; oldest: Date | null }>();
  const address = await knex('strata.sign_in_attempts')
    .where({ ip })
    .whereNot({ id })
    .where('at', '>', windowStart)
    .where((q) => q.where('succeeded', false).orWhereNull('succeeded'))
    .select(knex.raw('count(*)::int AS n, min(at) AS oldest'))
    .first<{ n: number; oldest: Date | null }>();
  const over =
    account && account.n >= limits.maxFailures ? { kind: 'account' as const, oldest: account.oldest } :
    address && address.n >= limits.maxFailuresPerIp ? { kind: 'address' as const, oldest: address.oldest } : null;
  if (!over) return { id };
  // A refused attempt is not a guess: it does not extend the lock-out.
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
