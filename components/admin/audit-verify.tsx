'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { Card, Notice } from '@/components/ui/card';
import { Button } from '@/components/ui/controls';
import type { ChainReportView } from '@/lib/schemas/auth';
import { adminKeys } from './query-keys';

/** The audit page's check of the hash chain: says whether it is whole, or the first row where it breaks. */
export function AuditVerify() {
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: () => apiFetch<{ report: ChainReportView }>('/api/audit/verify', { method: 'POST', body: {} }),
    // The check is itself in the trail.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.allAudit }),
  });
  const report = verify.data?.report;
  return (
    <Card title="Integrity">
      <p className="mb-3 text-sm text-slate-700 dark:text-slate-300">
        Every event carries a hash over its content and the event before it. Checking recomputes them all and names the
        first event that was changed, removed or added outside the trail.
      </p>
      <Button tone="primary" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {verify.isPending ? 'Checking…' : 'Verify the audit trail'}
      </Button>
      <div className="mt-3" aria-live="polite">
        {verify.isError && <Notice tone="error">Could not check the trail: {verify.error.message}</Notice>}
        {report?.ok && (
          <Notice tone="info">
            <p data-testid="audit-verify-result">
              Intact: {report.rows.toLocaleString('en')} events checked in {report.ms.toLocaleString('en')} ms.
            </p>
            <p className="mt-1 break-all font-mono text-xs">
              Head {report.head.seq}:{report.head.hash}
            </p>
            <p className="mt-1">Keep the head somewhere outside this database to prove later that nothing up to it was rewritten.</p>
          </Notice>
        )}
        {report && !report.ok && (
          <Notice tone="error">
            <p className="font-semibold" data-testid="audit-verify-result">
              Broken at event {report.problem!.seq}: {report.problem!.message}.
            </p>
            <p className="mt-1">{report.rows.toLocaleString('en')} events before it are intact.</p>
          </Notice>
        )}
      </div>
    </Card>
  );
}
