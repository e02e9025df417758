// GET /api/evaluations/forums: the forums by name, for the filter menus.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { listForums } from '@/lib/evaluations/forums';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  return NextResponse.json({ forums: await listForums(db.knex) }, { headers: { 'cache-control': 'no-store' } });
});
