// GET /api/migrations/runs/{id}: one run as it stands, with index-build progress while it runs (from memory while this process runs it).
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseParams } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readRun } from '@/lib/migrations/runs';
import { runIdParamSchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView, { fromMemoryWhileBusy: true });
  const { id } = parseParams(ctx.params, runIdParamSchema);
  const run = await readRun(db, id);
  if (!run) throw new ApiError('not_found', 'No such run');
  return NextResponse.json({ run }, { headers: { 'cache-control': 'no-store' } });
});
