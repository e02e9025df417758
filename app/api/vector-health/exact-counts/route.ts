// POST /api/vector-health/exact-counts: start counting rows, NULLs, zero vectors and embedding coverage exactly, in the background; answers with the job to poll (viewers).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { startExactCounts } from '@/lib/diagnostics/vector/exact-counts';
import { exactCountsBodySchema } from '@/lib/schemas/vector-health';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor } = await authorize(req, ctx, mayView);
  const body = await parseBody(req, exactCountsBodySchema);
  const { job, existing } = await startExactCounts(db, body.table, actor.label);
  return NextResponse.json({ job, existing }, { status: 202, headers: { 'cache-control': 'no-store' } });
});
