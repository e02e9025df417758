// POST /api/vector-health/reindex: rebuild an ivfflat or HNSW index (REINDEX, CONCURRENTLY where the server can) in the background, audited as vector.reindex; answers with the job to poll (operators).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayReindex } from '@/lib/auth/permissions';
import { requestWorkDb } from '@/lib/targets/scope';
import { startReindex } from '@/lib/diagnostics/vector/reindex';
import { reindexBodySchema } from '@/lib/schemas/vector-health';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { actor, ip } = await authorize(req, ctx, mayReindex);
  const body = await parseBody(req, reindexBodySchema);
  // A rebuild runs for minutes: on the connections without the read bounds.
  const { job, existing } = await startReindex(await requestWorkDb(), body, { actor, requestId: ctx.requestId, ip });
  return NextResponse.json({ job, existing }, { status: 202 });
});
