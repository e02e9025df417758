import 'server-only';
// The embedded shadow engine: PGlite with pgvector, one worker thread per shadow. What is costly is
// done once per process and kept warm: the WebAssembly compiled once and handed to every worker,
// and the data folder of a fresh cluster (initdb, about 3 s) dumped once and loaded by every later
// shadow (under a second). After each use one engine is started ahead from the same state (the
// replay it began with), so that the next plan finds it ready; it is ended after ten idle minutes.
// The fresh cluster's dump is also kept in the temporary folder, so the next process (a CLI run)
// skips initdb too.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const nodeRequire = createRequire(path.join(process.cwd(), 'package.json'));
const PGLITE_DIST = path.dirname(nodeRequire.resolve('@electric-sql/pglite'));
const PGLITE_VERSION = (JSON.parse(fs.readFileSync(path.join(PGLITE_DIST, '..', 'package.json'), 'utf8')) as { version: string }).version;
const WORKER = path.join(process.cwd(), 'lib/shadow/embedded-worker.mjs');

/** The extensions the embedded engine can create, by their CREATE EXTENSION names. */
export const EMBEDDED_EXTENSIONS: ReadonlySet<string> = new Set([
  'vector',
  ...fs
    .readdirSync(path.join(PGLITE_DIST, 'contrib'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3).replace('uuid_ossp', 'uuid-ossp')),
]);

export const EMBEDDED_ENGINE = `PGlite ${PGLITE_VERSION}`;

type Spare = { key: string; engine: Promise<EmbeddedShadow>; timer: NodeJS.Timeout };
type Warm = {
  modules?: Promise<{ pgliteWasmModule: WebAssembly.Module; initdbWasmModule: WebAssembly.Module; fsBundle: Buffer }>;
  base?: Promise<ArrayBuffer>;
  /** One engine started ahead, from the state the last use started from, for the next use. */
  spare?: Spare;
  keepSpare?: boolean;
};
const warm: Warm = ((globalThis as Record<string, unknown>).__strataShadowWarm ??= {}) as Warm;

function modules(): NonNullable<Warm['modules']> {
  warm.modules ??= (async () => {
    const read = (f: string) => fs.promises.readFile(path.join(PGLITE_DIST, f));
    const [pglite, initdb, fsBundle] = await Promise.all([read('pglite.wasm'), read('initdb.wasm'), read('pglite.data')]);
    return { pgliteWasmModule: await WebAssembly.compile(pglite), initdbWasmModule: await WebAssembly.compile(initdb), fsBundle };
  })().catch((err: unknown) => {
    warm.modules = undefined;
    throw err;
  });
  return warm.modules;
}

export type EmbeddedShadow = {
  url: string;
  version: string;
  /** Whether the worker is still running (a spare may have been ended meanwhile). */
  alive(): Promise<boolean>;
  /** The data folder as a tar archive, to start later shadows from this state. */
  dump(): Promise<ArrayBuffer>;
  /** Ends the worker (and any statement in it) and frees its memory. */
  close(): Promise<void>;
};

export class ShadowStartError extends Error {
  override name = 'ShadowStartError';
}

// A spare nobody asks for is ended after this long, giving its memory back.
const SPARE_IDLE_MS = 10 * 60_000;

const spareKey = (key: string, extensions: string[]) => `${key}|${extensions.join(',')}`;

/** Whether to start a spare after each use (the dashboard: yes; a one-shot CLI: no). */
export function keepSpareEngine(on: boolean): void {
  warm.keepSpare = on;
  if (!on) dropSpare();
}

function dropSpare(): void {
  const spare = warm.spare;
  warm.spare = undefined;
  if (!spare) return;
  clearTimeout(spare.timer);
  void spare.engine.then((e) => e.close()).catch(() => undefined);
}

/** Starts the next use's engine now, from `dump` (null: a fresh cluster), known by `key`. */
export function prepareSpare(key: string, dump: ArrayBuffer | null, extensions: string[]): void {
  if (warm.keepSpare === false) return;
  const wanted = spareKey(key, extensions);
  if (warm.spare?.key === wanted) return;
  dropSpare();
  const engine = dump ? spawn({ dump, extensions }) : baseDump().then((base) => spawn({ dump: base, extensions }));
  engine.catch(() => undefined);
  const timer = setTimeout(() => {
    if (warm.spare?.engine === engine) dropSpare();
  }, SPARE_IDLE_MS);
  timer.unref();
  warm.spare = { key: wanted, engine, timer };
}

/** Where the spare engine listens, if one is waiting (tests check that it is used and ended). */
export async function spareUrl(): Promise<string | null> {
  const engine = await warm.spare?.engine.catch(() => null);
  return engine ? engine.url : null;
}

/** Takes the spare if it was started for `key`; it then stops when `signal` aborts. */
async function takeSpare(key: string, extensions: string[], signal?: AbortSignal): Promise<EmbeddedShadow | null> {
  const spare = warm.spare;
  if (!spare || spare.key !== spareKey(key, extensions)) return null;
  warm.spare = undefined;
  clearTimeout(spare.timer);
  const engine = await spare.engine.catch(() => null);
  if (!engine) return null;
  if (signal?.aborted || !(await engine.alive())) {
    await engine.close();
    return null;
  }
  const abort = () => void engine.close();
  signal?.addEventListener('abort', abort, { once: true });
  return { ...engine, close: () => (signal?.removeEventListener('abort', abort), engine.close()) };
}

/**
 * Starts a shadow from `dump` (a state saved earlier), or from a fresh cluster; `key` names that
 * state, so that the spare started after the last use serves when it was started from the same.
 */
export async function startEmbeddedShadow(options: { key: string; dump?: ArrayBuffer | null; extensions: string[]; signal?: AbortSignal }): Promise<EmbeddedShadow> {
  const spare = await takeSpare(options.key, options.extensions, options.signal);
  if (spare) return spare;
  // Only one engine waits ahead per process: a spare for another state is ended.
  dropSpare();
  if (options.dump) return spawn({ dump: options.dump, extensions: options.extensions, signal: options.signal });
  try {
    return await spawn({ dump: await baseDump(), extensions: options.extensions, signal: options.signal });
  } catch (err) {
    if (!(err instanceof ShadowStartError) || options.signal?.aborted) throw err;
    // A saved fresh cluster that does not load (a different build wrote it): make it again.
    forgetBaseDump();
    return spawn({ dump: await baseDump(), extensions: options.extensions, signal: options.signal });
  }
}

async function spawn(options: { dump: ArrayBuffer | null; extensions: string[]; signal?: AbortSignal }): Promise<EmbeddedShadow> {
  options.signal?.throwIfAborted();
  const worker = new Worker(WORKER, { workerData: { ...(await modules()), dump: options.dump, extensions: ['vector', ...options.extensions.filter((e) => e !== 'vector')] } });
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= worker.terminate().then(() => undefined));
  const abort = () => void close();
  options.signal?.addEventListener('abort', abort, { once: true });
  const ready = await new Promise<{ port: number; version: string }>((resolve, reject) => {
    worker.once('error', (err) => reject(new ShadowStartError(`The embedded shadow failed to start: ${err.message.split('\n')[0]}`)));
    worker.once('exit', () => reject(new ShadowStartError('The embedded shadow stopped while it was starting.')));
    worker.on('message', (m: { type: string; port?: number; version?: string; message?: string }) => {
      if (m.type === 'ready') resolve({ port: m.port!, version: m.version! });
      if (m.type === 'failed') reject(new ShadowStartError(`The embedded shadow failed to start: ${m.message}`));
    });
  }).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  worker.removeAllListeners('exit');
  let exited = false;
  worker.once('exit', () => (exited = true));
  worker.unref();
  let next = 0;
  return {
    url: `postgresql://postgres@127.0.0.1:${ready.port}/postgres`,
    version: ready.version,
    alive: async () => !exited && closed === null,
    dump: () =>
      new Promise<ArrayBuffer>((resolve, reject) => {
        const id = ++next;
        if (exited) return reject(new Error('The embedded shadow stopped before it was saved.'));
        const onExit = () => reject(new Error('The embedded shadow stopped before it was saved.'));
        const onMessage = (m: { type: string; id?: number; data?: ArrayBuffer; message?: string }) => {
          if (m.id !== id) return;
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          if (m.type === 'dump') resolve(m.data!);
          else reject(new Error(`Could not save the embedded shadow: ${m.message}`));
        };
        worker.on('message', onMessage);
        worker.once('exit', onExit);
        worker.postMessage({ type: 'dump', id });
      }),
    close: async () => {
      options.signal?.removeEventListener('abort', abort);
      await close();
    },
  };
}

// A folder of this user's own (mode 700): another local user must not be able to plant a cluster.
const baseDir = () => path.join(os.tmpdir(), `strata-shadow-${os.userInfo().uid}`);
const baseFile = () => path.join(baseDir(), `base-pglite-${PGLITE_VERSION}.tar`);

function ownFolder(): boolean {
  try {
    const st = fs.statSync(baseDir());
    return st.isDirectory() && st.uid === os.userInfo().uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The data folder of a fresh cluster: from memory, from the temporary folder, or made now. */
function baseDump(): Promise<ArrayBuffer> {
  warm.base ??= (async () => {
    const file = baseFile();
    try {
      if (!ownFolder()) throw new Error('not our folder');
      const b = await fs.promises.readFile(file);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    } catch {
      // Not there yet (or unreadable): make it.
    }
    const fresh = await spawn({ dump: null, extensions: [] });
    try {
      const data = await fresh.dump();
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.promises.mkdir(baseDir(), { recursive: true, mode: 0o700 });
      if (ownFolder()) {
        await fs.promises.writeFile(tmp, Buffer.from(data), { mode: 0o600 });
        await fs.promises.rename(tmp, file).catch(() => fs.promises.rm(tmp, { force: true }));
      }
      return data;
    } finally {
      await fresh.close();
    }
  })().catch((err: unknown) => {
    warm.base = undefined;
    throw err;
  });
  return warm.base;
}

/**
 * Pays the cold start ahead (the dashboard does at start-up): the WebAssembly compiled and a fresh
 * cluster's data folder ready, without keeping an engine running.
 */
export async function warmEngine(): Promise<void> {
  await modules();
  await baseDump();
}

/** Forgets the fresh cluster's dump, here and in the temporary folder. */
export function forgetBaseDump(): void {
  warm.base = undefined;
  fs.rmSync(baseFile(), { force: true });
}

/** Back to a cold start: the WebAssembly compiled again, the fresh cluster made again (the benchmark's cold figure). */
export function forgetWarmEngine(): void {
  dropSpare();
  warm.modules = undefined;
  forgetBaseDump();
}
