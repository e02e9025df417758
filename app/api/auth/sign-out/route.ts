// POST /api/auth/sign-out: ends the browser session (the session row is deleted, the cookie cleared).
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { isFormPost } from '@/lib/api/input';
import { getAuth } from '@/lib/auth/auth';
import { authorize, ownOrigin } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { forgetCredentials } from '@/lib/auth/recent-credentials';
import { signOut } from '@/lib/auth/sign-in';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, via, ip } = await authorize(req, ctx, mayView, { home: true });
  if (via !== 'session') throw new ApiError('bad_request', 'An API token has no session to end; an admin revokes tokens');
  const cookies = await signOut(db, await getAuth(db), actor, req.headers, { requestId: ctx.requestId, ip });
  forgetCredentials();
  // The sidebar's button is a plain form, so that it works before the page's scripts have loaded:
  // a form post is answered with the sign-in page.
  const res = isFormPost(req) ? NextResponse.redirect(new URL('/sign-in', ownOrigin(req)), 303) : NextResponse.json({ signedOut: true });
  for (const c of cookies) res.headers.append('set-cookie', c);
  return res;
});
