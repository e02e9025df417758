// GET /api/evaluations: one page of content_evaluations, filtered and sorted, with cursors to the next and previous pages.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { browse } from '@/lib/evaluations/browse';
import { browseQuerySchema } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const query = parseQuery(req, browseQuerySchema);
  return NextResponse.json(await browse(db.knex, query), { headers: { 'cache-control': 'no-store' } });
});
