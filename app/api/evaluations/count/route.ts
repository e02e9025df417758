// GET /api/evaluations/count: how many evaluations match a filter (exact, or the planner's estimate when counting would be slow).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { countMatching } from '@/lib/evaluations/count';
import { filterQuerySchema } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const filters = parseQuery(req, filterQuerySchema);
  return NextResponse.json(await countMatching(db.knex, filters), { headers: { 'cache-control': 'no-store' } });
});
