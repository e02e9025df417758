'use client';
// Measured recall: the index's top-k at each probes (or ef_search) value against the exact top-k,
// as a background job the page polls, with a table and a chart to choose a setting from.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { ChartFrame, lazyChart } from '@/components/ui/chart-frame';
import { Button, ErrorText, INPUT } from '@/components/ui/controls';
import { Table } from '@/components/ui/table';
import type { AnnIndex, JobView, RecallBody, RecallResult } from '@/lib/schemas/vector-health';
import { qualified, RECALL_LIMITS } from '@/lib/schemas/vector-health-plain';
import { count, ms } from './format';
import { JobProgress } from './job-progress';
import { MUTED, NUM, TD, TH } from './parts';
import { useJob, useJobParam } from './use-job';

const RecallChart = lazyChart(() => import('./recall-chart').then((m) => m.RecallChart));

const interval = (p: { low: number; high: number }) => `${p.low.toFixed(2)}–${p.high.toFixed(2)}`;

function ResultView({ r }: { r: RecallResult }) {
  const current = r.points.find((p) => p.current);
  const widest = Math.max(...r.points.map((p) => p.high - p.low));
  const needed = Math.max(...r.points.map((p) => p.queriesForTwoHundredths));
  return (
    <div className="space-y-3" data-testid="recall-result">
      <p className="text-sm">
        recall@{r.k} of <code>{qualified(r.index.schema, r.index.name)}</code> over {count(r.queriesMeasured)} of {count(r.queriesPlanned)} sampled
        rows as queries{current ? `; at the current ${r.setting} = ${current.value}: ` : '.'}
        {current && <strong data-testid="recall-current">{current.recall.toFixed(3)}</strong>}
        {r.stoppedEarly && <span className="block text-amber-800 dark:text-amber-300">{r.stoppedEarly}</span>}
      </p>
      <Table label="Recall by setting">
        <thead>
          <tr>
            <th scope="col" className={`${TH} text-right`}>{r.setting}</th>
            <th scope="col" className={`${TH} text-right`}>recall@{r.k}</th>
            <th scope="col" className={`${TH} text-right`}>95% interval</th>
            <th scope="col" className={`${TH} text-right`}>median latency</th>
            <th scope="col" className={`${TH} text-right`}>95th percentile</th>
            <th scope="col" className={TH}>Note</th>
          </tr>
        </thead>
        <tbody>
          {r.points.map((p) => (
            <tr key={p.value} className="border-t border-slate-200 dark:border-slate-800" data-testid="recall-point">
              <td className={NUM}>{count(p.value)}</td>
              <td className={NUM}>{p.recall.toFixed(3)}</td>
              <td className={NUM} data-testid="recall-interval">
                {interval(p)}
              </td>
              <td className={NUM}>{ms(p.p50Ms)}</td>
              <td className={NUM}>{ms(p.p95Ms)}</td>
              <td className={TD}>{p.current ? 'current setting' : ''}</td>
            </tr>
          ))}
          <tr className="border-t border-slate-200 dark:border-slate-800">
            <td className={NUM}>exact</td>
            <td className={NUM}>1.000</td>
            <td className={NUM}>—</td>
            <td className={NUM}>{ms(r.exact.p50Ms)}</td>
            <td className={NUM}>{ms(r.exact.p95Ms)}</td>
            <td className={TD}>
              index scans off (the truth the index is measured against); the exact top-k of all {count(r.queriesMeasured)} queries came from one pass
              over the table in {ms(r.exact.passMs)}
            </td>
          </tr>
        </tbody>
      </Table>
      <p className={`text-sm ${MUTED}`} data-testid="recall-uncertainty">
        Each recall comes from {count(r.queriesMeasured)} queries × k = {count(r.k)} neighbour pairs; the 95% interval is the wider of Wilson’s on
        the pairs and the spread of the queries’ own recalls. Intervals here are up to ±{(widest / 2).toFixed(2)} wide: two settings (or two
        runs) whose intervals overlap cannot be told apart. For about ±0.02, measure with {count(needed)} queries
        {needed > RECALL_LIMITS.queries.max ? ` (more than one measurement takes: run several of ${RECALL_LIMITS.queries.max} and compare)` : ''}.
      </p>
      {r.timing.besidePass && (
        <p className={`text-sm ${MUTED}`} data-testid="recall-timing">
          The latencies were timed on a second connection beside the exact pass, which read the whole table on the first for{' '}
          {ms(Math.min(r.exact.passMs, r.timing.sweepMs))} of the {ms(r.timing.sweepMs)} they took: timings made meanwhile are a busy
          server’s. Both connections saw the same rows.
        </p>
      )}
      <ChartFrame testId="recall-chart" label={`Recall with its 95% interval and median latency by ${r.setting}. ${r.points.map((p) => `${r.setting} ${p.value}: recall ${p.recall.toFixed(2)} (${interval(p)}), ${p.p50Ms} ms`).join('; ')}`}>
        <RecallChart result={r} />
      </ChartFrame>
    </div>
  );
}

function Progress({ id }: { id: string }) {
  const job = useJob(id);
  if (job.isPending) return <p role="status" className="text-sm">Loading the measurement…</p>;
  if (job.isError) return <ErrorText>Could not read the measurement: {job.error.message}</ErrorText>;
  const result = job.data.result as RecallResult | null;
  return (
    <div className="space-y-4">
      <JobProgress job={job.data} label={`recall of ${job.data.subject}`} />
      {result && result.queriesMeasured > 0 && <ResultView r={result} />}
    </div>
  );
}

export function RecallCard({ indexes }: { indexes: AnnIndex[] }) {
  const [jobId, setJobId] = useJobParam('recall');
  const usable = indexes.filter((i) => i.valid && i.ready);
  const [choice, setChoice] = useState(usable[0] ? `${usable[0].schema}.${usable[0].name}` : '');
  const start = useMutation({
    mutationFn: (body: RecallBody) => apiFetch<{ job: JobView }>('/api/vector-health/recall', { method: 'POST', body }),
    onSuccess: (res) => setJobId(res.job.id),
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const ix = usable.find((i) => `${i.schema}.${i.name}` === choice);
    if (!ix) return;
    const values = String(f.get('values') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    start.mutate({
      index: { schema: ix.schema, name: ix.name },
      queries: Number(f.get('queries')),
      k: Number(f.get('k')),
      timeLimitSeconds: Number(f.get('seconds')),
      ...(values.length ? { values } : {}),
    });
  }
  return (
    <Card title="Recall, measured">
      <p className={`mb-4 text-sm ${MUTED}`}>
        Takes rows of the table as queries and compares the index’s top-k at each setting with the exact top-k (index scans off), in one read-only
        transaction that writes nothing. The exact top-k of every query comes from one pass over the table, used for every setting, so it takes
        about as long as one exact search; a run stopped by the time limit before the pass ends gives no recall.
      </p>
      {usable.length === 0 ? (
        <p className={`text-sm ${MUTED}`}>There is no valid ANN index to measure.</p>
      ) : (
        <form onSubmit={submit} className="mb-4 grid grid-cols-2 gap-3 md:grid-cols-6 md:items-end" aria-label="Measure recall">
          <label className="col-span-2 text-sm font-medium">
            Index
            <select value={choice} onChange={(e) => setChoice(e.target.value)} className={INPUT}>
              {usable.map((i) => (
                <option key={`${i.schema}.${i.name}`} value={`${i.schema}.${i.name}`}>
                  {qualified(i.schema, i.name)} ({i.method})
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm font-medium">
            Queries
            <input name="queries" type="number" min={RECALL_LIMITS.queries.min} max={RECALL_LIMITS.queries.max} defaultValue={RECALL_LIMITS.queries.default} className={INPUT} />
          </label>
          <label className="text-sm font-medium">
            k (LIMIT)
            <input name="k" type="number" min={RECALL_LIMITS.k.min} max={RECALL_LIMITS.k.max} defaultValue={RECALL_LIMITS.k.default} className={INPUT} />
          </label>
          <label className="text-sm font-medium">
            Values to try <span className="font-normal">(blank: around √lists)</span>
            <input name="values" placeholder="1, 5, 10, 20" className={INPUT} />
          </label>
          <label className="text-sm font-medium">
            Time limit (s)
            <input name="seconds" type="number" min={RECALL_LIMITS.seconds.min} max={RECALL_LIMITS.seconds.max} defaultValue={RECALL_LIMITS.seconds.default} className={INPUT} />
          </label>
          <div className="col-span-2 md:col-span-6">
            <Button type="submit" tone="primary" disabled={start.isPending}>
              {start.isPending ? 'Starting…' : 'Measure recall'}
            </Button>
          </div>
        </form>
      )}
      {start.isError && <ErrorText>{start.error.message}</ErrorText>}
      {jobId && <Progress id={jobId} />}
    </Card>
  );
}
