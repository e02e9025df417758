// GET /api/migrations/drift: the live schema against the replay of its applied migrations on a shadow database.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { checkDrift } from '@/lib/migrations/drift';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  return NextResponse.json(await checkDrift(db.knex, readConfig(), { signal: req.signal }), { headers: { 'cache-control': 'no-store' } });
});
