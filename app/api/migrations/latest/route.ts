// POST /api/migrations/latest: run the pending migrations the operator confirmed; 202 with the run, or with ?wait=1 its outcome.
// On a protected target, 409 when the "staging first" rule refuses; an admin may send `override: { reason }`.
import { apiRoute } from '@/lib/api/handler';
import { parseBody, parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayRunMigrations } from '@/lib/auth/permissions';
import { runResponse } from '@/lib/migrations/respond';
import { latestBodySchema, waitQuerySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db, actor, ip } = await authorize(req, ctx, mayRunMigrations);
  const { wait } = parseQuery(req, waitQuerySchema);
  const { expected, override, backup } = await parseBody(req, latestBodySchema);
  return runResponse(db, actor, { kind: 'latest', expected, override, backup }, { requestId: ctx.requestId, ip, wait: wait === '1' });
});
