// What a dashboard process keeps in memory (its runs, its jobs, its live streams' LISTEN
// connections, its own database sessions) belongs to the database it concerns: with connections
// to two databases in one process, one database's run, job or session never shows on the other.
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKey, databaseKeyOf, urlKey } from '../lib/db/database-key';
import { knexConfig } from '../lib/db/knex-config';
import { ownBackendPids } from '../lib/db/own-backends';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { getJob, listJobs, runningJob, startJob } from '../lib/jobs/registry';
import { LIVE_CHANNEL, listen, listeningOn, subscribe, unlisten, type LiveEvent } from '../lib/live/hub';
import { getRun, liveRun, liveRuns } from '../lib/migrations/runs';
import type { RunSummary } from '../lib/schemas/migrations';
import { freshTestDatabase } from './harness/db';

const a = freshTestDatabase();
const b = freshTestDatabase();
const onEmbedded = () => a.mode === 'embedded';
const WHY = 'skipped on the embedded database: a process has one embedded database, so there is no second database to keep apart';

// The dashboard's own pools on each database (knexConfig, as getDb makes them).
let poolA: Knex;
let poolB: Knex;
beforeAll(async () => {
  if (onEmbedded()) return;
  await ensureStrataSchema(a.knex);
  await ensureStrataSchema(b.knex);
  poolA = knex(knexConfig(a.target, a.config));
  poolB = knex(knexConfig(b.target, b.config));
});
afterAll(async () => {
  await poolA?.destroy();
  await poolB?.destroy();
});

describe('the key of a database', () => {
  it('names the server, port and database, not the user; the embedded database is one', () => {
    expect(urlKey('postgresql://alice:pw@db.internal:5433/app')).toBe(urlKey('postgresql://bob@db.internal:5433/app?sslmode=require'));
    expect(urlKey('postgresql://alice@db.internal:5433/app')).not.toBe(urlKey('postgresql://alice@db.internal:5433/app_staging'));
    expect(urlKey('postgresql://alice@db.internal/app')).toBe('db.internal:5432/app');
    expect(databaseKey({ kind: 'embedded', url: 'postgresql://x@127.0.0.1:1/y', dataDir: '/tmp/d', owner: 'self' })).toBe('embedded');
  });

  it('is the same from a target and from the pools made for it', (ctx) => {
    ctx.skip(onEmbedded(), WHY);
    expect(databaseKeyOf(poolA)).toBe(databaseKey(a.target));
    expect(databaseKeyOf(a.knex)).toBe(databaseKey(a.target));
    expect(databaseKeyOf(poolB)).not.toBe(databaseKeyOf(poolA));
  });
});

describe('with two databases in one process', () => {
  it("keeps a run on one database off the other's lock, overview and run page", async (ctx) => {
    ctx.skip(onEmbedded(), WHY);
    const id = '00000000-0000-4000-8000-000000000a01';
    const summary = { id, kind: 'latest', status: 'running', actorLabel: 'test', startedAt: new Date().toISOString() } as unknown as RunSummary;
    liveRuns.set(id, { summary, database: databaseKeyOf(poolA), table: 'knex_migrations', tag: null, statements: new Map() });
    try {
      expect(liveRun(poolA, 'knex_migrations')?.id).toBe(id);
      expect(liveRun(poolB, 'knex_migrations')).toBeNull();
      expect((await getRun(poolA, id))?.id).toBe(id);
      // On b the run is not this process's: b's own records answer, and b has none.
      expect(await getRun(poolB, id)).toBeNull();
    } finally {
      liveRuns.delete(id);
    }
  });

  it("keeps a job on one database out of the other's lists, lookups and refusals", async (ctx) => {
    ctx.skip(onEmbedded(), WHY);
    const dbA = { knex: poolA, target: a.target };
    const dbB = { knex: poolB, target: b.target };
    let finish = () => {};
    const held = new Promise<void>((resolve) => (finish = resolve));
    const spec = { kind: 'exact-counts' as const, key: 'public.items', subject: 'public.items', startedBy: 'test' };
    const job = await startJob(dbA, spec, async () => {
      await held;
      return { tables: [], ms: 0 } as never;
    });
    try {
      expect((await runningJob(dbA, 'exact-counts', 'public.items'))?.id).toBe(job.id);
      expect(await runningJob(dbB, 'exact-counts', 'public.items')).toBeNull();
      expect((await getJob(dbA, job.id))?.status).toBe('running');
      expect(await getJob(dbB, job.id)).toBeNull();
      expect((await listJobs(dbA)).map((j) => j.id)).toContain(job.id);
      expect((await listJobs(dbB)).map((j) => j.id)).not.toContain(job.id);
      // The same kind on the same key may run on the other database meanwhile.
      const other = await startJob(dbB, spec, async () => ({ tables: [], ms: 0 }) as never);
      await expect.poll(async () => (await getJob(dbB, other.id))?.status).toBe('done');
    } finally {
      finish();
    }
    await expect.poll(async () => (await getJob(dbA, job.id))?.status).toBe('done');
  });

  it("counts the dashboard's own sessions per database", async (ctx) => {
    ctx.skip(onEmbedded(), WHY);
    const pidOf = async (k: Knex) => (await k.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const [pidA, pidB] = await Promise.all([pidOf(poolA), pidOf(poolB)]);
    expect(ownBackendPids(databaseKeyOf(poolA))).toContain(pidA);
    expect(ownBackendPids(databaseKeyOf(poolA))).not.toContain(pidB);
    expect(ownBackendPids(databaseKeyOf(poolB))).toContain(pidB);
  });

  it('listens on each database, and a change announced on one reaches its watchers', async (ctx) => {
    ctx.skip(onEmbedded(), WHY);
    process.env.STRATA_LIVE_TICK_MS = '600000';
    try {
      expect(await listen(a.target)).toBe(true);
      expect(await listen(b.target)).toBe(true);
      expect(listeningOn()).toEqual(expect.arrayContaining([databaseKey(a.target), databaseKey(b.target)]));
      let state = { status: 'running', n: 0 };
      const events: LiveEvent[] = [];
      const stop = subscribe('job:per-database-test', async () => ({ ...state }), (v) => (v as { status: string }).status !== 'running', (e) => events.push(e));
      await expect.poll(() => events.length).toBe(1);
      // Another connection to b announces the change: b's LISTEN connection hears it.
      state = { status: 'done', n: 1 };
      await b.knex.raw('SELECT pg_notify(?, ?)', [LIVE_CHANNEL, 'job:per-database-test']);
      await expect.poll(() => events.map((e) => e.type)).toEqual(['state', 'state', 'end']);
      stop();
    } finally {
      delete process.env.STRATA_LIVE_TICK_MS;
      await unlisten(a.target);
      await unlisten(b.target);
    }
    expect(listeningOn()).not.toContain(databaseKey(b.target));
  });
});
