// GET /api/audit: the audit trail, newest first, filtered by actor and action, paged by id (admins).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { listAudit } from '@/lib/auth/audit';
import { authorize } from '@/lib/auth/guard';
import { mayReadAudit } from '@/lib/auth/permissions';
import { auditQuerySchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayReadAudit);
  const query = parseQuery(req, auditQuerySchema);
  return NextResponse.json(await listAudit(db.knex, query), { headers: { 'cache-control': 'no-store' } });
});
