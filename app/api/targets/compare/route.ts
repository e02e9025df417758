// GET /api/targets/compare?a={target}&b={target}: the two targets' schemas compared (what would
// make b's like a's), each difference marked as explained by the migrations one has applied and
// the other not, or not (by hand, or drift). Both are only read; the replays run on the shadow.
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { compareQuerySchema } from '@/lib/schemas/compare';
import { compareTargets } from '@/lib/targets/compare';
import { targetsSetup } from '@/lib/targets/registry';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  await authorize(req, ctx, mayView);
  const { a, b } = parseQuery(req, compareQuerySchema);
  const setup = targetsSetup();
  const find = (name: string, field: 'a' | 'b') => {
    const t = setup.targets.find((x) => x.name === name);
    if (!t) throw new ApiError('bad_request', `${field}: no target is named "${name}" (the targets are ${setup.targets.map((x) => x.name).join(', ')})`, { field });
    return t;
  };
  const ta = find(a, 'a');
  const tb = find(b, 'b');
  if (ta === tb) throw new ApiError('bad_request', 'b: compare two different targets', { field: 'b' });
  return NextResponse.json(await compareTargets(readConfig(), ta, tb, { signal: req.signal }), { headers: { 'cache-control': 'no-store' } });
});
