import 'server-only';
// Background jobs (recall measurements, exact counts, index rebuilds), kept in strata.jobs so that
// every dashboard process on the database answers for every job: the process that starts a job
// runs it, writes its progress (at most every 500 ms) and a heartbeat; any process reads it; a job
// whose process stopped writing its heartbeat is marked failed by whichever process reads it next.
// One job of a kind on the same subject runs at a time, across processes (a unique index). This
// process also keeps its own jobs in memory: the freshest state, and on the embedded database
// (one process, whose only connection a job holds) the only one readable while it runs.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import { readConfig } from '../config';
import { databaseKeyOf } from '../db/database-key';
import { embeddedBusy, holdingEmbedded } from '../db/embedded-busy';
import type { Db } from '../db/knex';
import { announce, poke, topicKey } from '../live/hub';
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

/** A job of this process; `database` is the one it works on (lib/db/database-key.ts): it is shown for that database only. */
type Entry = JobView & { key: string; database: string };

/** Measurements and counts running at once in this process; each holds a connection. */
export const MAX_RUNNING_JOBS = 3;

const JOBS = 'strata.jobs';
const THIS_PROCESS = { host: os.hostname(), pid: process.pid };
const KEEP_FINISHED_MS = 24 * 60 * 60 * 1000;
const KEEP_AT_MOST = 100;
const PROGRESS_EVERY_MS = 500;

const holder = globalThis as { __strataJobs?: Map<string, Entry> };
function jobs(): Map<string, Entry> {
  holder.__strataJobs ??= new Map();
  return holder.__strataJobs;
}

function view(e: Entry): JobView {
  // A copy: the caller may serialize it while the job keeps changing the entry.
  const copy: Partial<Entry> = structuredClone(e);
  delete copy.key;
  delete copy.database;
  return copy as JobView;
}

/** This process's jobs on the database of `db`. */
function ownOn(db: Db): Entry[] {
  const database = databaseKeyOf(db.knex);
  return [...jobs().values()].filter((j) => j.database === database);
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

type Row = {
  id: string;
  kind: JobKind;
  key: string;
  subject: string;
  status: JobStatus;
  started_by: string;
  started_at: Date;
  finished_at: Date | null;
  progress: JobView['progress'];
  result: Result | null;
  error: string | null;
  host: string;
  pid: number;
  heartbeat_at: Date;
};

function fromRow(r: Row): JobView {
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    status: r.status,
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    progress: r.progress,
    error: r.error,
    result: r.result,
  };
}

/** Whether the database can be read now (not while a run or job of this process holds the embedded one's only connection). */
function readable(db: Db): boolean {
  return !embeddedBusy(db.target);
}

/** Marks failed the running jobs whose process has not written its heartbeat in time (another process's, or a dead one's). */
async function settleStale(k: Knex): Promise<void> {
  const staleMs = readConfig().jobStaleMs;
  await k(JOBS)
    .where({ status: 'running' })
    .where('heartbeat_at', '<', new Date(Date.now() - staleMs))
    .whereNot((q) => q.where({ host: THIS_PROCESS.host, pid: THIS_PROCESS.pid }).whereIn('id', [...jobs().keys()]))
    .update({
      status: 'failed',
      finished_at: k.fn.now(),
      error: k.raw(`'The dashboard process running it (' || host || ', pid ' || pid || ') stopped: no heartbeat since ' || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '. What it measured before is kept.'`),
    });
}

/** The job of `kind` running on `key`, in any process; null when none. */
export async function runningJob(db: Db, kind: JobKind, key: string): Promise<JobView | null> {
  for (const j of ownOn(db)) if (j.kind === kind && j.key === key && j.status === 'running') return view(j);
  if (!readable(db)) return null;
  await settleStale(db.knex);
  const row = (await db.knex(JOBS).where({ kind, key, status: 'running' }).first()) as Row | undefined;
  return row ? fromRow(row) : null;
}

export function runningCount(): number {
  let n = 0;
  for (const j of jobs().values()) if (j.status === 'running') n++;
  return n;
}

const JOB_WHAT: Record<JobKind, string> = { recall: 'a recall measurement', 'exact-counts': 'an exact count', reindex: 'an index rebuild' };

/**
 * Starts `run` in the background and returns its job once it is recorded. `key` names what the
 * job works on: a second job of the same kind on the same key while one runs (in any process) is
 * refused with 409; callers that would rather join it check runningJob first.
 */
export async function startJob(
  db: Db,
  spec: { kind: JobKind; key: string; subject: string; startedBy: string },
  run: (ctx: JobContext) => Promise<Result>,
  onFinish?: (job: JobView) => Promise<void>,
): Promise<JobView> {
  prune();
  const entry: Entry = {
    id: randomUUID(),
    kind: spec.kind,
    key: spec.key,
    database: databaseKeyOf(db.knex),
    subject: spec.subject,
    status: 'running',
    startedBy: spec.startedBy,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    progress: { done: 0, total: 1, step: 'starting' },
    error: null,
    result: null,
  };
  await settleStale(db.knex);
  try {
    await db.knex(JOBS).insert({
      id: entry.id,
      kind: entry.kind,
      key: entry.key,
      subject: entry.subject,
      status: 'running',
      started_by: entry.startedBy,
      started_at: entry.startedAt,
      progress: JSON.stringify(entry.progress),
      host: THIS_PROCESS.host,
      pid: THIS_PROCESS.pid,
      heartbeat_at: new Date(),
    });
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const other = (await db.knex(JOBS).where({ kind: spec.kind, key: spec.key, status: 'running' }).first()) as Row | undefined;
    throw new ApiError(
      'conflict',
      other
        ? `${JOB_WHAT[spec.kind]} of ${spec.subject} is already running: started by ${other.started_by} at ${other.started_at.toISOString()} (dashboard process ${other.host}, pid ${other.pid}).`
        : `${JOB_WHAT[spec.kind]} of ${spec.subject} is already running.`,
      { job: other ? fromRow(other) : null },
    );
  }
  jobs().set(entry.id, entry);

  // Other processes read the row: progress at most every 500 ms, and a heartbeat. Not on the
  // embedded database, whose one connection the job holds (and where no other process reads).
  const shared = db.target.kind !== 'embedded';
  let dirty = false;
  let writing = false;
  const write = () => {
    if (!shared || writing) return;
    writing = true;
    dirty = false;
    db.knex(JOBS)
      .where({ id: entry.id, status: 'running' })
      .update({ progress: JSON.stringify(entry.progress), result: entry.result ? JSON.stringify(entry.result) : null, heartbeat_at: new Date() })
      .then(() => announce(db.knex, db.target, topicKey('job', entry.id)))
      .catch((err: unknown) => log.warn({ err, jobId: entry.id }, 'could not record the job’s progress'))
      .finally(() => {
        writing = false;
      });
  };
  const beat = shared ? setInterval(() => (dirty || !writing ? write() : undefined), Math.min(PROGRESS_EVERY_MS * 4, readConfig().jobStaleMs / 6)) : null;
  const tick = shared ? setInterval(() => dirty && write(), PROGRESS_EVERY_MS) : null;
  beat?.unref();
  tick?.unref();

  const ctx: JobContext = {
    progress(done, total, step) {
      entry.progress = { done, total, step };
      dirty = true;
      poke(topicKey('job', entry.id));
    },
    partial(result) {
      entry.result = result;
      dirty = true;
      poke(topicKey('job', entry.id));
    },
  };
  // The follow-up (an audit record) and the final row are written before the job shows as
  // finished, so whoever sees it finished also finds its record.
  const finish = async (status: JobStatus, result: Result | null, error: string | null) => {
    if (beat) clearInterval(beat);
    if (tick) clearInterval(tick);
    const final: Entry = {
      ...entry,
      status,
      result: result ?? entry.result,
      error,
      finishedAt: new Date().toISOString(),
      progress: status === 'done' ? { ...entry.progress, done: entry.progress.total, step: 'done' } : entry.progress,
    };
    await onFinish?.(view(final)).catch((err: unknown) => log.error({ err, jobId: entry.id }, 'job follow-up failed'));
    await db
      .knex(JOBS)
      .where({ id: entry.id })
      .update({
        status,
        finished_at: final.finishedAt,
        progress: JSON.stringify(final.progress),
        result: final.result ? JSON.stringify(final.result) : null,
        error,
        heartbeat_at: new Date(),
      })
      .catch((err: unknown) => log.error({ err, jobId: entry.id }, 'could not record the job’s end'));
    Object.assign(entry, final);
    await announce(db.knex, db.target, topicKey('job', entry.id)).catch((err: unknown) => log.warn({ err, jobId: entry.id }, 'could not announce the end of the job'));
  };
  // On the embedded database the job holds the only connection: requests say so instead of waiting.
  const busy = { kind: 'job' as const, what: `${JOB_WHAT[spec.kind]} of ${spec.subject}`, id: entry.id, by: spec.startedBy };
  void holdingEmbedded(db.target, busy, async () => {
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One job, from whichever process runs or ran it. */
export async function getJob(db: Db, id: string): Promise<JobView | null> {
  const own = jobs().get(id);
  if (own && own.database === databaseKeyOf(db.knex)) return view(own);
  // Job ids are UUIDs; anything else names no job (and is not a value to send the database).
  if (!readable(db) || !UUID.test(id)) return null;
  await settleStale(db.knex);
  const row = (await db.knex(JOBS).where({ id }).first()) as Row | undefined;
  return row ? fromRow(row) : null;
}

/** The newest jobs first, of every process (this process's own from memory, the freshest). */
export async function listJobs(db: Db, limit = 20): Promise<JobView[]> {
  const own = ownOn(db).map(view);
  let rows: JobView[] = [];
  if (readable(db)) {
    await settleStale(db.knex);
    rows = ((await db.knex(JOBS).orderBy('started_at', 'desc').limit(limit)) as Row[]).map(fromRow);
  }
  const byId = new Map(rows.map((j) => [j.id, j]));
  for (const j of own) byId.set(j.id, j);
  return [...byId.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
}
