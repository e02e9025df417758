import type { Metadata } from 'next';
import { Suspense } from 'react';
import { MigrationsClient } from '@/components/migrations/migrations-client';
import { DbError } from '@/components/ui/db-error';
import { requirePageActor } from '@/lib/auth/page';
import { mayReleaseLock, mayRunMigrations } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { pageDb } from '@/lib/targets/page';
import { log } from '@/lib/log';
import { migrationsOverview } from '@/lib/migrations/status';
import type { MigrationsStatus } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Migrations' };

export default async function MigrationsPage() {
  const actor = await requirePageActor('/migrations');
  let status: MigrationsStatus | null = null;
  try {
    status = await migrationsOverview(await pageDb(), readConfig());
  } catch (err) {
    log.error({ err }, 'migration status failed');
  }
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Migrations</h1>
      {status ? (
        <Suspense>
          <MigrationsClient
            initial={status}
            abilities={{ operate: mayRunMigrations(actor.role), releaseLock: mayReleaseLock(actor.role), role: actor.role, label: actor.label }}
          />
        </Suspense>
      ) : (
        <DbError what="the migrations" />
      )}
    </>
  );
}
