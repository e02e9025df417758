import 'server-only';
// Email and password sign-in with throttling (lib/auth/throttle.ts) and an audit record for
// every outcome. Its refusals carry their own audit rows, so the route wrapper adds none.
import { ApiError } from '../api/errors';
import type { Db } from '../db/knex';
import type { Actor } from '../schemas/auth';
import { roleSchema, throttledMessage } from '../schemas/auth';
import { recordAudit } from './audit';
import type { Auth } from './auth';
import type { AuthConfig } from './config';
import { finishAttempt, startAttempt } from './throttle';

function audited(err: ApiError): ApiError {
  err.audited = true;
  return err;
}

export type SignInResult = { actor: Actor; setCookies: string[] };

export async function signIn(
  db: Db,
  auth: Auth,
  config: AuthConfig,
  input: { email: string; password: string; ip: string; headers: Headers; requestId: string },
): Promise<SignInResult> {
  const anonymous = { kind: 'anonymous' as const, label: input.email };
  const audit = (action: string, outcome: 'success' | 'failure' | 'denied', actor: Actor | typeof anonymous, details = {}) =>
    recordAudit(db, { actor, action, outcome, requestId: input.requestId, ip: input.ip, details });

  const attempt = await startAttempt(db.knex, input.email, input.ip, config);
  if ('throttled' in attempt) {
    await audit('auth.sign_in_throttled', 'denied', anonymous, { limit: attempt.throttled });
    throw audited(
      new ApiError('too_many_requests', throttledMessage(attempt.retryAfterSeconds), {
        retryAfterSeconds: attempt.retryAfterSeconds,
      }),
    );
  }
  // The account is being guessed at from elsewhere: this attempt waits before its password is checked.
  if (attempt.delayMs) await new Promise((r) => setTimeout(r, attempt.delayMs));
  let result;
  try {
    result = await auth.api.signInEmail({
      body: { email: input.email, password: input.password, rememberMe: true },
      headers: input.headers,
      returnHeaders: true,
    });
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== 401 && status !== 403 && status !== 400) throw err;
    await finishAttempt(db.knex, attempt.id, false);
    await audit('auth.sign_in_failed', 'failure', anonymous, {
      reason: status === 403 ? 'disabled' : 'credentials',
      ...(attempt.delayMs ? { slowedMs: attempt.delayMs } : {}),
    });
    throw audited(new ApiError('unauthorized', 'Wrong email or password, or the account is disabled'));
  }
  await finishAttempt(db.knex, attempt.id, true);
  const user = result.response.user as { id: string; email: string; role?: string };
  const actor: Actor = { kind: 'user', id: user.id, label: user.email, role: roleSchema.catch('viewer').parse(user.role) };
  await audit('auth.sign_in', 'success', actor);
  return { actor, setCookies: result.headers.getSetCookie() };
}

export async function signOut(db: Db, auth: Auth, actor: Actor, headers: Headers, meta: { requestId: string; ip: string }): Promise<string[]> {
  const result = await auth.api.signOut({ headers, returnHeaders: true });
  await recordAudit(db, { actor, action: 'auth.sign_out', outcome: 'success', requestId: meta.requestId, ip: meta.ip });
  return result.headers.getSetCookie();
}
