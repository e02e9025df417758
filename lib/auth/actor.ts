import 'server-only';
// Who is asking: a bearer token, or a browser session (better-auth checks the signed cookie and
// the absolute expiry; the idle limit is enforced here).
import type { Knex } from 'knex';
import { roleSchema, type Actor } from '../schemas/auth';
import type { Auth } from './auth';
import type { AuthConfig } from './config';
import { clientIp } from './request';
import { actorForToken } from './tokens';

export type Authenticated = { actor: Actor; via: 'session' | 'token'; sessionId?: string };

/**
 * How stale a session's last-use time may get before a request writes it again: a tenth of the
 * idle limit (at most a minute), so that an active session never ages past the limit between
 * writes (with a one-minute limit, a fixed minute let an active session die at 60 s), while
 * reading a page still does not write on every request.
 */
export function touchAfterMs(idleMs: number): number {
  return Math.min(60_000, Math.floor(idleMs / 10));
}

export async function authenticate(
  knex: Knex,
  auth: Auth,
  config: AuthConfig,
  headers: Headers,
): Promise<Authenticated | null> {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    // A request that names a token is judged by that token alone, never by a cookie beside it.
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const actor = m ? await actorForToken(knex, m[1]!, clientIp(headers)) : null;
    return actor ? { actor, via: 'token' } : null;
  }
  const found = await auth.api.getSession({ headers, query: { disableCookieCache: true, disableRefresh: true } });
  if (!found) return null;
  const { session, user } = found;
  const role = roleSchema.safeParse(user.role);
  if (!role.success || user.banned) return null;
  const lastUse = new Date(session.updatedAt).getTime();
  if (Date.now() - lastUse > config.sessionIdleMs) {
    await knex('strata.sessions').where({ id: session.id }).delete();
    return null;
  }
  if (Date.now() - lastUse > touchAfterMs(config.sessionIdleMs)) {
    await knex('strata.sessions').where({ id: session.id }).update({ updated_at: knex.fn.now() });
  }
  return { actor: { kind: 'user', id: user.id, label: user.email, role: role.data }, via: 'session', sessionId: session.id };
}
