import 'server-only';
// Background jobs of the dashboard process (recall measurements, exact counts, index rebuilds).
// Their state lives in this process's memory, keyed by a random id, so a page reloaded while a job
// runs finds it again through GET .../jobs/{id}. A restart forgets them: each job is either
// read-only or (a rebuild) leaves its trace in the catalog and the audit trail.
import { randomUUID } from 'node:crypto';
import { holdingEmbedded } from '../db/embedded-busy';
import type { DbTarget } from '../db/target';
import { log } from '../log';
import type { JobKind, JobStatus, JobView } from '../schemas/vector-health';

type Result = NonNullable<JobView['result']>;

export type JobContext = {
  progress(done: number, total: number, step: string): void;
  /** Keeps a partial result, shown while the job runs and kept if it stops early. */
  partial(result: Result): void;
};

/** Thrown by a job that ran out of time: what it measured so far is kept as its result. */
export class JobTimeout extends Error {
  override name = 'JobTimeout';
}

type Entry = JobView & { key: string };

/** Measurements and counts running at once in this process; each holds a connection. */
export const MAX_RUNNING_JOBS = 3;

const KEEP_FINISHED_MS = 24 * 60 * 60 * 1000;
const KEEP_AT_MOST = 100;

const holder = globalThis as { __strataJobs?: Map<string, Entry> };
function jobs(): Map<string, Entry> {
  holder.__strataJobs ??= new Map();
  return holder.__strataJobs;
}

function view(e: Entry): JobView {
  // A copy: the caller may serialize it while the job keeps changing the entry.
  const copy: Partial<Entry> = structuredClone(e);
  delete copy.key;
  return copy as JobView;
}

function prune(): void {
  const all = jobs();
  const now = Date.now();
  const finished = [...all.values()].filter((j) => j.status !== 'running').sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const j of finished) {
    if (all.size <= KEEP_AT_MOST && now - Date.parse(j.finishedAt ?? j.startedAt) < KEEP_FINISHED_MS) continue;
    all.delete(j.id);
  }
}

export function runningJob(kind: JobKind, key: string): JobView | null {
  for (const j of jobs().values()) if (j.kind === kind && j.key === key && j.status === 'running') return view(j);
  return null;
}

export function runningCount(): number {
  let n = 0;
  for (const j of jobs().values()) if (j.status === 'running') n++;
  return n;
}

/**
 * Starts `run` in the background and returns its job at once. `key` names what the job works on;
 * the caller checks runningJob(kind, key) first when a second identical job makes no sense.
 */
const JOB_WHAT: Record<JobKind, string> = { recall: 'a recall measurement', 'exact-counts': 'an exact count', reindex: 'an index rebuild' };

export function startJob(
  spec: { kind: JobKind; key: string; subject: string; startedBy: string; target: DbTarget },
  run: (ctx: JobContext) => Promise<Result>,
  onFinish?: (job: JobView) => Promise<void>,
): JobView {
  prune();
  const entry: Entry = {
    id: randomUUID(),
    kind: spec.kind,
    key: spec.key,
    subject: spec.subject,
    status: 'running',
    startedBy: spec.startedBy,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    progress: { done: 0, total: 1, step: 'starting' },
    error: null,
    result: null,
  };
  jobs().set(entry.id, entry);
  const ctx: JobContext = {
    progress(done, total, step) {
      entry.progress = { done, total, step };
    },
    partial(result) {
      entry.result = result;
    },
  };
  // The follow-up (an audit record) is written before the job shows as finished, so whoever
  // sees it finished also finds its record.
  const finish = async (status: JobStatus, result: Result | null, error: string | null) => {
    const final: Entry = {
      ...entry,
      status,
      result: result ?? entry.result,
      error,
      finishedAt: new Date().toISOString(),
      progress: status === 'done' ? { ...entry.progress, done: entry.progress.total, step: 'done' } : entry.progress,
    };
    await onFinish?.(view(final)).catch((err: unknown) => log.error({ err, jobId: entry.id }, 'job follow-up failed'));
    Object.assign(entry, final);
  };
  // On the embedded database the job holds the only connection: requests say so instead of waiting.
  const holder = { kind: 'job' as const, what: `${JOB_WHAT[spec.kind]} of ${spec.subject}`, id: entry.id, by: spec.startedBy };
  void holdingEmbedded(spec.target, holder, async () => {
    try {
      await finish('done', await run(ctx), null);
    } catch (err) {
      if (err instanceof JobTimeout) await finish('timed_out', null, err.message);
      else {
        if (!(err instanceof JobRefused)) log.warn({ err, jobId: entry.id, kind: entry.kind }, 'background job failed');
        await finish('failed', null, jobErrorMessage(err));
      }
    }
  });
  return view(entry);
}

/** What a user may read about a failure: PostgreSQL's own message, never SQL text or a stack. */
export function jobErrorMessage(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  if (e?.name === 'JobRefused' && typeof e.message === 'string') return e.message;
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.message === 'string') {
    // pg puts the statement before the message for some errors; keep only the server's sentence.
    return `${e.message.split(' - ').pop()} (SQLSTATE ${e.code})`;
  }
  return 'The job failed; the server log has the cause.';
}

/** An error whose message is meant for the user (a precondition that does not hold). */
export class JobRefused extends Error {
  override name = 'JobRefused';
}

export function getJob(id: string): JobView | null {
  const e = jobs().get(id);
  return e ? view(e) : null;
}

/** The newest jobs first. */
export function listJobs(limit = 20): JobView[] {
  return [...jobs().values()]
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .slice(0, limit)
    .map(view);
}
