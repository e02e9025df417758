import type { Metadata } from 'next';
import { Prefetched } from '@/components/prefetch';
import { vectorKeys } from '@/components/vector-health/query-keys';
import { VectorHealthClient } from '@/components/vector-health/vector-health-client';
import { requirePageActor } from '@/lib/auth/page';
import { mayReindex } from '@/lib/auth/permissions';
import { pageDb } from '@/lib/targets/page';
import { getVectorHealth } from '@/lib/diagnostics/vector/report';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Vector health' };

export default async function VectorHealthPage() {
  const actor = await requirePageActor('/vector-health');
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Vector health</h1>
      <Prefetched reads={[{ queryKey: vectorKeys.report, read: async () => getVectorHealth(await pageDb()) }]}>
        <VectorHealthClient canReindex={mayReindex(actor.role)} />
      </Prefetched>
    </>
  );
}
