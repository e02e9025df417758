import 'server-only';
// Passwords after a user is created: an admin's reset (from the Users page or `npm run user --
// reset-password`) and a signed-in user's change of their own. better-auth hashes every password;
// either way the user's other sessions end, so that whoever held them has to sign in again.
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { Db } from '../db/knex';
import { throttledMessage, type Actor, type UserRow } from '../schemas/auth';
import type { Auth } from './auth';
import type { AuthConfig } from './config';
import { finishAttempt, startAttempt } from './throttle';
import { listUsers } from './users';

const CREDENTIAL = 'credential';

/** Whether the user has a password at all (a user who signs in only with SSO has none). */
export async function hasPassword(knex: Knex, userId: string): Promise<boolean> {
  return Boolean(await knex('strata.accounts').where({ user_id: userId, provider_id: CREDENTIAL }).first('id'));
}

/**
 * Sets a new password for a user and ends all their sessions, in one transaction: the old
 * password and every session stop working together. 404 for an unknown user; 409 for one who
 * signs in only with SSO (a password would be a second way in that their identity provider does
 * not control).
 */
export async function resetPassword(knex: Knex, auth: Auth, userId: string, password: string): Promise<{ user: UserRow; sessionsEnded: number }> {
  // better-auth's own hash (scrypt), made before the transaction so that no row waits on it.
  const hash = await (await auth.$context).password.hash(password);
  return knex.transaction(async (trx) => {
    const user = await trx('strata.users').where({ id: userId }).forUpdate().first<{ email: string } | undefined>('email');
    if (!user) throw new ApiError('not_found', 'No such user');
    const updated = await trx('strata.accounts')
      .where({ user_id: userId, provider_id: CREDENTIAL })
      .update({ password: hash, updated_at: trx.fn.now() });
    if (updated === 0) throw new ApiError('conflict', `${user.email} signs in with SSO only: Strata keeps no password for them`);
    // The sessions that were still alive (expired rows are deleted too, but were not sessions any more).
    const live = await trx('strata.sessions').where({ user_id: userId }).where('expires_at', '>', trx.fn.now()).count<{ n: string }[]>({ n: '*' });
    await trx('strata.sessions').where({ user_id: userId }).delete();
    const sessionsEnded = Number(live[0]!.n);
    const row = (await listUsers(trx)).find((u) => u.id === userId)!;
    return { user: row, sessionsEnded };
  });
}

function isWrongPassword(err: unknown): boolean {
  return (err as { body?: { code?: unknown } } | null)?.body?.code === 'INVALID_PASSWORD';
}

/**
 * A signed-in user changes their own password, proving the current one. better-auth checks it,
 * ends every session of the user and issues a new one for this browser (its cookie is returned).
 * A wrong current password counts as a failed sign-in for the account and address
 * (lib/auth/throttle.ts), so that a stolen session cannot be used to guess it.
 */
export async function changeOwnPassword(
  db: Db,
  auth: Auth,
  config: AuthConfig,
  input: { actor: Actor; currentPassword: string; newPassword: string; headers: Headers; ip: string },
): Promise<{ setCookies: string[]; sessionsEnded: number }> {
  const { knex } = db;
  const userId = input.actor.id;
  if (!(await hasPassword(knex, userId))) {
    throw new ApiError('conflict', 'You sign in with SSO: your password is kept by your identity provider');
  }
  const attempt = await startAttempt(knex, input.actor.label, input.ip, config);
  if ('throttled' in attempt) {
    throw new ApiError('too_many_requests', throttledMessage(attempt.retryAfterSeconds), { retryAfterSeconds: attempt.retryAfterSeconds });
  }
  if (attempt.delayMs) await new Promise((r) => setTimeout(r, attempt.delayMs));
  const before = await knex('strata.sessions').where({ user_id: userId }).where('expires_at', '>', knex.fn.now()).count<{ n: string }[]>({ n: '*' });
  let result;
  try {
    result = await auth.api.changePassword({
      body: { currentPassword: input.currentPassword, newPassword: input.newPassword, revokeOtherSessions: true },
      headers: input.headers,
      returnHeaders: true,
    });
  } catch (err) {
    if (!isWrongPassword(err)) throw err;
    await finishAttempt(knex, attempt.id, false);
    throw new ApiError('bad_request', 'currentPassword: is not your current password');
  }
  await finishAttempt(knex, attempt.id, true);
  // Every session went, this one included; the one just issued replaces it.
  return { setCookies: result.headers.getSetCookie(), sessionsEnded: Math.max(0, Number(before[0]!.n) - 1) };
}
