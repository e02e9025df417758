import 'server-only';
// The one call every protected route handler makes first: who is asking, may they, and (for a
// cookie-authenticated change) does the request come from the dashboard's own pages.
import type { NextRequest } from 'next/server';
import { ApiError } from '../api/errors';
import type { Caller } from '../api/handler';
import { getDb, type Db } from '../db/knex';
import type { Actor } from '../schemas/auth';
import { authenticate, type Authenticated } from './actor';
import { getAuth } from './auth';
import { readAuthConfig } from './config';
import type { Permission } from './permissions';
import { clientIp, isMutating, isSameOrigin } from './request';

export type Authorized = { db: Db; actor: Actor; via: Authenticated['via']; sessionId?: string; ip: string };

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

/**
 * Who is asking and whether they may. The caller found is kept in `ctx`, so that the route
 * wrapper can name them in the audit row of a refused change (403s included: the wrapper writes
 * those, within the refusals' rate bound).
 */
export async function authorize(req: NextRequest, ctx: { requestId: string; caller?: Caller }, permission: Permission): Promise<Authorized> {
  const db = await getDb();
  const config = readAuthConfig();
  const auth = await getAuth(db, config);
  const who = await authenticate(db.knex, auth, config, req.headers);
  if (!who) throw new ApiError('unauthorized', 'Sign in, or send a valid API token');
  ctx.caller = { actor: who.actor, via: who.via };
  const ip = clientIp(req.headers);
  if (who.via === 'session' && isMutating(req.method) && !isSameOrigin(req.headers, ownOrigin(req))) {
    throw new ApiError('forbidden', 'Changes through a browser session must come from the dashboard itself', { reason: 'cross-origin' });
  }
  if (!permission(who.actor.role)) {
    throw new ApiError('forbidden', `The ${who.actor.role} role may not ${permission.description}`, { reason: 'role' });
  }
  return { db, actor: who.actor, via: who.via, sessionId: who.sessionId, ip };
}
