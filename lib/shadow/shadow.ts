import 'server-only';
// A shadow database for one use: a scratch PostgreSQL with pgvector that holds the replay of the
// applied migrations, handed to `fn`, and thrown away afterwards whatever happens (success, error,
// time limit, the request going away). Two sources, in this order: the server in
// STRATA_SHADOW_DATABASE_URL (a database per use), or the embedded engine (a PGlite per use).
// The live database is never touched here: the caller passes what was applied.
import knex, { type Knex } from 'knex';
import { readSnapshot, type CatalogSnapshot, type SnapshotOptions } from '../catalog/snapshot';
import type { StrataConfig } from '../config';
import { describeTarget } from '../db/target';
import { log } from '../log';
import type { ReplayInfo, ShadowInfo } from '../schemas/shadow';
import { EMBEDDED_ENGINE, EMBEDDED_EXTENSIONS, prepareSpare, startEmbeddedShadow } from './embedded-engine';
import { acquireSlot, deadline, ShadowStoppedError, type Deadline } from './limits';
import { extensionsNamed, replay, replayPlan, type AppliedMigration } from './replay';
import { adminKnex, createWorkDatabase, dropLeftovers, saveTemplate, templateExists, templateName, type ServerDatabase } from './server-source';

export type ShadowRequest = {
  config: StrataConfig;
  /** The live database the shadow stands for; a server keeps saved replays per scope. */
  scope: string;
  /** Applied migrations to replay, in the order they were applied ([] for an empty shadow). */
  applied: AppliedMigration[];
  signal?: AbortSignal;
};

export type Shadow = { knex: Knex; info: ShadowInfo; replay: ReplayInfo; key: string };

type Opened = { knex: Knex; info: ShadowInfo; reused: boolean; close(): Promise<void> };

// Saved replays of the embedded engine (a data folder each, about 40 MB): the last few.
const DUMPS_KEPT = 3;
const dumps: Map<string, ArrayBuffer> = ((globalThis as Record<string, unknown>).__strataShadowDumps ??= new Map()) as Map<string, ArrayBuffer>;

function remember(key: string, dump: ArrayBuffer): void {
  dumps.delete(key);
  dumps.set(key, dump);
  while (dumps.size > DUMPS_KEPT) dumps.delete(dumps.keys().next().value!);
}

function connect(url: string): Knex {
  // One connection: the embedded engine has one backend, and knex's migrator needs no more.
  // knex's own warnings ("migration file … failed") are what the plan reports; not for the log.
  const quiet = () => undefined;
  return knex({
    client: 'pg',
    connection: { connectionString: url, application_name: 'strata-shadow' },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 30_000,
    log: { warn: quiet, error: quiet, deprecate: quiet, debug: quiet },
  });
}

async function serverVersion(k: Knex): Promise<string> {
  return (await k.raw<{ rows: { v: string }[] }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
}

export function shadowEngine(config: StrataConfig): string {
  return config.shadow.databaseUrl ? `server ${describeTarget({ kind: 'external', url: config.shadow.databaseUrl }).host}` : EMBEDDED_ENGINE;
}

async function openEmbedded(req: ShadowRequest, key: string, d: Deadline): Promise<Opened> {
  const extensions = (await extensionsNamed(req.config)).filter((e) => EMBEDDED_EXTENSIONS.has(e));
  const saved = req.applied.length ? dumps.get(key) : undefined;
  // What this engine starts from: the saved replay, or a fresh cluster (the replay then runs here).
  const from = saved ? key : 'fresh';
  const engine = await startEmbeddedShadow({ key: from, dump: saved ?? null, extensions, signal: d.signal });
  const k = connect(engine.url);
  const info: ShadowInfo = { kind: 'embedded', version: engine.version, label: `the embedded engine (${EMBEDDED_ENGINE}, PostgreSQL ${engine.version})` };
  const close = async () => {
    await k.destroy().catch(() => undefined);
    await engine.close();
    // The next use most likely wants the same replay: start its engine now.
    const next = req.applied.length ? dumps.get(key) : undefined;
    prepareSpare(next ? key : 'fresh', next ?? null, extensions);
  };
  try {
    if (req.applied.length && !saved) {
      await replay(k, req.config, req.applied);
      remember(key, await engine.dump());
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { knex: k, info, reused: !!saved, close };
}

async function openServer(req: ShadowRequest, key: string, d: Deadline): Promise<Opened> {
  const url = req.config.shadow.databaseUrl!;
  const admin = adminKnex(url);
  let work: ServerDatabase | null = null;
  let k: Knex | null = null;
  const kill = () => void work?.drop().catch(() => undefined);
  d.signal.addEventListener('abort', kill, { once: true });
  const close = async () => {
    d.signal.removeEventListener('abort', kill);
    await k?.destroy().catch(() => undefined);
    await work?.drop().catch((err: unknown) => log.error({ err, database: work?.name }, 'could not drop a shadow database'));
    await admin.destroy();
  };
  try {
    const template = templateName(req.scope, key);
    const reused = !req.applied.length || (await templateExists(admin, template));
    if (!reused) {
      const first = await createWorkDatabase(admin, url, null);
      work = first;
      const replaying = connect(first.url);
      try {
        await replay(replaying, req.config, req.applied);
      } finally {
        await replaying.destroy();
      }
      d.signal.throwIfAborted();
      await saveTemplate(admin, first, template, req.scope);
    }
    work = await createWorkDatabase(admin, url, req.applied.length ? template : null);
    d.signal.throwIfAborted();
    k = connect(work.url);
    const version = await serverVersion(k);
    const where = describeTarget({ kind: 'external', url });
    return { knex: k, info: { kind: 'server', version, label: `the shadow server ${where.host} (PostgreSQL ${version})` }, reused: reused && req.applied.length > 0, close };
  } catch (err) {
    await close();
    throw err;
  }
}

const cleaned: Set<string> = ((globalThis as Record<string, unknown>).__strataShadowCleaned ??= new Set<string>()) as Set<string>;

/** Drops the shadow databases that dead processes left on the shadow server (once per process, and at start-up). */
export async function cleanupShadowLeftovers(config: StrataConfig): Promise<string[]> {
  const url = config.shadow.databaseUrl;
  if (!url) return [];
  cleaned.add(url);
  const admin = adminKnex(url);
  try {
    const dropped = await dropLeftovers(admin, config.shadow.timeoutMs);
    if (dropped.length) log.warn({ dropped }, 'dropped shadow databases left by stopped processes');
    return dropped;
  } finally {
    await admin.destroy();
  }
}

/** Gives `fn` a shadow holding the replay of `req.applied`; always thrown away afterwards. */
export async function withShadow<T>(req: ShadowRequest, fn: (shadow: Shadow) => Promise<T>): Promise<T> {
  const { config } = req;
  const d = deadline(config.shadow.timeoutMs, req.signal);
  if (config.shadow.databaseUrl && !cleaned.has(config.shadow.databaseUrl)) {
    await cleanupShadowLeftovers(config).catch((err: unknown) => log.warn({ err }, 'could not look for leftover shadow databases'));
  }
  const release = await acquireSlot(config.shadow.maxConcurrent, d);
  let opened: Opened | null = null;
  try {
    const started = performance.now();
    const { key } = await replayPlan(config, req.applied, shadowEngine(config));
    // Not raced against the deadline: opening stops itself when it fires (the worker ends, the
    // database is dropped), and this place is given back only once that is done.
    opened = await (config.shadow.databaseUrl ? openServer : openEmbedded)(req, key, d).catch((err: unknown) => {
      throw d.signal.aborted ? d.error() : err;
    });
    const shadow: Shadow = { knex: opened.knex, info: opened.info, replay: { migrations: req.applied.length, reused: opened.reused }, key };
    log.debug({ shadow: shadow.info.label, replay: shadow.replay, ms: Math.round(performance.now() - started) }, 'shadow ready');
    return await stopWith(d, fn(shadow));
  } finally {
    await opened?.close();
    release();
  }
}

/** `work`, unless the time limit or the caller stops it first (`work` then fails on its own later). */
function stopWith<T>(d: Deadline, work: Promise<T>): Promise<T> {
  if (d.signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(d.error());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(d.error());
    };
    d.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        d.signal.removeEventListener('abort', onAbort);
        if (d.signal.aborted) reject(d.error());
        else resolve(v);
      },
      (err: unknown) => {
        d.signal.removeEventListener('abort', onAbort);
        reject(d.signal.aborted ? d.error() : err);
      },
    );
  });
}

// Snapshots of replays, by replay key: a replay of the same files gives the same catalog.
const SNAPSHOTS_KEPT = 20;
const snapshots: Map<string, { snapshot: CatalogSnapshot; info: ShadowInfo }> = ((globalThis as Record<string, unknown>).__strataReplaySnapshots ??= new Map()) as Map<
  string,
  { snapshot: CatalogSnapshot; info: ShadowInfo }
>;

/**
 * The catalog of the replay of `req.applied`: read once on a shadow, then from memory while the
 * files are unchanged (the key covers their checksums and the shadow engine).
 */
export async function replaySnapshot(req: ShadowRequest, options: SnapshotOptions): Promise<{ snapshot: CatalogSnapshot; info: ShadowInfo; replay: ReplayInfo }> {
  const { key } = await replayPlan(req.config, req.applied, shadowEngine(req.config));
  const cacheKey = `${key}|${JSON.stringify(options)}`;
  const hit = snapshots.get(cacheKey);
  if (hit) return { ...hit, replay: { migrations: req.applied.length, reused: true } };
  // Requests that arrive while the same replay is being read wait for that one instead of each
  // starting a shadow of its own (a page opened in ten tabs, a reload, a burst of callers).
  return joinFlight(cacheKey, req.signal, (signal) =>
    withShadow({ ...req, signal }, async (shadow) => {
      const snapshot = await readSnapshot(shadow.knex, options);
      snapshots.delete(cacheKey);
      snapshots.set(cacheKey, { snapshot, info: shadow.info });
      while (snapshots.size > SNAPSHOTS_KEPT) snapshots.delete(snapshots.keys().next().value!);
      return { snapshot, info: shadow.info, replay: shadow.replay };
    }),
  );
}

type Flight = { promise: Promise<unknown>; callers: number; controller: AbortController };
const flights: Map<string, Flight> = ((globalThis as Record<string, unknown>).__strataShadowFlights ??= new Map()) as Map<string, Flight>;

/**
 * One `start(signal)` per key at a time, shared by every caller that asks for the key while it
 * runs. A caller whose own signal fires leaves with ShadowStoppedError('cancelled'); the shared
 * work is stopped only when the last caller has left.
 */
export function joinFlight<T>(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let flight = flights.get(key);
  if (!flight) {
    const controller = new AbortController();
    const created: Flight = { promise: Promise.resolve(), callers: 0, controller };
    created.promise = start(controller.signal).finally(() => {
      if (flights.get(key) === created) flights.delete(key);
    });
    flights.set(key, created);
    flight = created;
  }
  const joined = flight;
  joined.callers++;
  return new Promise<T>((resolve, reject) => {
    let left = false;
    const leave = () => {
      if (left) return false;
      left = true;
      joined.callers--;
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = () => {
      if (!leave()) return;
      if (joined.callers === 0) {
        if (flights.get(key) === joined) flights.delete(key);
        joined.controller.abort();
      }
      reject(new ShadowStoppedError('cancelled', 0));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    joined.promise.then(
      (value) => {
        if (leave()) resolve(value as T);
      },
      (err: unknown) => {
        if (leave()) reject(err);
      },
    );
  });
}

/** How many shared shadow uses are under way in this process (for tests). */
export function sharedFlights(): number {
  return flights.size;
}

/** Forgets the saved replays and their catalogs kept in this process (the benchmark's uncached figures). */
export function forgetSavedReplays(): void {
  dumps.clear();
  snapshots.clear();
}
