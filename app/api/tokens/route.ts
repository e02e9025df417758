// GET /api/tokens: every API token (never the token itself). POST /api/tokens: make one; the
// response carries the token, the only time it is shown (admins).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { authorize } from '@/lib/auth/guard';
import { mayManageTokens } from '@/lib/auth/permissions';
import { createToken, listTokens, ownerOf } from '@/lib/auth/tokens';
import { createTokenBodySchema } from '@/lib/schemas/auth';
import { targetLabels } from '@/lib/targets/scope';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayManageTokens, { home: true });
  return NextResponse.json({ tokens: await listTokens(db.knex) });
});

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayManageTokens, { home: true });
  const body = await parseBody(req, createTokenBodySchema);
  targetLabels(body.targets ?? [], 'targets');
  const { token, record } = await createToken(db.knex, { ...body, createdBy: actor.label, owner: await ownerOf(db.knex, actor) });
  await recordAudit(db, {
    actor,
    action: 'token.create',
    outcome: 'success',
    requestId: ctx.requestId,
    ip,
    details: { tokenId: record.id, name: record.name, role: record.role, expiresAt: record.expiresAt, targets: record.targets },
  });
  return NextResponse.json({ token, record }, { status: 201 });
});
