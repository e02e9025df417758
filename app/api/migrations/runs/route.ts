// GET /api/migrations/runs: runs, rollbacks and lock releases through Strata, newest first.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { listRuns } from '@/lib/migrations/runs';
import { instantSchema } from '@/lib/schemas/instant';
import { runsQuerySchema } from '@/lib/schemas/migrations';

// `before` is checked as every time the API takes is (a real date, an offset PostgreSQL reads) and
// normalised to UTC.
const querySchema = runsQuerySchema.extend({ before: instantSchema().optional() });

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const query = parseQuery(req, querySchema);
  return NextResponse.json(await listRuns(db.knex, readConfig().migrationsTable, query), { headers: { 'cache-control': 'no-store' } });
});
