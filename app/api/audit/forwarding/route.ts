// POST /api/audit/forwarding {"resume": "<target>"}: go on copying a target's audit rows into the
// home trail after it was reported rewritten (a restore from a backup, often), from the last row
// both trails share; what was copied before stays. Admins, by their own role; audited.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { resumeForwarding } from '@/lib/auth/audit-forward';
import { authorize } from '@/lib/auth/guard';
import { mayResumeAuditCopy } from '@/lib/auth/permissions';
import { auditForwardingBodySchema } from '@/lib/schemas/auth';
import { findTarget, targetDb } from '@/lib/targets/scope';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db: home, actor, ip } = await authorize(req, ctx, mayResumeAuditCopy, { home: true });
  const { resume } = await parseBody(req, auditForwardingBodySchema);
  const target = findTarget(resume);
  const resumed = await resumeForwarding(home, { name: target.name, label: target.label, db: await targetDb(target) });
  await recordAudit(home, {
    actor,
    action: 'audit.copy_resumed',
    outcome: 'success',
    requestId: ctx.requestId,
    ip,
    details: { ...resumed },
  });
  return NextResponse.json({ resumed });
});
