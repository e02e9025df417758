// Facts about the incoming request that authentication relies on.
import { clientAddress, type TrustedProxies } from '../http/trusted-proxies';

/**
 * The client's address. The front door (lib/http/front-door.ts) makes X-Forwarded-For end with
 * the peer it saw, and drops what an untrusted peer sent; the address is the nearest entry that
 * is not one of STRATA_TRUSTED_PROXIES.
 */
export function clientIp(headers: Headers, proxies?: TrustedProxies): string {
  const chain = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const ip = clientAddress(chain, proxies);
  return /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip : 'unknown';
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
