// GET /api/users: every user with role and sessions. POST /api/users: create one (admins).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { getAuth } from '@/lib/auth/auth';
import { authorize } from '@/lib/auth/guard';
import { mayManageUsers } from '@/lib/auth/permissions';
import { createUser, generatePassword, listUsers } from '@/lib/auth/users';
import { createUserBodySchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayManageUsers, { home: true });
  return NextResponse.json({ users: await listUsers(db.knex) }, { headers: { 'cache-control': 'no-store' } });
});

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayManageUsers, { home: true });
  const body = await parseBody(req, createUserBodySchema);
  const password = body.password ?? generatePassword();
  const user = await createUser(db.knex, await getAuth(db), { ...body, password });
  await recordAudit(db, {
    actor,
    action: 'user.create',
    outcome: 'success',
    requestId: ctx.requestId,
    ip,
    details: { userId: user.id, email: user.email, role: user.role },
  });
  // A generated password is returned this once; a chosen one is never echoed back.
  return NextResponse.json({ user, ...(body.password ? {} : { password }) }, { status: 201 });
});
