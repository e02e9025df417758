// DELETE /api/tokens/{id}: revoke a token; it stops working at once. Revoking twice is harmless (admins).
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseParams } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { authorize } from '@/lib/auth/guard';
import { mayManageTokens } from '@/lib/auth/permissions';
import { revokeToken } from '@/lib/auth/tokens';
import { tokenIdParamSchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayManageTokens, { home: true });
  const { id } = parseParams(ctx.params, tokenIdParamSchema);
  const record = await revokeToken(db.knex, id, actor.label);
  if (!record) throw new ApiError('not_found', 'No such token');
  await recordAudit(db, {
    actor,
    action: 'token.revoke',
    outcome: 'success',
    requestId: ctx.requestId,
    ip,
    details: { tokenId: record.id, name: record.name, role: record.role },
  });
  return NextResponse.json({ record });
});
