// The Content-Security-Policy of the dashboard's pages. Scripts run only with the nonce the proxy
// makes for each request (Next.js puts it on its own scripts) and what those load
// ('strict-dynamic'); nothing may frame a page; forms post only to the dashboard.
// Styles allow inline: React writes `style` attributes and chart libraries set them, and a nonce
// cannot cover an attribute; stylesheets come from the dashboard only.

export function pageCsp(nonce: string, opts: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code for its error overlay and fast refresh.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self'${opts.dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of anything that is not a page (API answers, static files): nothing to run, no frames. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";
