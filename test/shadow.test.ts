// The shadow database, from both sources: it holds the replay of what was applied (reused while the
// files are unchanged), and it is gone after every use, whether the use succeeded, failed, ran out
// of time or was cancelled; the databases of a killed process are dropped at the next start.
import { spawn } from 'node:child_process';
import path from 'node:path';
import knex from 'knex';
import pg from 'pg';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { readConfig, type StrataConfig } from '../lib/config';
import { managedExclusions, readSnapshot } from '../lib/catalog/snapshot';
import { keepSpareEngine, spareUrl } from '../lib/shadow/embedded-engine';
import { activeShadows, ShadowStoppedError } from '../lib/shadow/limits';
import { ReplayUnavailableError } from '../lib/shadow/replay';
import { templatePattern } from '../lib/shadow/scope';
import { cleanupShadowLeftovers, forgetSavedReplays, replaySnapshot, sharedFlights, withShadow } from '../lib/shadow/shadow';
import { GUIDE_MIGRATIONS } from './harness/migration-files';

const { adminUrl } = inject('testDb');
const base = readConfig({});
const guideApplied = GUIDE_MIGRATIONS.map((name, i) => ({ name, batch: i < 2 ? 1 : 2 }));

function configFor(source: 'embedded' | 'server', timeoutMs = 60_000): StrataConfig {
  return { ...base, shadow: { databaseUrl: source === 'server' ? adminUrl! : undefined, timeoutMs, maxConcurrent: 2 } };
}

/** Whether anything still answers where the shadow was: the embedded worker's port, or the server database. */
async function stillThere(source: 'embedded' | 'server', url: string, database: string): Promise<boolean> {
  if (source === 'server') {
    const admin = knex({ client: 'pg', connection: adminUrl!, pool: { min: 0, max: 1 } });
    try {
      return (await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [database])).rows.length > 0;
    } finally {
      await admin.destroy();
    }
  }
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  return c.connect().then(
    async () => (await c.end(), true),
    () => false,
  );
}

const NO_SERVER = 'skipped without a PostgreSQL server to make shadow databases on (TEST_DATABASE_URL)';

describe.each(['embedded', 'server'] as const)('the %s shadow', (source) => {
  beforeEach((ctx) => ctx.skip(source === 'server' && !adminUrl, NO_SERVER));

  it('holds the replay of the applied migrations with their batches, and reuses it while the files are unchanged', async () => {
    const config = configFor(source);
    const first = await withShadow({ config, scope: 'shadow-test', applied: guideApplied }, async (s) => ({
      info: s.info,
      replay: s.replay,
      tables: Object.keys((await readSnapshot(s.knex)).tables).sort(),
      batches: await s.knex('knex_migrations').orderBy('id').select('name', 'batch'),
    }));
    expect(first.info.kind).toBe(source);
    expect(first.info.label).toMatch(source === 'embedded' ? /^the embedded engine \(PGlite 0\.5\.\d+, PostgreSQL 18\./ : /^the shadow server 127\.0\.0\.1:5432 \(PostgreSQL \d+/);
    expect(first.tables).toEqual(expect.arrayContaining(['public.forums', 'public.topics', 'public.posts', 'public.topic_vectors', 'public.post_vectors', 'public.content_evaluations', 'public.knex_migrations']));
    expect(first.batches).toEqual(guideApplied.map((a) => ({ name: a.name, batch: a.batch })));
    const second = await withShadow({ config, scope: 'shadow-test', applied: guideApplied }, async (s) => s.replay);
    expect(second).toEqual({ migrations: 4, reused: true });
  });

  it('runs what cannot run in a transaction: CREATE INDEX CONCURRENTLY, ivfflat and hnsw', async () => {
    const indexes = await withShadow({ config: configFor(source), scope: 'shadow-test', applied: guideApplied }, async (s) => {
      await s.knex.raw('CREATE INDEX CONCURRENTLY pv_hnsw ON post_vectors USING hnsw (content_vector vector_cosine_ops)');
      await s.knex.raw('CREATE INDEX CONCURRENTLY tv_ivf ON topic_vectors USING ivfflat (content_vector vector_l2_ops) WITH (lists = 5)');
      return (await readSnapshot(s.knex)).indexes;
    });
    expect(indexes['public.pv_hnsw']).toMatchObject({ method: 'hnsw', valid: true });
    expect(indexes['public.tv_ivf']).toMatchObject({ method: 'ivfflat', options: { lists: '5' } });
  });

  it('is gone after a use that succeeds, one that fails, one that runs out of time and one that is cancelled', async () => {
    const where = async (s: { knex: knex.Knex }) => (await s.knex.raw<{ rows: { db: string }[] }>('SELECT current_database() AS db')).rows[0]!.db;
    const seen: { url: string; db: string }[] = [];
    const note = async (s: { knex: knex.Knex }) => {
      const conn = s.knex.client.config.connection as { connectionString: string };
      seen.push({ url: conn.connectionString, db: await where(s) });
    };
    await withShadow({ config: configFor(source), scope: 'shadow-test', applied: [] }, note);
    await expect(
      withShadow({ config: configFor(source), scope: 'shadow-test', applied: [] }, async (s) => {
        await note(s);
        await s.knex.raw('SELECT * FROM no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    // A statement that outlasts the time limit: ended mid-way, not waited for. (The limit counts the
    // engine's start too, which takes seconds on a busy machine: 8 s leaves room for it.)
    await expect(
      withShadow({ config: configFor(source, 8_000), scope: 'shadow-test', applied: [] }, async (s) => {
        await note(s);
        await s.knex.raw('SELECT pg_sleep(60)');
      }),
    ).rejects.toMatchObject({ name: 'ShadowStoppedError', reason: 'timeout' });
    const request = new AbortController();
    const cancelled = withShadow({ config: configFor(source), scope: 'shadow-test', applied: [], signal: request.signal }, async (s) => {
      await note(s);
      setTimeout(() => request.abort(), 200);
      await s.knex.raw('SELECT pg_sleep(60)');
    });
    await expect(cancelled).rejects.toBeInstanceOf(ShadowStoppedError);
    await expect(cancelled).rejects.toMatchObject({ reason: 'cancelled' });
    expect(seen).toHaveLength(4);
    for (const s of seen) expect(await stillThere(source, s.url, s.db), `${s.db} at ${s.url}`).toBe(false);
    expect(activeShadows()).toBe(0);
  });

  it('says so when an applied migration has no file, instead of replaying part of the history', async () => {
    await expect(withShadow({ config: configFor(source), scope: 'shadow-test', applied: [...guideApplied, { name: '20990101000000_gone.ts', batch: 3 }] }, async () => 1)).rejects.toBeInstanceOf(
      ReplayUnavailableError,
    );
  });
});

describe('callers of the same replay at the same time', () => {
  it('share one shadow use; one who leaves does not stop it for the others; the last to leave stops it', async () => {
    const config = configFor('embedded');
    const req = { config, scope: 'shadow-share', applied: guideApplied };
    const options = managedExclusions(config.migrationsTable);
    forgetSavedReplays();
    const leaver = new AbortController();
    const calls = [replaySnapshot(req, options), replaySnapshot(req, options), replaySnapshot({ ...req, signal: leaver.signal }, options)];
    await expect.poll(() => activeShadows()).toBe(1);
    expect(sharedFlights()).toBe(1);
    leaver.abort();
    await expect(calls[2]).rejects.toMatchObject({ reason: 'cancelled' });
    const [a, b] = await Promise.all(calls.slice(0, 2));
    // The same catalog object: read once, on one shadow.
    expect(a!.snapshot).toBe(b!.snapshot);
    expect(Object.keys(a!.snapshot.tables).length).toBeGreaterThan(0);
    expect(sharedFlights()).toBe(0);

    forgetSavedReplays();
    const only = new AbortController();
    const alone = replaySnapshot({ ...req, signal: only.signal }, options);
    await expect.poll(() => activeShadows()).toBe(1);
    only.abort();
    await expect(alone).rejects.toMatchObject({ reason: 'cancelled' });
    await expect.poll(() => activeShadows(), { timeout: 20_000 }).toBe(0);
    expect(sharedFlights()).toBe(0);
  });
});

describe('the embedded engine kept ready', () => {
  it('starts the next use’s engine ahead, hands it to the next use of the same replay, and ends it when told', async () => {
    const config = configFor('embedded');
    const first = await withShadow({ config, scope: 'shadow-test', applied: guideApplied }, async (s) => s.knex.client.config.connection.connectionString as string);
    const ready = await spareUrl();
    expect(ready).not.toBeNull();
    expect(ready).not.toBe(first);
    const second = await withShadow({ config, scope: 'shadow-test', applied: guideApplied }, async (s) => ({
      url: s.knex.client.config.connection.connectionString as string,
      tables: Object.keys((await readSnapshot(s.knex)).tables),
    }));
    expect(second.url).toBe(ready);
    expect(second.tables).toContain('public.post_vectors');
    const next = await spareUrl();
    expect(next).not.toBeNull();
    keepSpareEngine(false);
    expect(await spareUrl()).toBeNull();
    // Ending is asynchronous: give the worker a moment, then nothing answers where it was.
    for (let i = 0; i < 20 && (await stillThere('embedded', next!, '')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await stillThere('embedded', next!, '')).toBe(false);
    keepSpareEngine(true);
  });
});

describe('leftovers on the shadow server', () => {
  it('drops the database of a process that was killed while using it, at the next start', async (ctx) => {
    ctx.skip(!adminUrl, NO_SERVER);
    const child = spawn('npx', ['tsx', '--conditions=react-server', path.join('test', 'fixtures', 'shadow-holder.ts')], {
      env: { ...process.env, STRATA_SHADOW_DATABASE_URL: adminUrl!, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const database = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => resolve(d.toString().trim()));
      child.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    expect(database).toMatch(/^strata_shadow_w_/);
    // The whole group: npx and the node process under it that holds the shadow.
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The process that held it (its pid is in the name) is reaped, and PostgreSQL notices the closed connection, a moment later.
    const holder = Number(database.split('_')[4]);
    for (let i = 0; i < 50 && (alive(holder) || (await sessionsOn(database)) > 0); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(holder)).toBe(false);
    expect(await stillThere('server', adminUrl!, database)).toBe(true);
    const dropped = await cleanupShadowLeftovers(configFor('server'));
    expect(dropped).toContain(database);
    expect(await stillThere('server', adminUrl!, database)).toBe(false);
  });

  it('drops a saved replay nobody used for a week, and keeps one used since', async (ctx) => {
    ctx.skip(!adminUrl, NO_SERVER);
    const admin = knex({ client: 'pg', connection: adminUrl!, pool: { min: 0, max: 1 } });
    const old = 'strata_shadow_t_0ld0ld00_0000000000000000';
    const recent = 'strata_shadow_t_0ld0ld00_1111111111111111';
    const day = 24 * 3600 * 1000;
    try {
      for (const [name, used] of [[old, Date.now() - 8 * day], [recent, Date.now() - day]] as const) {
        await admin.raw('CREATE DATABASE ?? TEMPLATE template0', [name]);
        const comment = JSON.stringify({ strata: 'shadow-template', scope: '0ld0ld00', created: new Date(Date.now() - 30 * day).toISOString(), used: new Date(used).toISOString() });
        await admin.raw(`COMMENT ON DATABASE ?? IS ${admin.raw('?', [comment]).toQuery()}`, [name]);
      }
      const dropped = await cleanupShadowLeftovers(configFor('server'));
      expect(dropped).toContain(old);
      expect(dropped).not.toContain(recent);
      expect(await stillThere('server', adminUrl!, recent)).toBe(true);
    } finally {
      for (const name of [old, recent]) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Saved replays (template databases) of this file's scope.
afterAll(async () => {
  if (!adminUrl) return;
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    const { rows } = await admin.raw<{ rows: { datname: string }[] }>(`SELECT datname FROM pg_database WHERE datname LIKE ?`, [templatePattern('shadow-test')]);
    for (const r of rows) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [r.datname]);
  } finally {
    await admin.destroy();
  }
});

async function sessionsOn(database: string): Promise<number> {
  const admin = knex({ client: 'pg', connection: adminUrl!, pool: { min: 0, max: 1 } });
  try {
    return Number((await admin.raw('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ?', [database])).rows[0].n);
  } finally {
    await admin.destroy();
  }
}
