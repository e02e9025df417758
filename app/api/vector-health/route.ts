// GET /api/vector-health: pgvector, vector columns, ANN indexes, index health, embedding coverage and index builds, from the catalog, the statistics and bounded samples (viewers).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { getVectorHealth } from '@/lib/diagnostics/vector/report';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  parseQuery(req, z.strictObject({}));
  const report = await getVectorHealth(db);
  return NextResponse.json(report, { headers: { 'cache-control': 'no-store' } });
});
