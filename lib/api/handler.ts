import 'server-only';
// The route-handler wrapper: a request id on every request (echoed in `x-request-id`), one JSON
// log line per request, and errors turned into the one error shape.
import { randomUUID } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { log } from '../log';
import { toApiError } from './errors';

export const REQUEST_ID_HEADER = 'x-request-id';

export type ApiContext<P> = { requestId: string; params: P };

type RouteContext<P> = { params: Promise<P> };

function requestIdFrom(req: NextRequest): string {
  // Accept a caller's id (a proxy's or a deploy script's) only when it is short and plain.
  const given = req.headers.get(REQUEST_ID_HEADER);
  return given && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
}

export function apiRoute<P = Record<string, never>>(
  handler: (req: NextRequest, ctx: ApiContext<P>) => Promise<Response>,
): (req: NextRequest, ctx: RouteContext<P>) => Promise<Response> {
  return async (req, routeCtx) => {
    const requestId = requestIdFrom(req);
    const started = performance.now();
    let res: Response;
    try {
      const params = routeCtx?.params ? await routeCtx.params : ({} as P);
      res = await handler(req, { requestId, params });
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.status >= 500) log.error({ requestId, err }, 'request failed');
      res = NextResponse.json(
        { error: { code: apiErr.code, message: apiErr.message, details: apiErr.details, requestId } },
        { status: apiErr.status },
      );
      const retryAfter = (apiErr.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (apiErr.code === 'too_many_requests' && typeof retryAfter === 'number') res.headers.set('retry-after', String(retryAfter));
    }
    res.headers.set(REQUEST_ID_HEADER, requestId);
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
