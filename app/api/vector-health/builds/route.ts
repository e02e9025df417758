// GET /api/vector-health/builds: CREATE INDEX and REINDEX runs in progress, with phase and percent (viewers).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { getIndexBuilds } from '@/lib/diagnostics/vector/report';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  parseQuery(req, z.strictObject({}));
  return NextResponse.json({ builds: await getIndexBuilds(db) }, { headers: { 'cache-control': 'no-store' } });
});
