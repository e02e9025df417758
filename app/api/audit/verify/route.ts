// POST /api/audit/verify: check the audit trail's hash chain and name the first changed, missing or added row (admins); the check is itself audited.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { verifyAuditChain } from '@/lib/auth/audit-chain';
import { authorize } from '@/lib/auth/guard';
import { readsHomeTrail } from '@/lib/targets/audit-gather';
import { mayReadAudit } from '@/lib/auth/permissions';
import { auditVerifyBodySchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db: onTarget, home, target, actor, ip } = await authorize(req, ctx, mayReadAudit);
  await parseBody(req, auditVerifyBodySchema);
  // The trail the audit page shows: the home one without `?target=`, else that target's own.
  const db = readsHomeTrail(req.nextUrl.searchParams.get('target'), target) ? home : onTarget;
  const report = await verifyAuditChain(db.knex);
  await recordAudit(db, {
    actor,
    action: 'audit.verify',
    outcome: report.ok ? 'success' : 'failure',
    requestId: ctx.requestId,
    ip,
    details: { rows: report.rows, head: report.head, ...(report.problem ? { problem: report.problem } : {}) },
  });
  return NextResponse.json({ report });
});
