// Sends a browser without a session cookie to the sign-in page. This is a convenience only:
// every page and every route handler checks the session itself (lib/auth/page.ts, guard.ts).
import { NextResponse, type NextRequest } from 'next/server';

const SESSION_COOKIES = ['strata.session_token', '__Secure-strata.session_token'];

export function proxy(req: NextRequest): NextResponse {
  if (SESSION_COOKIES.some((name) => req.cookies.has(name))) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = '/sign-in';
  url.search = `?next=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages only: the API answers 401 itself, and the sign-in page and static files need no session.
  matcher: ['/((?!api/|_next/|sign-in|favicon.ico|icon.svg|robots.txt).*)'],
};
