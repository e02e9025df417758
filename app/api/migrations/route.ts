// GET /api/migrations: every migration with its status, the last batch, and the lock.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { migrationsOverview } from '@/lib/migrations/status';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView, { fromMemoryWhileBusy: true });
  return NextResponse.json(await migrationsOverview(db, readConfig()), { headers: { 'cache-control': 'no-store' } });
});
