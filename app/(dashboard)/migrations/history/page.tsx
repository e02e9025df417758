import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { HistoryClient } from '@/components/migrations/history-client';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Migration history' };

export default async function MigrationHistoryPage() {
  await requirePageActor('/migrations/history');
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
        <HistoryClient />
      </Suspense>
    </>
  );
}
