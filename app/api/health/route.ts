// GET /api/health: liveness for load balancers; says only whether the database answers.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { checkHealth } from '@/lib/db/health';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async () => {
  const ok = await checkHealth();
  return NextResponse.json({ ok }, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
