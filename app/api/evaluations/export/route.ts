// GET /api/evaluations/export: every evaluation matching the filter, in the chosen order, as a streamed CSV download.
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { exportEvaluations } from '@/lib/evaluations/export';
import { exportQuerySchema } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const query = parseQuery(req, exportQuerySchema);
  const stream = await exportEvaluations(db, query);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="content-evaluations-${day}.csv"`,
      'cache-control': 'no-store',
    },
  });
});
