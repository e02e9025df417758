import 'server-only';
// The one call every protected route handler makes first: who is asking, may they, and (for a
// cookie-authenticated change) does the request come from the dashboard's own pages.
import type { NextRequest } from 'next/server';
import { ApiError } from '../api/errors';
import type { Caller } from '../api/handler';
import { busyError, embeddedBusy } from '../db/embedded-busy';
import { getDb, type Db } from '../db/knex';
import type { Actor } from '../schemas/auth';
import { activeTarget, ofTargetsFile, targetDb } from '../targets/scope';
import { servedHere, validTargetsSetup, type Target } from '../targets/registry';
import { authenticate, type Authenticated } from './actor';
import { getAuth } from './auth';
import { readAuthConfig } from './config';
import type { Permission } from './permissions';
import { credentialKey, forgetCredentials, recentCredential, rememberCredential } from './recent-credentials';
import { clientIp, isMutating, isSameOrigin } from './request';
import { actorOnTarget } from './target-roles';

/**
 * `db` is the target the request acts on (its `?target=`, else this dashboard's own); `home` is
 * this dashboard's own database, where users, sessions and tokens live. `actor` carries the role
 * the caller holds on `target`.
 */
export type Authorized = { db: Db; home: Db; target: Target | null; actor: Actor; via: Authenticated['via']; sessionId?: string; ip: string };

/**
 * The dashboard's origin as the browser sees it: STRATA_BASE_URL, or the scheme and host the
 * request was sent to (a page on another site cannot set these headers on a request).
 */
export function ownOrigin(req: NextRequest): string {
  const configured = readAuthConfig().baseUrl;
  if (configured) return configured;
  const first = (name: string) => req.headers.get(name)?.split(',')[0]?.trim() || undefined;
  const proto = first('x-forwarded-proto') ?? req.nextUrl.protocol.replace(/:$/, '');
  const host = first('x-forwarded-host') ?? first('host') ?? req.nextUrl.host;
  return `${proto}://${host}`;
}

export type AuthorizeOptions = {
  /**
   * The route can answer from this process's memory (a run's progress, the lock, a job): while a
   * run or a job holds the embedded database's only connection, it accepts a credential checked
   * against the database in the last minute instead of waiting. Other routes answer 503 "busy".
   */
  fromMemoryWhileBusy?: boolean;
  /**
   * The route manages the dashboard itself (users, tokens, one's own account): it acts on the home
   * database and is judged by the caller's own role, never by a role held on one target.
   */
  home?: boolean;
};

/**
 * Who is asking and whether they may. The caller found is kept in `ctx`, so that the route
 * wrapper can name them in the audit row of a refused change (403s included: the wrapper writes
 * those, within the refusals' rate bound).
 */
export async function authorize(
  req: NextRequest,
  ctx: { requestId: string; caller?: Caller },
  permission: Permission,
  options: AuthorizeOptions = {},
): Promise<Authorized> {
  const home = await getDb();
  const target = options.home ? null : activeTarget();
  const ip = clientIp(req.headers);
  const mutating = isMutating(req.method);
  // The role differs per target, so a credential is remembered per target.
  const credential = credentialKey(req.headers);
  const key = credential && `${credential}:${target?.name ?? ''}`;
  // Any change may be a sign-out, a role change or a revocation: checked credentials are forgotten.
  if (mutating) forgetCredentials();
  const where = (role: string) => `The ${role} role${target && targetsServed() > 1 ? ` on ${target.label}` : ''} may not ${permission.description}`;
  const busy = embeddedBusy(home.target);
  if (busy) {
    const recent = options.fromMemoryWhileBusy && !mutating ? recentCredential(key) : null;
    if (!recent) throw busyError(busy);
    if (!permission(recent.actor.role)) throw new ApiError('forbidden', where(recent.actor.role));
    return { db: options.home ? home : await targetDb(target), home, target, actor: recent.actor, via: recent.via, sessionId: recent.sessionId, ip };
  }
  const config = readAuthConfig();
  const auth = await getAuth(home, config);
  const found = await authenticate(home.knex, auth, config, req.headers);
  if (!found) throw new ApiError('unauthorized', 'Sign in, or send a valid API token');
  ctx.caller = { actor: found.actor, via: found.via };
  const who = { ...found, actor: await actorOnTarget(home.knex, found.actor, ofTargetsFile(target)) };
  // This credential was just checked (as itself, and as it is on this target); a sign-out forgets
  // it again once the session is gone.
  rememberCredential(credential, found);
  rememberCredential(key, who);
  ctx.caller = { actor: who.actor, via: who.via };
  if (who.via === 'session' && mutating && !isSameOrigin(req.headers, ownOrigin(req))) {
    throw new ApiError('forbidden', 'Changes through a browser session must come from the dashboard itself', { reason: 'cross-origin' });
  }
  if (!permission(who.actor.role)) {
    throw new ApiError('forbidden', where(who.actor.role), { reason: 'role' });
  }
  return { db: options.home ? home : await targetDb(target), home, target, actor: who.actor, via: who.via, sessionId: who.sessionId, ip };
}

/** How many targets this dashboard serves (a role is named with its target only when there are several). */
function targetsServed(): number {
  return validTargetsSetup()?.targets.filter(servedHere).length ?? 1;
}
