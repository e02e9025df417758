import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { EvaluationsArea } from '@/components/evaluations/area';
import { EvaluationDetailView } from '@/components/evaluations/detail-view';
import { DbError } from '@/components/ui/db-error';
import { requirePageActor } from '@/lib/auth/page';
import { pageDb } from '@/lib/targets/page';
import { getEvaluation } from '@/lib/evaluations/detail';
import { log } from '@/lib/log';
import { evaluationIdSchema, type EvaluationDetail } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Evaluation' };

async function Detail({ id }: { id: number }) {
  let detail: EvaluationDetail | null;
  try {
    detail = await getEvaluation((await pageDb()).knex, id);
  } catch (err) {
    log.error({ err }, 'evaluation detail failed');
    return <DbError what="this evaluation" />;
  }
  // Before anything of the page is sent, so that the answer is an HTTP 404.
  if (!detail) notFound();
  return <EvaluationDetailView detail={detail} />;
}

export default async function EvaluationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: raw } = await params;
  await requirePageActor(`/evaluations/${encodeURIComponent(raw)}`);
  const id = evaluationIdSchema.safeParse({ id: raw });
  if (!id.success) notFound();
  return (
    <EvaluationsArea>
      <Detail id={id.data.id} />
    </EvaluationsArea>
  );
}
