// GET /api/targets: the targets of the targets file in promotion order, and the one this dashboard manages.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { targetInfo, targetsSetup } from '@/lib/targets/registry';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  await authorize(req, ctx, mayView);
  const setup = targetsSetup();
  return NextResponse.json(
    { file: setup.file, targets: setup.targets.map(targetInfo), current: setup.current?.name ?? null },
    { headers: { 'cache-control': 'no-store' } },
  );
});
