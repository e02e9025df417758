import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuditClient } from '@/components/admin/audit-client';
import { AuditVerify } from '@/components/admin/audit-verify';
import { Forbidden } from '@/components/ui/controls';
import { requirePageActor } from '@/lib/auth/page';
import { mayReadAudit } from '@/lib/auth/permissions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Audit trail' };

export default async function AuditPage() {
  const actor = await requirePageActor('/admin/audit');
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Audit trail</h1>
      {mayReadAudit(actor.role) ? (
        <div className="flex flex-col gap-6">
          <AuditVerify />
          <Suspense>
            <AuditClient />
          </Suspense>
        </div>
      ) : (
        <Forbidden what="read the audit trail" />
      )}
    </>
  );
}
