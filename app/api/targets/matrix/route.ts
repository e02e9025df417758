// GET /api/targets/matrix: every migration × every target (applied, pending, changed, missing file,
// unknown where a target could not be read), each target read independently within its own time limit.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { readMatrix } from '@/lib/targets/matrix';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  await authorize(req, ctx, mayView);
  return NextResponse.json(await readMatrix(readConfig()), { headers: { 'cache-control': 'no-store' } });
});
