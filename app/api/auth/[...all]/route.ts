// GET|POST /api/auth/*: better-auth's own endpoints, limited to the OIDC sign-in (its social sign-in with the provider 'oidc') and its
// callback. Every other path under /api/auth that Strata does not define itself is a 404.
import { NextResponse, type NextRequest } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { getAuth, OIDC_PROVIDER_ID } from '@/lib/auth/auth';
import { readAuthConfig } from '@/lib/auth/config';
import { getDb } from '@/lib/db/knex';

export const dynamic = 'force-dynamic';

const OIDC_PATHS = new Set(['/api/auth/sign-in/social', `/api/auth/callback/${OIDC_PROVIDER_ID}`]);

const passThrough = apiRoute<{ all: string[] }>(async (req: NextRequest) => {
  if (!readAuthConfig().oidc || !OIDC_PATHS.has(req.nextUrl.pathname)) throw new ApiError('not_found', 'No such endpoint');
  const db = await getDb();
  const auth = await getAuth(db);
  const res = await auth.handler(req);
  return res instanceof NextResponse ? res : new NextResponse(res.body, res);
});

export const GET = passThrough;
export const POST = passThrough;
