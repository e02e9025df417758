// GET /api/migrations/runs: runs, rollbacks and lock releases through Strata, newest first.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { listRuns } from '@/lib/migrations/runs';
import { runsQuerySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const query = parseQuery(req, runsQuerySchema);
  return NextResponse.json(await listRuns(db.knex, readConfig().migrationsTable, query), { headers: { 'cache-control': 'no-store' } });
});
