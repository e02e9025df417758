// GET /api/evaluations/[id]: one evaluation, the content it evaluates and the other evaluations of that content.
import { NextResponse } from 'next/server';
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseParams } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { getEvaluation } from '@/lib/evaluations/detail';
import { evaluationIdSchema } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const { id } = parseParams(ctx.params, evaluationIdSchema);
  const detail = await getEvaluation(db.knex, id);
  if (!detail) throw new ApiError('not_found', `No evaluation with id ${id}`);
  return NextResponse.json(detail, { headers: { 'cache-control': 'no-store' } });
});
