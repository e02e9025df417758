// POST /api/migrations/plan: pending migrations (up) or the last batch (down) previewed on the live database (rolled back) and on a shadow database.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayDryRun } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { requestWorkDb } from '@/lib/targets/scope';
import { planForRequest } from '@/lib/migrations/plan-request';
import { planBodySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { actor } = await authorize(req, ctx, mayDryRun);
  const { direction, exactCounts } = await parseBody(req, planBodySchema);
  // A dry run executes the migrations (then rolls back): minutes for some, so on the connections
  // without the read bounds.
  const plan = await planForRequest(await requestWorkDb(), readConfig(), direction, { by: actor.label, requestId: ctx.requestId, signal: req.signal, exactCounts });
  return NextResponse.json({ plan });
});
