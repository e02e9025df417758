// POST /api/migrations/plan: pending migrations (up) or the last batch (down) previewed on the live database (rolled back) and on a shadow database.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayDryRun } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { makePlan } from '@/lib/migrations/plan';
import { planBodySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayDryRun);
  const { direction, exactCounts } = await parseBody(req, planBodySchema);
  return NextResponse.json({ plan: await makePlan(db.knex, readConfig(), direction, { signal: req.signal, exactCounts }) });
});
