// POST /api/users/{id}/password-reset: a new generated password for the user, returned once; all their sessions end (admins).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody, parseParams } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { getAuth } from '@/lib/auth/auth';
import { authorize } from '@/lib/auth/guard';
import { resetPassword } from '@/lib/auth/passwords';
import { mayManageUsers } from '@/lib/auth/permissions';
import { generatePassword } from '@/lib/auth/users';
import { idParamSchema, resetPasswordBodySchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayManageUsers, { home: true });
  const { id } = parseParams(ctx.params, idParamSchema);
  await parseBody(req, resetPasswordBodySchema);
  const password = generatePassword();
  const { user, sessionsEnded } = await resetPassword(db.knex, await getAuth(db), id, password);
  await recordAudit(db, {
    actor,
    action: 'user.password_reset',
    outcome: 'success',
    requestId: ctx.requestId,
    ip,
    details: { userId: user.id, email: user.email, sessionsEnded },
  });
  // The password is returned this once; Strata keeps only its hash.
  return NextResponse.json({ user, password, sessionsEnded });
});
