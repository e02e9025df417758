// POST /api/vector-health/recall: start measuring an ANN index's recall against exact search, in a read-only transaction in the background; answers with the job to poll (viewers).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { startRecall } from '@/lib/diagnostics/vector/recall';
import { recallBodySchema } from '@/lib/schemas/vector-health';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor } = await authorize(req, ctx, mayView);
  const body = await parseBody(req, recallBodySchema);
  const { job, existing } = await startRecall(db, body, actor.label);
  return NextResponse.json({ job, existing }, { status: 202, headers: { 'cache-control': 'no-store' } });
});
