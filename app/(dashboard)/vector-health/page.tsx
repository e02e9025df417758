import type { Metadata } from 'next';
import { Suspense } from 'react';
import { VectorHealthClient } from '@/components/vector-health/vector-health-client';
import { requirePageActor } from '@/lib/auth/page';
import { mayReindex } from '@/lib/auth/permissions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Vector health' };

export default async function VectorHealthPage() {
  const actor = await requirePageActor('/vector-health');
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Vector health</h1>
      <Suspense>
        <VectorHealthClient canReindex={mayReindex(actor.role)} />
      </Suspense>
    </>
  );
}
