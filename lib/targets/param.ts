// How a request names its target: `?target=` on the API and on pages. The proxy passes a page's
// on to the server components as a header (and drops one a client sent), since a layout is not
// given the page's query. Plain constants, for the proxy, the server and the browser alike.
export const TARGET_PARAM = 'target';
export const TARGET_HEADER = 'x-strata-target';

/** `href` with the target's parameter set (or removed, for null), keeping the rest of it. */
export function hrefForTarget(href: string, target: string | null): string {
  const url = new URL(href, 'http://strata.invalid');
  if (target) url.searchParams.set(TARGET_PARAM, target);
  else url.searchParams.delete(TARGET_PARAM);
  return url.pathname + url.search + url.hash;
}
