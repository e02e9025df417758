import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EvaluationsArea } from '@/components/evaluations/area';
import { BrowseClient } from '@/components/evaluations/browse-client';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Evaluations' };

export default async function EvaluationsPage() {
  await requirePageActor('/evaluations');
  return (
    <EvaluationsArea>
      <Suspense>
        <BrowseClient />
      </Suspense>
    </EvaluationsArea>
  );
}
