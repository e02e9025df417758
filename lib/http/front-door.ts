import 'server-only';
// Strata's first look at every HTTP request, before Next.js parses it: Next.js offers no hook that
// early, and some requests never reach one of ours (a TRACE fails inside Next.js's Request
// constructor, a path that is not UTF-8 fails in its router; both as plain-text 500s). Installed
// once at start-up (instrumentation.ts) on Node's HTTP server. It:
//  - answers methods no route has (TRACE, TRACK...) with 405, and undecodable paths with 400;
//  - refuses a body whose declared length is over the limit with 413, before anything reads it
//    (the route wrapper enforces the same limit on bodies sent without a length);
//  - keeps X-Forwarded-* only from STRATA_TRUSTED_PROXIES, and ends X-Forwarded-For with the
//    peer it saw, so that no client can choose the address Strata records and throttles;
//  - drops `x-middleware-prefetch` on API paths, which would make Next.js answer `200 {}`
//    without running the route;
//  - sets the headers every response carries (nosniff, referrer policy, no framing, HSTS when
//    the dashboard is served over https), static files included.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { BODY_LIMIT_BYTES } from '../api/input';
import { recordRefusal } from '../auth/refusals';
import { log } from '../log';
import { NON_PAGE_CSP } from './csp';
import { clientAddress, trustedProxies, type TrustedProxies } from './trusted-proxies';

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORWARDED = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded', 'x-real-ip'];

export type FrontDoorOptions = {
  proxies?: TrustedProxies;
  /** STRATA_BASE_URL: over https, responses carry Strict-Transport-Security. */
  baseUrl?: string;
  bodyLimit?: number;
};

/** The headers every response carries. */
export function commonHeaders(baseUrl: string | undefined): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
    ...(baseUrl?.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

function refuse(req: IncomingMessage, res: ServerResponse, requestId: string, status: number, code: string, message: string, extra: Record<string, string> = {}): true {
  const body = JSON.stringify({ error: { code, message, requestId } });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'content-security-policy': NON_PAGE_CSP,
    'x-request-id': requestId,
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  // A path that is not text is logged as the bytes it was, escaped.
  log.info({ requestId, method: req.method, path: (req.url ?? '').split('?')[0]!.slice(0, 200), status }, 'request refused at the front door');
  return true;
}

/** Looks at one request; true when it answered it (the request goes no further). */
export function frontDoor(req: IncomingMessage, res: ServerResponse, opts: FrontDoorOptions = {}): boolean {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = requestId;
  for (const [name, value] of Object.entries(commonHeaders(opts.baseUrl ?? process.env.STRATA_BASE_URL))) res.setHeader(name, value);

  const method = req.method ?? '';
  if (!ALLOWED_METHODS.includes(method)) {
    return refuse(req, res, requestId, 405, 'method_not_allowed', `${method.slice(0, 20)} is not a method Strata answers`, { allow: ALLOWED_METHODS.join(', ') });
  }

  const url = req.url ?? '/';
  const pathname = url.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return refuse(req, res, requestId, 400, 'bad_request', 'path: not valid percent-encoded UTF-8');
  }
  if (decoded.includes('\0')) return refuse(req, res, requestId, 400, 'bad_request', 'path: must not contain NUL characters');

  const peer = req.socket.remoteAddress ?? 'unknown';
  const proxies = opts.proxies ?? trustedProxies();
  if (proxies.trusts(peer)) {
    const chain = req.headers['x-forwarded-for'];
    req.headers['x-forwarded-for'] = chain ? `${String(chain)}, ${peer}` : peer;
  } else {
    for (const h of FORWARDED) delete req.headers[h];
    req.headers['x-forwarded-for'] = peer;
  }

  const limit = opts.bodyLimit ?? BODY_LIMIT_BYTES;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    if (CHANGES.has(method) && pathname.startsWith('/api/')) {
      // The caller is not known yet: the audit row says what the request presented.
      recordRefusal({
        requestId,
        ip: clientAddress(String(req.headers['x-forwarded-for']).split(',').map((a) => a.trim()), proxies),
        method,
        path: decoded.slice(0, 200),
        status: 413,
        code: 'payload_too_large',
        message: `body of ${declared} bytes, over the ${limit}-byte limit`,
        presented: req.headers.authorization ? 'bearer token' : /strata\.session_token=/.test(req.headers.cookie ?? '') ? 'session cookie' : 'nothing',
      });
    }
    // The body is not read: the connection closes after the answer.
    return refuse(req, res, requestId, 413, 'payload_too_large', `body: larger than ${Math.round(limit / 1024)} KB; Strata's requests are small`, { connection: 'close' });
  }

  if (pathname.startsWith('/api/')) delete req.headers['x-middleware-prefetch'];
  return false;
}

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/** Puts the front door on one server (tests), or on every HTTP(S) server of the process. */
export function guardServer(target: { emit: Emit }, opts?: FrontDoorOptions): void {
  const emit = target.emit;
  target.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      try {
        if (frontDoor(req, res, opts)) return true;
      } catch (err) {
        log.error({ err }, 'the front door failed; the request goes on to Next.js');
      }
    }
    return emit.call(this, event, ...args);
  };
}

const installed = globalThis as { __strataFrontDoor?: boolean };

/** Installs the front door on Node's HTTP and HTTPS servers, once per process. */
export function installFrontDoor(): void {
  if (installed.__strataFrontDoor) return;
  installed.__strataFrontDoor = true;
  guardServer(http.Server.prototype as unknown as { emit: Emit });
  guardServer(https.Server.prototype as unknown as { emit: Emit });
}
