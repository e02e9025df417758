import type { Metadata } from 'next';
import Link from 'next/link';
import { EvaluationsArea } from '@/components/evaluations/area';
import { EvaluationDetailView } from '@/components/evaluations/detail-view';
import { Notice } from '@/components/ui/card';
import { DbError } from '@/components/ui/db-error';
import { requirePageActor } from '@/lib/auth/page';
import { getDb } from '@/lib/db/knex';
import { getEvaluation } from '@/lib/evaluations/detail';
import { log } from '@/lib/log';
import { evaluationIdSchema, type EvaluationDetail } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Evaluation' };

async function Detail({ id }: { id: number }) {
  let detail: EvaluationDetail | null;
  try {
    detail = await getEvaluation((await getDb()).knex, id);
  } catch (err) {
    log.error({ err }, 'evaluation detail failed');
    return <DbError what="this evaluation" />;
  }
  if (!detail) {
    return (
      <Notice tone="info">
        There is no evaluation with id {id}; it may have been deleted. <Link href="/evaluations" className="underline">Back to the list</Link>
      </Notice>
    );
  }
  return <EvaluationDetailView detail={detail} />;
}

export default async function EvaluationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: raw } = await params;
  await requirePageActor(`/evaluations/${encodeURIComponent(raw)}`);
  const id = evaluationIdSchema.safeParse({ id: raw });
  return (
    <EvaluationsArea>
      {id.success ? (
        <Detail id={id.data.id} />
      ) : (
        <Notice tone="info">
          “{raw}” is not an evaluation id. <Link href="/evaluations" className="underline">Back to the list</Link>
        </Notice>
      )}
    </EvaluationsArea>
  );
}
