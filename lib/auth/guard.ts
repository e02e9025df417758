import 'server-only';
// The one call every protected route handler makes first: who is asking, may they, and (for a
// cookie-authenticated change) does the request come from the dashboard's own pages.
import type { NextRequest } from 'next/server';
import { ApiError } from '../api/errors';
import { getDb, type Db } from '../db/knex';
import type { Actor } from '../schemas/auth';
import { authenticate, type Authenticated } from './actor';
import { recordAudit } from './audit';
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

export async function authorize(req: NextRequest, ctx: { requestId: string }, permission: Permission): Promise<Authorized> {
  const db = await getDb();
  const config = readAuthConfig();
  const auth = await getAuth(db.knex, config);
  const who = await authenticate(db.knex, auth, config, req.headers);
  if (!who) throw new ApiError('unauthorized', 'Sign in, or send a valid API token');
  const ip = clientIp(req.headers);
  const mutating = isMutating(req.method);
  const deny = async (message: string, reason: string): Promise<never> => {
    if (mutating) {
      await recordAudit(db, {
        actor: who.actor,
        action: 'access.denied',
        outcome: 'denied',
        requestId: ctx.requestId,
        ip,
        details: { method: req.method, path: req.nextUrl.pathname, reason },
      });
    }
    throw new ApiError('forbidden', message);
  };
  if (who.via === 'session' && mutating && !isSameOrigin(req.headers, ownOrigin(req))) {
    await deny('Changes through a browser session must come from the dashboard itself', 'cross-origin');
  }
  if (!permission(who.actor.role)) {
    await deny(`The ${who.actor.role} role may not ${permission.description}`, 'role');
  }
  return { db, actor: who.actor, via: who.via, sessionId: who.sessionId, ip };
}
