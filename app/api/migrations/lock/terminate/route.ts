// POST /api/migrations/lock/terminate: end one of the sessions that could hold knex's lock (admins; confirmed and audited).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayTerminateSession } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { terminateSuspect } from '@/lib/migrations/release';
import { terminateBodySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayTerminateSession);
  const { pid } = await parseBody(req, terminateBodySchema);
  return NextResponse.json(await terminateSuspect(db, readConfig(), actor, pid, { requestId: ctx.requestId, ip }));
});
