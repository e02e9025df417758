// POST /api/migrations/rollback: roll back the batch the operator confirmed (with `run`: only if it is exactly what that run applied); 202 with the run, or with ?wait=1 its outcome.
// On a target that asks for a second admin's approval: 202 with the request (`approval`), which another admin decides at /api/migrations/approvals/{id}.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody, parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayRollback } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { approvalRule, requestRollback } from '@/lib/migrations/approvals';
import { runResponse } from '@/lib/migrations/respond';
import { rollbackBodySchema, waitQuerySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayRollback);
  const { wait } = parseQuery(req, waitQuerySchema);
  const { batch, run, backup } = await parseBody(req, rollbackBodySchema);
  if (approvalRule()) {
    const approval = await requestRollback(db, readConfig(), actor, { batch, undoesRun: run, backup }, { requestId: ctx.requestId, ip });
    return NextResponse.json({ approval }, { status: 202, headers: { location: `/api/migrations/approvals/${approval.id}` } });
  }
  return runResponse(db, actor, { kind: 'rollback', batch, undoesRun: run, backup }, { requestId: ctx.requestId, ip, wait: wait === '1' });
});
