// GET /api/vector-health/jobs/{id}: one background job's state, progress and result (viewers).
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseParams } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { getJob } from '@/lib/jobs/registry';
import { jobIdParamSchema } from '@/lib/schemas/vector-health';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView, { fromMemoryWhileBusy: true });
  const { id } = parseParams(ctx.params, jobIdParamSchema);
  const job = await getJob(db, id);
  if (!job) throw new ApiError('not_found', 'No such job');
  return NextResponse.json({ job }, { headers: { 'cache-control': 'no-store' } });
});
