// Two dashboard processes on one database behind a round-robin proxy written for this test (as a
// load balancer would put them): a recall measurement started on one is followed to its end through
// both; when the process running a job is killed, the other marks the job failed instead of
// leaving it "running" for ever. Both servers use the suite's database (with the guide's tables
// and generated vectors).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { withDatabase } from './helpers';
import { startServer, type ExtraServer } from './server';

const postgres = !!process.env.TEST_DATABASE_URL && process.env.STRATA_TEST_DB !== 'embedded';

type Proxy = { url: string; served: string[]; close(): Promise<void> };

/** Sends each request to the next upstream in turn; one that refuses the connection is skipped. */
async function roundRobin(upstreams: string[]): Promise<Proxy> {
  let next = 0;
  const served: string[] = [];
  const server = http.createServer((req, res) => {
    const tryFrom = (attempt: number) => {
      const target = new URL(upstreams[(next + attempt) % upstreams.length]!);
      const out = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        served.push(target.origin);
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => (attempt + 1 < upstreams.length ? tryFrom(attempt + 1) : res.writeHead(502).end()));
      req.pipe(out);
    };
    tryFrom(0);
    next = (next + 1) % upstreams.length;
  });
  await new Promise<void>((r) => server.listen(Number(E2E_PORT) + 10, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served, close: () => new Promise((r) => server.close(() => r())) };
}

test('jobs are answered by every dashboard process, and a job whose process died is marked failed', async () => {
  test.skip(!postgres, 'several processes share a server database: this run uses the embedded database, which serves one process (set TEST_DATABASE_URL)');
  test.setTimeout(240_000);
  let a: ExtraServer | undefined;
  let b: ExtraServer | undefined;
  let proxy: Proxy | undefined;
  try {
    const env = { ...serverEnv(), STRATA_JOB_STALE_SECONDS: '3' };
    [a, b] = await Promise.all([startServer(Number(E2E_PORT) + 8, env), startServer(Number(E2E_PORT) + 9, env)]);
    proxy = await roundRobin([a.url, b.url]);
    // A session is a row in the shared database: good on both processes.
    const signIn = await fetch(`${a.url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
    const recall = (values: number[]) =>
      fetch(`${a!.url}/api/vector-health/recall`, {
        method: 'POST',
        headers: { cookie, origin: a!.url, 'content-type': 'application/json' },
        body: JSON.stringify({ index: { schema: 'public', name: 'post_vectors_content_vector_idx' }, queries: 10, values }),
      });
    const poll = async (id: string) => {
      const res = await fetch(`${proxy!.url}/api/vector-health/jobs/${id}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { job: { status: string; error: string | null; result: unknown } }).job;
    };

    // Started on the first process, followed through both.
    const started = await recall([1, 10]);
    expect(started.status, await started.clone().text()).toBe(202);
    const { job } = (await started.json()) as { job: { id: string } };
    let last = await poll(job.id);
    while (last.status === 'running') {
      await new Promise((r) => setTimeout(r, 200));
      last = await poll(job.id);
    }
    for (let i = 0; i < 2; i++) last = await poll(job.id);
    expect(last.status).toBe('done');
    expect(last.result).toMatchObject({ points: [{}, {}] });
    expect(new Set(proxy.served)).toEqual(new Set([a.url, b.url]));

    // A job held up (the table locked by this test), then its process killed.
    await withDatabase(async (db) => {
      await db.transaction(async (trx) => {
        await trx.raw('LOCK TABLE post_vectors IN ACCESS EXCLUSIVE MODE');
        const held = await recall([1, 2, 3]);
        expect(held.status, await held.clone().text()).toBe(202);
        const { job: stuck } = (await held.json()) as { job: { id: string } };
        // Alive and waiting: still running, whichever process answers, for longer than the staleness limit.
        await new Promise((r) => setTimeout(r, 4_000));
        expect((await poll(stuck.id)).status).toBe('running');
        expect((await poll(stuck.id)).status).toBe('running');
        await a!.stop('SIGKILL');
        await expect.poll(async () => (await poll(stuck.id)).status, { timeout: 30_000, intervals: [500] }).toBe('failed');
        expect((await poll(stuck.id)).error).toMatch(/^The dashboard process running it \(.*, pid \d+\) stopped: no heartbeat since /);
      });
    });
  } finally {
    await proxy?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  }
});
