import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EvaluationsArea } from '@/components/evaluations/area';
import { DistributionsClient } from '@/components/evaluations/distributions-client';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Evaluation distributions' };

export default async function EvaluationDistributionsPage() {
  await requirePageActor('/evaluations/distributions');
  return (
    <EvaluationsArea>
      <Suspense>
        <DistributionsClient />
      </Suspense>
    </EvaluationsArea>
  );
}
