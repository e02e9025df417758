// POST /api/migrations/lock/release: clear knex's migration lock once no session could hold it (admins).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayReleaseLock } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { releaseKnexLock } from '@/lib/migrations/release';
import { lockReleaseBodySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayReleaseLock);
  await parseBody(req, lockReleaseBodySchema);
  return NextResponse.json(await releaseKnexLock(db, readConfig(), actor, { requestId: ctx.requestId, ip }));
});
