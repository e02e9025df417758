import type { Metadata } from 'next';
import { AuditClient } from '@/components/admin/audit-client';
import { AuditVerify } from '@/components/admin/audit-verify';
import { adminKeys, auditFilters } from '@/components/admin/query-keys';
import { Prefetched, searchParamsOf, type FirstRead } from '@/components/prefetch';
import { Forbidden } from '@/components/ui/controls';
import { listAudit } from '@/lib/auth/audit';
import { requirePageActor } from '@/lib/auth/page';
import { mayReadAudit } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db/knex';
import { gatherAudit, readsHomeTrail } from '@/lib/targets/audit-gather';
import { pageDb, pageTarget, pageTargetName } from '@/lib/targets/page';
import { auditQuerySchema } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Audit trail' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor('/admin/audit');
  const filters = auditFilters(searchParamsOf(await searchParams));
  const query = auditQuerySchema.safeParse(filters);
  // A filter the API would refuse is left to the browser, which shows the API's message.
  const reads: FirstRead[] = query.success
    ? [
        {
          queryKey: adminKeys.audit(filters),
          // The home trail gathers the other targets' new rows first (lib/targets/audit-gather.ts).
          read: async () => {
            const atHome = readsHomeTrail(await pageTargetName(), await pageTarget());
            const home = await getDb();
            const forwarding = atHome && !query.data.before ? await gatherAudit(home) : [];
            return { ...(await listAudit((atHome ? home : await pageDb()).knex, query.data)), forwarding };
          },
        },
      ]
    : [];
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Audit trail</h1>
      {mayReadAudit(actor.role) ? (
        <div className="flex flex-col gap-6">
          <AuditVerify />
          <Prefetched reads={reads}>
            <AuditClient />
          </Prefetched>
        </div>
      ) : (
        <Forbidden what="read the audit trail" />
      )}
    </>
  );
}
