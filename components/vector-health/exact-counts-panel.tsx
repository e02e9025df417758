'use client';
// Exact counts as a background job: rows, NULLs, zero vectors and coverage, read in block ranges.
import { useMutation } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { Button, ErrorText } from '@/components/ui/controls';
import { Table } from '@/components/ui/table';
import type { ExactCountsResult, JobView } from '@/lib/schemas/vector-health';
import { qualified } from '@/lib/schemas/vector-health-plain';
import { count, percent } from './format';
import { JobProgress } from './job-progress';
import { MUTED, NUM, TD, TH } from './parts';
import { useJob, useJobParam } from './use-job';

function Result({ r }: { r: ExactCountsResult }) {
  return (
    <div className="space-y-3" data-testid="exact-counts">
      <Table label="Vector columns, counted exactly">
        <caption className="mb-1 text-left font-semibold">Vector columns, counted exactly</caption>
        <thead>
          <tr>
            <th scope="col" className={TH}>Column</th>
            <th scope="col" className={`${TH} text-right`}>Rows</th>
            <th scope="col" className={`${TH} text-right`}>NULLs</th>
            <th scope="col" className={`${TH} text-right`}>Zero vectors</th>
          </tr>
        </thead>
        <tbody>
          {r.columns.map((c) => (
            <tr key={`${c.schema}.${c.table}.${c.column}`} className="border-t border-slate-200 dark:border-slate-800">
              <td className={`${TD} font-mono`}>{qualified(c.schema, c.table)}.{c.column}</td>
              <td className={NUM}>{count(c.rows)}</td>
              <td className={NUM}>{count(c.nulls)}</td>
              <td className={NUM}>{count(c.zeros)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      <Table label="Coverage, counted exactly">
        <caption className="mb-1 text-left font-semibold">Coverage, counted exactly</caption>
        <thead>
          <tr>
            <th scope="col" className={TH}>Content</th>
            <th scope="col" className={`${TH} text-right`}>Rows</th>
            <th scope="col" className={`${TH} text-right`}>Without a vector</th>
            <th scope="col" className={`${TH} text-right`}>Vectors</th>
            <th scope="col" className={`${TH} text-right`}>Older than their content</th>
          </tr>
        </thead>
        <tbody>
          {r.coverage.map((c) => (
            <tr key={c.vectors} className="border-t border-slate-200 dark:border-slate-800">
              <td className={`${TD} font-mono`}>{c.content}</td>
              <td className={NUM}>{count(c.contentRows)}</td>
              <td className={NUM}>
                {count(c.missing)} <span className={MUTED}>({percent(c.missing, c.contentRows)})</span>
                {c.missingExamples.length > 0 && <span className={`block text-xs ${MUTED}`}>e.g. {c.missingExamples.join(', ')}</span>}
              </td>
              <td className={NUM}>{count(c.vectorRows)}</td>
              <td className={NUM}>
                {c.stale === null ? '—' : count(c.stale)} {c.stale !== null && <span className={MUTED}>({percent(c.stale, c.vectorRows)})</span>}
                {c.staleExamples.length > 0 && <span className={`block text-xs ${MUTED}`}>e.g. {c.staleExamples.join(', ')}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}

function Progress({ id }: { id: string }) {
  const job = useJob(id);
  if (job.isPending) return <p role="status" className="text-sm">Loading the counts…</p>;
  if (job.isError) return <ErrorText>Could not read the counts: {job.error.message}</ErrorText>;
  const r = job.data.result as ExactCountsResult | null;
  return (
    <div className="space-y-3">
      <JobProgress job={job.data} label="exact counts" />
      {r && job.data.status === 'done' && <Result r={r} />}
    </div>
  );
}

export function ExactCountsPanel() {
  const [jobId, setJobId] = useJobParam('counts');
  const start = useMutation({
    mutationFn: () => apiFetch<{ job: JobView }>('/api/vector-health/exact-counts', { method: 'POST', body: {} }),
    onSuccess: (res) => setJobId(res.job.id),
  });
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={() => start.mutate()} disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Count exactly'}
        </Button>
        <span className={`text-sm ${MUTED}`}>Reads every vector table and its content table in full, in the background.</span>
      </div>
      {start.isError && <ErrorText>{start.error.message}</ErrorText>}
      {jobId && <Progress id={jobId} />}
    </div>
  );
}
