import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EnvironmentsClient } from '@/components/environments/environments-client';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Environments' };

export default async function EnvironmentsPage() {
  await requirePageActor('/environments');
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">Environments</h1>
      <p className="mb-6 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Every migration on every database of the targets file, side by side. Each database is read on its own, within a few seconds: one that does not answer says so on its card and
        does not hold up the others.
      </p>
      <Suspense>
        <EnvironmentsClient />
      </Suspense>
    </>
  );
}
