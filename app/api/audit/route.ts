// GET /api/audit: the audit trail, newest first, filtered by actor and action, paged by id (admins).
// Without `?target=`: the home database's trail, which first gathers the other served targets' new rows
// (`forwarding` says how it went); with `?target=`, that target's own trail.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { listAudit } from '@/lib/auth/audit';
import { authorize } from '@/lib/auth/guard';
import { mayReadAudit } from '@/lib/auth/permissions';
import { auditQuerySchema } from '@/lib/schemas/auth';
import { gatherAudit, readsHomeTrail } from '@/lib/targets/audit-gather';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db, home, target } = await authorize(req, ctx, mayReadAudit);
  const query = parseQuery(req, auditQuerySchema);
  const atHome = readsHomeTrail(req.nextUrl.searchParams.get('target'), target);
  const forwarding = atHome && !query.before ? await gatherAudit(home) : [];
  return NextResponse.json({ ...(await listAudit((atHome ? home : db).knex, query)), forwarding }, { headers: { 'cache-control': 'no-store' } });
});
