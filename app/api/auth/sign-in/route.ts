// POST /api/auth/sign-in: email and password; sets the session cookie. Public, throttled.
// JSON in, JSON out for scripts and the page's own fetch; the sign-in page's form also posts here by
// itself (before its scripts load), and is then answered with a redirect: to where the user was going,
// or back to the sign-in page saying what failed. The password never travels in a URL.
import { NextResponse, type NextRequest } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { isFormPost, parseBody, parseFields, readForm } from '@/lib/api/input';
import { getAuth } from '@/lib/auth/auth';
import { readAuthConfig } from '@/lib/auth/config';
import { ownOrigin } from '@/lib/auth/guard';
import { clientIp, isSameOrigin } from '@/lib/auth/request';
import { ApiError, toApiError } from '@/lib/api/errors';
import { signIn } from '@/lib/auth/sign-in';
import { getDb } from '@/lib/db/knex';
import { safeNextPath, SIGN_IN_FAILURES, signInBodySchema, signInFormSchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  // A browser that posts here from another site would sign its user into someone else's account.
  const browser = req.headers.has('origin') || req.headers.has('sec-fetch-site');
  if (browser && !isSameOrigin(req.headers, ownOrigin(req))) throw new ApiError('forbidden', 'Sign in from the dashboard itself');
  if (!isFormPost(req)) {
    const { actor, setCookies } = await attempt(req, ctx.requestId, await parseBody(req, signInBodySchema));
    return withCookies(NextResponse.json({ actor }), setCookies);
  }
  let next = '/';
  try {
    const fields = await readForm(req);
    next = safeNextPath(fields.next);
    const { email, password } = parseFields(fields, signInFormSchema);
    const { setCookies } = await attempt(req, ctx.requestId, { email, password });
    return withCookies(NextResponse.redirect(new URL(next, ownOrigin(req)), 303), setCookies);
  } catch (err) {
    const { code, details } = toApiError(err);
    if (!Object.hasOwn(SIGN_IN_FAILURES, code)) throw err;
    const back = new URL('/sign-in', ownOrigin(req));
    back.searchParams.set('next', next);
    back.searchParams.set('failed', code);
    // How long a throttled user waits, for the page to say.
    const retry = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retry === 'number') back.searchParams.set('retry', String(retry));
    return NextResponse.redirect(back, 303);
  }
});

async function attempt(req: NextRequest, requestId: string, body: { email: string; password: string }) {
  const db = await getDb();
  const config = readAuthConfig();
  return signIn(db, await getAuth(db, config), config, { ...body, ip: clientIp(req.headers), headers: req.headers, requestId });
}

function withCookies(res: NextResponse, cookies: string[]): NextResponse {
  for (const c of cookies) res.headers.append('set-cookie', c);
  return res;
}
