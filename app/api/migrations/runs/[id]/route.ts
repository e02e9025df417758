// GET /api/migrations/runs/{id}: one run as it stands, with index-build progress while it runs.
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseParams } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { getRun } from '@/lib/migrations/runs';
import { runIdParamSchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const { id } = parseParams(ctx.params, runIdParamSchema);
  const run = await getRun(db.knex, id);
  if (!run) throw new ApiError('not_found', 'No such run');
  return NextResponse.json({ run }, { headers: { 'cache-control': 'no-store' } });
});
