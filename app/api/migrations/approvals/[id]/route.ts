// POST /api/migrations/approvals/{id} {"decision": "approve" | "refuse"}: another admin decides on a waiting rollback request; approving starts the run (202 with it).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody, parseParams } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayApproveRollback } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { decideRollback } from '@/lib/migrations/approvals';
import { approvalDecisionSchema, approvalIdParamSchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayApproveRollback);
  const { id } = parseParams(ctx.params, approvalIdParamSchema);
  const { decision } = await parseBody(req, approvalDecisionSchema);
  const { approval, started } = await decideRollback(db, readConfig(), actor, id, decision, { requestId: ctx.requestId, ip });
  return NextResponse.json(
    { approval, run: started?.run ?? null },
    started ? { status: 202, headers: { location: `/api/migrations/runs/${started.id}` } } : undefined,
  );
});
