// Background jobs across dashboard processes on one database: a job started by one process is
// followed to its end by another; a job whose process is killed is marked failed (never stuck),
// with what it had done kept; a second job of the same kind on the same subject is refused in
// another process while the first runs. Real processes, real PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { getJob, listJobs, runningJob, startJob } from '../lib/jobs/registry';
import type { JobView } from '../lib/schemas/vector-health';
import { freshTestDatabase } from './harness/db';

const mode = inject('testDb').mode;
if (mode !== 'postgres') console.log('[jobs across processes] skipped: the embedded database serves one process (set TEST_DATABASE_URL)');

const db = freshTestDatabase();
const dbOf = () => ({ knex: db.knex, target: db.target });
const children: ChildProcess[] = [];

function child(env: Record<string, string>): { proc: ChildProcess; id: Promise<string> } {
  const proc = spawn('npx', ['tsx', '--conditions=react-server', 'test/fixtures/job-child.ts'], {
    env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', STRATA_JOB_STALE_SECONDS: '3', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  children.push(proc);
  let out = '';
  const id = new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /JOB (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`the child exited (${code}) before starting its job`)));
  });
  return { proc, id };
}

describe.skipIf(mode !== 'postgres')('jobs across processes', () => {
  beforeAll(async () => {
    await ensureStrataSchema(db.knex);
    process.env.STRATA_JOB_STALE_SECONDS = '3';
  });
  afterAll(() => {
    delete process.env.STRATA_JOB_STALE_SECONDS;
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('a job id that is not a UUID names no job (never a database error)', async () => {
    expect(await getJob(dbOf(), 'no-such-job')).toBeNull();
    expect(await getJob(dbOf(), '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it("follows another process's job to its end, progress included", async () => {
    const { id } = child({ JOB_KEY: 'follow', JOB_STEPS: '12', JOB_STEP_MS: '250' });
    const jobId = await id;
    const seen = new Set<number>();
    let last: JobView | null = null;
    for (const t0 = Date.now(); Date.now() - t0 < 30_000; ) {
      last = await getJob(dbOf(), jobId);
      if (!last) throw new Error('the other process’s job is not found');
      if (last.status === 'running') seen.add(last.progress.done);
      else break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last).toMatchObject({ status: 'done', startedBy: 'child-process', progress: { done: 12, total: 12, step: 'done' }, result: { steps: 12 } });
    // Progress moved while it ran, as read from here.
    expect(seen.size).toBeGreaterThan(2);
    expect((await listJobs(dbOf())).map((j) => j.id)).toContain(jobId);
  }, 60_000);

  it('refuses a second job on the same subject while another process runs one, and names that process', async () => {
    const { proc, id } = child({ JOB_KEY: 'same', JOB_STEPS: '40', JOB_STEP_MS: '250' });
    const jobId = await id;
    expect((await runningJob(dbOf(), 'recall', 'same'))?.id).toBe(jobId);
    await expect(startJob(dbOf(), { kind: 'recall', key: 'same', subject: 'a test subject', startedBy: 'here' }, async () => ({}) as never)).rejects.toThrow(
      /^a recall measurement of a test subject is already running: started by child-process at \d{4}-\d\d-\d\dT[\d:.]+Z \(dashboard process [^,]+, pid \d+\)\.$/,
    );
    process.kill(-proc.pid!, 'SIGKILL');
  }, 60_000);

  it('marks failed a job whose process was killed, keeping its progress', async () => {
    const { proc, id } = child({ JOB_KEY: 'killed', JOB_STEPS: '200', JOB_STEP_MS: '100' });
    const jobId = await id;
    await expect.poll(async () => (await getJob(dbOf(), jobId))?.progress.done ?? 0, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(5);
    process.kill(-proc.pid!, 'SIGKILL');
    await expect.poll(async () => (await getJob(dbOf(), jobId))?.status, { timeout: 20_000, interval: 250 }).toBe('failed');
    const job = (await getJob(dbOf(), jobId))!;
    expect(job.error).toMatch(/^The dashboard process running it \(.*, pid \d+\) stopped: no heartbeat since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\. What it measured before is kept\.$/);
    expect(job.progress.done).toBeGreaterThanOrEqual(5);
    expect(job.finishedAt).not.toBeNull();
    // The subject is free again.
    expect(await runningJob(dbOf(), 'recall', 'killed')).toBeNull();
  }, 60_000);
});
