'use client';
// The vector health page: one report from GET /api/vector-health, drawn card by card; a part
// that failed says so without hiding the others.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiClientError, apiFetch } from '@/components/api-client';
import { Notice } from '@/components/ui/card';
import { Button } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import type { VectorHealthReport } from '@/lib/schemas/vector-health';
import { AnnIndexesCard } from './ann-indexes-card';
import { BuildsCard } from './builds-card';
import { ColumnsCard } from './columns-card';
import { CoverageCard } from './coverage-card';
import { ExtensionCard } from './extension-card';
import { IndexHealthCard } from './index-health-card';
import { MUTED } from './parts';
import { vectorKeys } from './query-keys';
import { RecallCard } from './recall-card';

export function VectorHealthClient({ canReindex }: { canReindex: boolean }) {
  const qc = useQueryClient();
  const report = useQuery({ queryKey: vectorKeys.report, queryFn: () => apiFetch<VectorHealthReport>('/api/vector-health') });
  if (report.isPending) {
    return (
      <p role="status" className="text-sm">
        Reading the catalog, the statistics and small samples…
      </p>
    );
  }
  if (report.isError) {
    return (
      <Notice tone="error">
        <p className="font-semibold">Could not read the vector health of this database: {report.error.message}</p>
        <p className="mt-1">Check that the database is running, then reload.{report.error instanceof ApiClientError && report.error.requestId ? ` Request id: ${report.error.requestId}.` : ''}</p>
      </Notice>
    );
  }
  const r = report.data;
  // Without pgvector the extension card says what to do; the vector parts would only repeat it.
  const noVector = r.extension.ok && !r.extension.data.installedVersion;
  return (
    <div className="grid max-w-7xl gap-6">
      <div className={`flex flex-wrap items-center gap-3 text-sm ${MUTED}`}>
        <span>
          Read <Time iso={r.generatedAt} /> in {r.ms.toLocaleString('en-US')} ms, from the catalog, the statistics and samples of up to 2,000 rows a
          table; figures marked ≈ are estimates.
        </span>
        <Button onClick={() => void qc.invalidateQueries({ queryKey: vectorKeys.report })} disabled={report.isFetching}>
          {report.isFetching ? 'Reading…' : 'Read again'}
        </Button>
      </div>
      <ExtensionCard section={r.extension} server={r.server} />
      {!noVector && (
        <>
          <AnnIndexesCard section={r.ann} canReindex={canReindex} concurrentReindex={r.server.concurrentReindex} />
          {r.ann.ok && r.ann.data.indexes.length > 0 && <RecallCard indexes={r.ann.data.indexes} />}
          <ColumnsCard section={r.columns} expected={r.expectedDimensions} />
          <CoverageCard section={r.coverage} />
        </>
      )}
      <IndexHealthCard section={r.indexHealth} />
      <BuildsCard initial={r.builds} />
    </div>
  );
}
