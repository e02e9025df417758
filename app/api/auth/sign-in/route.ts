// POST /api/auth/sign-in: email and password; sets the session cookie. Public, throttled.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { getAuth } from '@/lib/auth/auth';
import { readAuthConfig } from '@/lib/auth/config';
import { ownOrigin } from '@/lib/auth/guard';
import { clientIp, isSameOrigin } from '@/lib/auth/request';
import { ApiError } from '@/lib/api/errors';
import { signIn } from '@/lib/auth/sign-in';
import { getDb } from '@/lib/db/knex';
import { signInBodySchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  // A browser that posts here from another site would sign its user into someone else's account.
  const browser = req.headers.has('origin') || req.headers.has('sec-fetch-site');
  if (browser && !isSameOrigin(req.headers, ownOrigin(req))) throw new ApiError('forbidden', 'Sign in from the dashboard itself');
  const body = await parseBody(req, signInBodySchema);
  const db = await getDb();
  const config = readAuthConfig();
  const { actor, setCookies } = await signIn(db, await getAuth(db.knex, config), config, {
    ...body,
    ip: clientIp(req.headers),
    headers: req.headers,
    requestId: ctx.requestId,
  });
  const res = NextResponse.json({ actor });
  for (const c of setCookies) res.headers.append('set-cookie', c);
  return res;
});
