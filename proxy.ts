// In front of every page: a Content-Security-Policy with a fresh nonce (Next.js puts it on its own
// scripts), a check that the database answers (a page answers 503 with the dashboard's shell and a
// banner naming the database when it does not, instead of failing), and a browser without a
// session cookie sent to the sign-in page. The redirect is a convenience only: every page and
// every route handler checks the session itself (lib/auth/page.ts, guard.ts).
import { NextResponse, type NextRequest } from 'next/server';
import { DATABASE_DOWN_HEADER, encodeDatabaseDown } from './lib/db/down';
import { checkDatabase } from './lib/db/health';
import { pageCsp } from './lib/http/csp';
import { TARGET_HEADER, TARGET_PARAM } from './lib/targets/param';

const SESSION_COOKIES = ['strata.session_token', '__Secure-strata.session_token'];

export async function proxy(req: NextRequest): Promise<NextResponse> {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = pageCsp(nonce, { dev: process.env.NODE_ENV === 'development' });
  const headers = new Headers(req.headers);
  headers.set('content-security-policy', csp);
  headers.set('x-nonce', nonce);
  // Only this proxy says the database is down; a client cannot.
  headers.delete(DATABASE_DOWN_HEADER);
  // The page's target, from its URL (pages read it from this header; lib/targets/page.ts).
  headers.delete(TARGET_HEADER);
  const target = req.nextUrl.searchParams.get(TARGET_PARAM);
  if (target !== null) headers.set(TARGET_HEADER, target);
  const withCsp = (res: NextResponse) => {
    res.headers.set('content-security-policy', csp);
    return res;
  };

  const state = await checkDatabase();
  if (!state.ok) {
    headers.set(DATABASE_DOWN_HEADER, encodeDatabaseDown(state.failure));
    // The same page, rendered without the database (the layouts show the banner), as a 503.
    return withCsp(NextResponse.rewrite(req.nextUrl, { status: 503, request: { headers } }));
  }
  const onSignIn = req.nextUrl.pathname === '/sign-in';
  if (!onSignIn && !SESSION_COOKIES.some((name) => req.cookies.has(name))) {
    const url = req.nextUrl.clone();
    url.pathname = '/sign-in';
    url.search = `?next=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
    return withCsp(NextResponse.redirect(url));
  }
  return withCsp(NextResponse.next({ request: { headers } }));
}

export const config = {
  // Pages only: the API answers for itself, static files need neither a nonce nor a session.
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|robots.txt).*)'],
};
