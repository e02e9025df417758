// POST /api/account/password: the signed-in user changes their own password (the current one required); their other sessions end, this one is re-issued.
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { recordAudit } from '@/lib/auth/audit';
import { getAuth } from '@/lib/auth/auth';
import { readAuthConfig } from '@/lib/auth/config';
import { authorize } from '@/lib/auth/guard';
import { changeOwnPassword } from '@/lib/auth/passwords';
import { mayView } from '@/lib/auth/permissions';
import { changePasswordBodySchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, via, ip } = await authorize(req, ctx, mayView, { home: true });
  if (via !== 'session') throw new ApiError('bad_request', 'An API token has no password; a user changes theirs while signed in');
  const body = await parseBody(req, changePasswordBodySchema);
  const config = readAuthConfig();
  const { setCookies, sessionsEnded } = await changeOwnPassword(db, await getAuth(db, config), config, { actor, ...body, headers: req.headers, ip });
  await recordAudit(db, {
    actor,
    action: 'user.password_change',
    outcome: 'success',
    requestId: ctx.requestId,
    ip,
    details: { userId: actor.id, email: actor.label, sessionsEnded },
  });
  const res = NextResponse.json({ changed: true, sessionsEnded });
  for (const c of setCookies) res.headers.append('set-cookie', c);
  return res;
});
