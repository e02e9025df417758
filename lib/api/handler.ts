import 'server-only';
// The route-handler wrapper: a request id on every request (echoed in `x-request-id`), the body
// read (at most 1 MB) before anything else, one JSON log line per request, errors turned into the
// one error shape, headers that keep API answers out of caches and frames, and an audit row for
// every refused change.
import { randomUUID } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { clientIp, isMutating } from '../auth/request';
import { recordRefusal } from '../auth/refusals';
import { log } from '../log';
import type { Actor } from '../schemas/auth';
import { NON_PAGE_CSP } from '../http/csp';
import { ApiError, toApiError } from './errors';
import { withBoundedBody } from './input';
import { inTarget, TARGET_PARAM, targetFromParam } from '../targets/scope';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Who the guard found the caller to be; set by authorize(), read when a change is refused. */
export type Caller = { actor: Actor; via: 'session' | 'token' };

export type ApiContext<P> = { requestId: string; params: P; caller?: Caller };

type RouteContext<P> = { params: Promise<P> };

// An API answer is data for the dashboard's own scripts: never cached (one-time passwords and
// tokens travel in them), never sniffed as another type, never rendered in a frame.
const API_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': NON_PAGE_CSP,
};

function requestIdFrom(req: NextRequest): string {
  // Accept a caller's id (a proxy's or a deploy script's) only when it is short and plain.
  const given = req.headers.get(REQUEST_ID_HEADER);
  return given && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
}

/** What an unauthenticated request presented, for the audit row of its refusal. */
function presented(req: NextRequest): Pick<Parameters<typeof recordRefusal>[0], 'presented' | 'tokenPrefix'> {
  const auth = req.headers.get('authorization');
  if (auth !== null) {
    const m = /^Bearer\s+(strata_[A-Za-z0-9_-]{6})/i.exec(auth);
    return { presented: 'bearer token', tokenPrefix: m?.[1] };
  }
  return { presented: /(^|;\s*)(__Secure-)?strata\.session_token=/.test(req.headers.get('cookie') ?? '') ? 'session cookie' : 'nothing' };
}

export function apiRoute<P = Record<string, never>>(
  handler: (req: NextRequest, ctx: ApiContext<P>) => Promise<Response>,
): (req: NextRequest, ctx: RouteContext<P>) => Promise<Response> {
  return async (req, routeCtx) => {
    const requestId = requestIdFrom(req);
    const started = performance.now();
    const ctx: ApiContext<P> = { requestId, params: {} as P };
    let res: Response;
    let failure: ApiError | null = null;
    let targetName: string | undefined;
    let targetLabel: string | undefined;
    try {
      const bounded = await withBoundedBody(req);
      ctx.params = routeCtx?.params ? await routeCtx.params : ({} as P);
      // The target the request names acts for the whole handler (its rules, its connection).
      const named = bounded.nextUrl.searchParams.getAll(TARGET_PARAM);
      if (named.length > 1) throw new ApiError('bad_request', 'target: give it once');
      const target = targetFromParam(named[0] ?? null);
      targetName = target?.name;
      targetLabel = target?.label;
      res = target ? await inTarget(target, () => handler(bounded, ctx)) : await handler(bounded, ctx);
    } catch (err) {
      failure = toApiError(err);
      // Which database could not be used, when the request named a target.
      if (failure.code === 'database_unavailable' && targetLabel) failure.message = failure.message.replace(/^The database cannot be used/, `The database of ${targetLabel} cannot be used`);
      if (failure.status >= 500) log.error({ requestId, err }, 'request failed');
      res = NextResponse.json(
        { error: { code: failure.code, message: failure.message, details: failure.details, requestId } },
        { status: failure.status },
      );
      const retryAfter = (failure.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (failure.code === 'too_many_requests' && typeof retryAfter === 'number') res.headers.set('retry-after', String(retryAfter));
    }
    for (const [name, value] of Object.entries(API_HEADERS)) res.headers.set(name, value);
    res.headers.set(REQUEST_ID_HEADER, requestId);
    if (isMutating(req.method) && res.status >= 400 && !failure?.audited) {
      recordRefusal({
        requestId,
        ip: clientIp(req.headers),
        method: req.method,
        path: req.nextUrl.pathname,
        status: res.status,
        code: failure?.code ?? 'error',
        message: failure?.message ?? `HTTP ${res.status}`,
        target: targetName,
        ...(ctx.caller ? { actor: ctx.caller.actor } : presented(req)),
      });
    }
    log.info(
      {
        requestId,
        method: req.method,
        path: req.nextUrl.pathname,
        status: res.status,
        ms: Math.round(performance.now() - started),
      },
      'api request',
    );
    return res;
  };
}
