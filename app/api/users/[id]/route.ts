// PATCH /api/users/{id}: change a user's role or disable them (their sessions end at once), or set
// their role on targets of the targets file (applies from their next request) (admins).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody, parseParams } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { authorize } from '@/lib/auth/guard';
import { mayManageUsers } from '@/lib/auth/permissions';
import { updateUser } from '@/lib/auth/users';
import { idParamSchema, updateUserBodySchema } from '@/lib/schemas/auth';
import { targetLabels } from '@/lib/targets/scope';

export const dynamic = 'force-dynamic';

export const PATCH = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayManageUsers, { home: true });
  const { id } = parseParams(ctx.params, idParamSchema);
  const change = await parseBody(req, updateUserBodySchema);
  const labels = targetLabels(Object.keys(change.targetRoles ?? {}), 'targetRoles');
  const { before, after } = await updateUser(db.knex, id, change, labels);
  await recordAudit(db, {
    actor,
    action: 'user.update',
    outcome: 'success',
    requestId: ctx.requestId,
    ip,
    details: {
      userId: id,
      email: after.email,
      from: { role: before.role, disabled: before.disabled },
      to: { role: after.role, disabled: after.disabled },
      ...(change.targetRoles ? { targetRoles: { from: before.targetRoles, to: after.targetRoles } } : {}),
    },
  });
  return NextResponse.json({ user: after });
});
