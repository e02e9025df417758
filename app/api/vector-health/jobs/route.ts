// GET /api/vector-health/jobs: this dashboard process's recent recall measurements, exact counts and rebuilds, newest first (viewers).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { listJobs } from '@/lib/jobs/registry';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView, { fromMemoryWhileBusy: true });
  parseQuery(req, z.strictObject({}));
  return NextResponse.json({ jobs: await listJobs(db) }, { headers: { 'cache-control': 'no-store' } });
});
