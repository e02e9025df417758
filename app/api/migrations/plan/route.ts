// POST /api/migrations/plan: a dry run of pending migrations (up) or of the last batch (down), always rolled back.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayDryRun } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { getWorkDb } from '@/lib/db/knex';
import { makePlan } from '@/lib/migrations/plan';
import { planBodySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  await authorize(req, ctx, mayDryRun);
  const { direction } = await parseBody(req, planBodySchema);
  // A dry run executes the migrations (then rolls back): minutes for some, so on the connections
  // without the read bounds.
  return NextResponse.json({ plan: await makePlan((await getWorkDb()).knex, readConfig(), direction) });
});
