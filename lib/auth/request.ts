// Facts about the incoming request that authentication relies on.

/**
 * The client's address, from X-Forwarded-For. Next.js fills that header with the peer address
 * only when the request has none, and a reverse proxy appends the address it saw; so the entry
 * STRATA_TRUSTED_PROXIES from the end (default 1: the last) is the one a client cannot choose
 * when Strata sits behind that many proxies. Exposed directly, a client can send its own header.
 */
export function clientIp(headers: Headers, trustedProxies = Number(process.env.STRATA_TRUSTED_PROXIES ?? 1)): string {
  const chain = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const k = Number.isInteger(trustedProxies) && trustedProxies > 1 ? trustedProxies : 1;
  return chain[chain.length - k] ?? chain[0] ?? 'unknown';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isMutating(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Whether a cookie-authenticated request comes from the dashboard's own pages: browsers send
 * Sec-Fetch-Site (and Origin) on every such request, and a request without either is refused.
 */
export function isSameOrigin(headers: Headers, ownOrigin: string): boolean {
  const site = headers.get('sec-fetch-site');
  const origin = headers.get('origin');
  if (site === null && origin === null) return false;
  return (site === null || site === 'same-origin') && (origin === null || origin === ownOrigin);
}
