// POST /api/migrations/plan: a dry run of pending migrations (up) or of the last batch (down), always rolled back.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayDryRun } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { planForRequest } from '@/lib/migrations/plan-request';
import { planBodySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor } = await authorize(req, ctx, mayDryRun);
  const { direction } = await parseBody(req, planBodySchema);
  return NextResponse.json({ plan: await planForRequest(db, readConfig(), direction, actor.label, ctx.requestId) });
});
