import type { Metadata } from 'next';
import { EvaluationsArea } from '@/components/evaluations/area';
import { DistributionsClient } from '@/components/evaluations/distributions-client';
import { evaluationKeys } from '@/components/evaluations/query-keys';
import { distributionsRequest } from '@/components/evaluations/url-state';
import { Prefetched, searchParamsOf, type FirstRead } from '@/components/prefetch';
import { requirePageActor } from '@/lib/auth/page';
import { pageDb } from '@/lib/targets/page';
import { getDistributions } from '@/lib/evaluations/distributions';
import { listForums } from '@/lib/evaluations/forums';
import { checkQuery } from '@/lib/evaluations/page-query';
import { distributionQuerySchema } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Evaluation distributions' };

export default async function EvaluationDistributionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageActor('/evaluations/distributions');
  const query = distributionsRequest(searchParamsOf(await searchParams));
  const checked = checkQuery(distributionQuerySchema, new URLSearchParams(query));
  const knex = async () => (await pageDb()).knex;
  const reads: FirstRead[] = [{ queryKey: evaluationKeys.forums(), read: async () => ({ forums: await listForums(await knex()) }) }];
  // The first answer: an estimate, or the exact figures when they are as quick (the client asks for them after an estimate).
  if (checked.ok) {
    reads.push({ queryKey: evaluationKeys.distributions(query, 'estimate'), read: async () => getDistributions(await knex(), { ...checked.data, mode: 'estimate' }) });
  }
  return (
    <EvaluationsArea>
      <Prefetched reads={reads}>
        <DistributionsClient problem={checked.ok ? null : checked.problem} />
      </Prefetched>
    </EvaluationsArea>
  );
}
