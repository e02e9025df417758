'use client';
// What a background job is doing now, how far along it is, and for how long.
import type { JobView } from '@/lib/schemas/vector-health';
import { ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';

function elapsed(job: JobView): string {
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  const s = Math.max(0, Math.round((end - Date.parse(job.startedAt)) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const STATUS: Record<JobView['status'], string> = { running: 'Running', done: 'Finished', failed: 'Failed', timed_out: 'Stopped at its time limit' };

export function JobProgress({ job, label }: { job: JobView; label: string }) {
  const pct = job.progress.total > 0 ? Math.min(100, Math.round((100 * job.progress.done) / job.progress.total)) : 0;
  return (
    <div className="space-y-2 text-sm" data-testid="job-progress" data-status={job.status}>
      <p>
        <span className="font-semibold">{STATUS[job.status]}</span>: {label} — started by {job.startedBy} <Time iso={job.startedAt} />, {elapsed(job)}
        {job.status === 'running' ? ' so far' : ''}.
      </p>
      {job.status === 'running' && (
        <>
          <div
            role="progressbar"
            aria-label={`${label}: progress`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800"
          >
            <div className="h-full bg-sky-600 transition-all dark:bg-sky-400" style={{ width: `${pct}%` }} />
          </div>
          <p className="text-slate-600 dark:text-slate-400">
            {pct}% — {job.progress.step}
          </p>
        </>
      )}
      {job.error && (job.status === 'failed' ? <ErrorText>{job.error}</ErrorText> : <p className="text-amber-800 dark:text-amber-300">{job.error}</p>)}
    </div>
  );
}
