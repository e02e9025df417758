// Two dashboard processes on one database behind a round-robin proxy written for this test (as a
// load balancer would put them): a recall measurement started on one is followed to its end through
// both; when the process running a job is killed, the other marks the job failed instead of
// leaving it "running" for ever. Both servers use a database of this test's own, with the guide's
// tables and generated vectors.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import knexFactory, { type Knex } from 'knex';
import type pg from 'pg';
import { readConfig } from '../lib/config';
import { knexConfig } from '../lib/db/knex-config';
import { generate } from '../lib/generator/load';
import { SCALES } from '../lib/generator/scales';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { startServer, type ExtraServer } from './server';

const scale = { ...SCALES.demo, topics: 60, postsPerTopic: 3, evaluations: 20, planted: { zeroPostVectors: 1, nullTitleVectors: 1, stalePostVectors: 1, postsWithoutVectors: 1, orphanEvaluations: 1 } };

const postgres = !!process.env.TEST_DATABASE_URL && process.env.STRATA_TEST_DB !== 'embedded';

type Proxy = { url: string; served: string[]; close(): Promise<void> };

/** Sends each request to the next upstream in turn; one that refuses the connection is skipped. */
async function roundRobin(upstreams: string[]): Promise<Proxy> {
  let next = 0;
  const served: string[] = [];
  const server = http.createServer((req, res) => {
    const first = next;
    next = (next + 1) % upstreams.length;
    const tryFrom = (attempt: number) => {
      const target = new URL(upstreams[(first + attempt) % upstreams.length]!);
      const out = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        served.push(target.origin);
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => (attempt + 1 < upstreams.length ? tryFrom(attempt + 1) : res.writeHead(502).end()));
      // The tests send no request bodies through it (GETs only), so a retry has nothing to replay.
      out.end();
    };
    tryFrom(0);
  });
  await new Promise<void>((r) => server.listen(Number(E2E_PORT) + 10, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served, close: () => new Promise((r) => server.close(() => r())) };
}

/** The events of a Server-Sent Events stream, read to its end. */
async function readEvents(url: string, cookie: string): Promise<{ event: string; data: unknown }[]> {
  const res = await fetch(url, { headers: { cookie, accept: 'text/event-stream' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text();
  return text
    .split('\n\n')
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: /^data: (.*)$/m.exec(block)?.[1] }))
    .filter((e): e is { event: string; data: string } => !!e.event && e.data !== undefined)
    .map((e) => ({ event: e.event, data: JSON.parse(e.data) as unknown }));
}

test('jobs are answered by every dashboard process, and a job whose process died is marked failed', async () => {
  test.skip(!postgres, 'several processes share a server database: this run uses the embedded database, which serves one process (set TEST_DATABASE_URL)');
  test.setTimeout(240_000);
  let a: ExtraServer | undefined;
  let b: ExtraServer | undefined;
  let proxy: Proxy | undefined;
  const admin = knexFactory({ client: 'pg', connection: process.env.TEST_DATABASE_URL, pool: { min: 0, max: 1 } });
  const name = `strata_e2e_proc_${process.pid}`;
  const u = new URL(process.env.TEST_DATABASE_URL!);
  u.pathname = `/${name}`;
  const url = u.toString();
  let db: Knex | undefined;
  try {
    await admin.raw('CREATE DATABASE ??', [name]);
    db = knexFactory(knexConfig({ kind: 'external', url }, readConfig({ DATABASE_URL: url }), { readTimeouts: false }));
    await db.migrate.latest();
    const conn = (await db.client.acquireConnection()) as pg.Client;
    try {
      await generate(conn, { scale, seed: 42, replace: false, method: 'copy' });
    } finally {
      await db.client.releaseConnection(conn);
    }
    const env = { ...serverEnv(), DATABASE_URL: url, STRATA_JOB_STALE_SECONDS: '3' };
    [a, b] = await Promise.all([startServer(Number(E2E_PORT) + 8, env), startServer(Number(E2E_PORT) + 9, env)]);
    proxy = await roundRobin([a.url, b.url]);
    // A session is a row in the shared database: good on both processes.
    const signIn = await fetch(`${a.url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
    const poll = async (id: string) => {
      const res = await fetch(`${proxy!.url}/api/vector-health/jobs/${id}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { job: { status: string; error: string | null; result: unknown } }).job;
    };

    // A recall measurement started on the first process, followed to its end through both.
    const started = await fetch(`${a.url}/api/vector-health/recall`, {
      method: 'POST',
      headers: { cookie, origin: a.url, 'content-type': 'application/json' },
      body: JSON.stringify({ index: { schema: 'public', name: 'post_vectors_content_vector_idx' }, queries: 10, values: [1, 10] }),
    });
    expect(started.status, await started.clone().text()).toBe(202);
    const { job } = (await started.json()) as { job: { id: string } };
    // Pushed by the other process too (GET /api/live): its states, the last one final, then "end".
    const pushed = readEvents(`${b.url}/api/live?job=${job.id}`, cookie);
    let last = await poll(job.id);
    while (last.status === 'running') {
      await new Promise((r) => setTimeout(r, 200));
      last = await poll(job.id);
    }
    for (let i = 0; i < 2; i++) last = await poll(job.id);
    expect(last.status).toBe('done');
    expect(last.result).toMatchObject({ points: [{}, {}] });
    expect(new Set(proxy.served)).toEqual(new Set([a.url, b.url]));
    const events = await pushed;
    expect(events.at(-1)).toEqual({ event: 'end', data: {} });
    expect(events.at(-2)).toMatchObject({ event: 'state', data: { id: job.id, status: 'done', result: { points: [{}, {}] } } });
    expect(events.filter((e) => e.event === 'state').every((e) => (e.data as { id: string }).id === job.id)).toBe(true);

    // A rebuild held up by this test's lock on the table (reads still go through), then its process killed.
    const reindex = (server: ExtraServer) =>
      fetch(`${server.url}/api/vector-health/reindex`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/json' },
        body: JSON.stringify({ index: { schema: 'public', name: 'post_vectors_content_vector_idx' }, confirm: 'post_vectors_content_vector_idx', concurrently: true }),
      });
    await db.transaction(async (trx) => {
      await trx.raw('LOCK TABLE post_vectors IN SHARE UPDATE EXCLUSIVE MODE');
      const held = await reindex(a!);
      expect(held.status, await held.clone().text()).toBe(202);
      const { job: stuck } = (await held.json()) as { job: { id: string } };
      // The other process does not start a second rebuild of the same index: it answers with this one.
      const again = (await (await reindex(b!)).json()) as { job: { id: string }; existing: boolean };
      expect(again).toMatchObject({ existing: true, job: { id: stuck.id } });
      // Alive and waiting for its lock: running, whichever process answers, past the staleness limit.
      await new Promise((r) => setTimeout(r, 4_000));
      expect((await poll(stuck.id)).status).toBe('running');
      expect((await poll(stuck.id)).status).toBe('running');
      await a!.stop('SIGKILL');
      await expect.poll(async () => (await poll(stuck.id)).status, { timeout: 30_000, intervals: [500] }).toBe('failed');
      expect((await poll(stuck.id)).error).toMatch(/^The dashboard process running it \(.*, pid \d+\) stopped: no heartbeat since /);
    });
  } finally {
    await proxy?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.destroy();
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]).catch(() => undefined);
    await admin.destroy();
  }
});
