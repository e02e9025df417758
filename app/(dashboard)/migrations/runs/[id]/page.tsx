import type { Metadata } from 'next';
import Link from '@/components/ui/target-link';
import { notFound } from 'next/navigation';
import { RunPageClient } from '@/components/migrations/run-page-client';
import { ApiError } from '@/lib/api/errors';
import { DbError } from '@/components/ui/db-error';
import { requirePageActor } from '@/lib/auth/page';
import { mayReadAudit } from '@/lib/auth/permissions';
import { pageDb } from '@/lib/targets/page';
import { log } from '@/lib/log';
import { readRun } from '@/lib/migrations/runs';
import { runIdParamSchema, type RunDetail } from '@/lib/schemas/migrations';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Migration run' };

export default async function MigrationRunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor(`/migrations/runs/${encodeURIComponent(id)}`);
  if (!runIdParamSchema.safeParse({ id }).success) notFound();
  let run: RunDetail | null = null;
  let failed = false;
  let busy: string | null = null;
  try {
    run = await readRun(await pageDb(), id);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'database_busy') busy = err.message;
    else log.error({ err }, 'reading a run failed');
    failed = true;
  }
  if (!failed && !run) notFound();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/migrations" className="underline">
          Migrations
        </Link>{' '}
        /{' '}
        <Link href="/migrations/history" className="underline">
          History
        </Link>{' '}
        /
      </p>
      {run ? <RunPageClient initial={run} auditLink={mayReadAudit(actor.role)} /> : <DbError what="this run" busy={busy} />}
    </>
  );
}
