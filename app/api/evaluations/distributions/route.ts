// GET /api/evaluations/distributions: score histograms, percentiles, the quality × relevance grid and weekly medians.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { getDistributions } from '@/lib/evaluations/distributions';
import { distributionQuerySchema } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const query = parseQuery(req, distributionQuerySchema);
  return NextResponse.json(await getDistributions(db.knex, query), { headers: { 'cache-control': 'no-store' } });
});
