import type { Metadata } from 'next';
import Link from '@/components/ui/target-link';
import { Suspense } from 'react';
import { HistoryClient } from '@/components/migrations/history-client';
import { migrationKeys } from '@/components/migrations/query-keys';
import { Prefetched, searchParamsOf, type FirstRead } from '@/components/prefetch';
import { requirePageActor } from '@/lib/auth/page';
import { readConfig } from '@/lib/config';
import { pageDb } from '@/lib/targets/page';
import { listRuns } from '@/lib/migrations/runs';
import { runsQuerySchema } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Migration history' };

export default async function MigrationHistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageActor('/migrations/history');
  // The first page of runs comes with the page; older pages (`before`) are asked for by the browser.
  const before = searchParamsOf(await searchParams).get('before');
  const reads: FirstRead[] = before
    ? []
    : [{ queryKey: [...migrationKeys.runs, null], read: async () => listRuns((await pageDb()).knex, readConfig().migrationsTable, runsQuerySchema.parse({})) }];
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/migrations" className="underline">
          Migrations
        </Link>{' '}
        /
      </p>
      <h1 className="mb-6 text-2xl font-bold">Migration history</h1>
      <Suspense>
        <Prefetched reads={reads}>
          <HistoryClient />
        </Prefetched>
      </Suspense>
    </>
  );
}
