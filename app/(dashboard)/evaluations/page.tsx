import type { Metadata } from 'next';
import { EvaluationsArea } from '@/components/evaluations/area';
import { BrowseClient } from '@/components/evaluations/browse-client';
import { evaluationKeys } from '@/components/evaluations/query-keys';
import { browseRequest } from '@/components/evaluations/url-state';
import { Prefetched, searchParamsOf, type FirstRead } from '@/components/prefetch';
import { requirePageActor } from '@/lib/auth/page';
import { pageDb } from '@/lib/targets/page';
import { browse } from '@/lib/evaluations/browse';
import { countMatching } from '@/lib/evaluations/count';
import { listForums } from '@/lib/evaluations/forums';
import { checkQuery } from '@/lib/evaluations/page-query';
import { browseQuerySchema, filterQuerySchema } from '@/lib/schemas/evaluations';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Evaluations' };

export default async function EvaluationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageActor('/evaluations');
  const request = browseRequest(searchParamsOf(await searchParams));
  const checked = checkQuery(browseQuerySchema, new URLSearchParams(request.page));
  const filters = filterQuerySchema.safeParse(Object.fromEntries(new URLSearchParams(request.filters)));
  const knex = async () => (await pageDb()).knex;
  const reads: FirstRead[] = [{ queryKey: evaluationKeys.forums(), read: async () => ({ forums: await listForums(await knex()) }) }];
  if (checked.ok && filters.success) {
    reads.push(
      { queryKey: evaluationKeys.page(request.page), read: async () => browse(await knex(), checked.data) },
      { queryKey: evaluationKeys.count(request.filters), read: async () => countMatching(await knex(), filters.data) },
      { queryKey: evaluationKeys.count('orphans=only'), read: async () => countMatching(await knex(), { orphans: 'only' }) },
    );
  }
  return (
    <EvaluationsArea>
      <Prefetched reads={reads}>
        <BrowseClient problem={checked.ok ? null : checked.problem} />
      </Prefetched>
    </EvaluationsArea>
  );
}
