// The embedded database: PGlite with pgvector, served over the PostgreSQL wire protocol so
// that knex and pg use it unchanged. The process that starts it owns the data folder. The engine
// runs in a worker thread (pglite-worker.mjs), so that its statements never block this thread.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { acquireLock } from './lock';
import { startGate, type Gate } from './gate';

// A plain file loaded by Node at run time (never bundled), found from the project root as
// lib/migrations/native-import.cjs is.
const WORKER = path.join(process.cwd(), 'lib', 'db', 'embedded', 'pglite-worker.mjs');

export type Engine = { port: number; close(): Promise<void> };

/** The engine alone, on a private port, without the gate or the folder's lock (the benchmark's). */
export function startEngine(pgdata: string, withVector: boolean): Promise<Engine> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { pgdata, withVector } });
    const fail = (err: Error) => {
      void worker.terminate();
      reject(err);
    };
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`the embedded database's engine stopped while starting (exit code ${code})`)));
    worker.once('message', (m: { type: string; port?: number; message?: string }) => {
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      if (m.type !== 'ready') return fail(new Error(`the embedded database could not start: ${m.message ?? m.type}`));
      // The process may exit with the engine still open (a CLI command): it does not hold it up.
      worker.unref();
      resolve({
        port: m.port!,
        close: () =>
          new Promise<void>((done) => {
            worker.once('message', () => void worker.terminate().then(() => done()));
            worker.once('exit', () => done());
            worker.postMessage({ type: 'close' });
          }),
      });
    });
  });
}

export type EmbeddedServer = {
  dataDir: string;
  port: number;
  url: string;
  close(): Promise<void>;
};

export function embeddedUrl(port: number): string {
  // PGlite accepts any user and database name; these match what a psql user would expect.
  return `postgresql://postgres@127.0.0.1:${port}/postgres`;
}

/**
 * Opens the data folder (creating it on first use), takes its lock, and listens on
 * 127.0.0.1:`port` (0 picks a free port). Throws EmbeddedLockError if another process owns it.
 */
export async function startEmbedded(
  dataDir: string,
  port = 0,
  options: { withVector?: boolean } = {},
): Promise<EmbeddedServer> {
  const lock = acquireLock(dataDir);
  let engine: Engine | undefined;
  let gate: Gate | undefined;
  try {
    const pgdata = path.join(dataDir, 'pgdata');
    fs.mkdirSync(pgdata, { recursive: true });
    // withVector: false gives a server without pgvector, as some managed PostgreSQL offerings are.
    // The engine's socket server listens on a private port; only the gate talks to it.
    engine = await startEngine(pgdata, options.withVector !== false);
    gate = await startGate({ port, upstream: { host: '127.0.0.1', port: engine.port } });
    lock.update(gate.port);
  } catch (err) {
    await gate?.close().catch(() => undefined);
    await engine?.close().catch(() => undefined);
    lock.release();
    throw err;
  }

  const onExit = () => lock.release();
  process.on('exit', onExit);
  let closed: Promise<void> | undefined;
  const g = gate;
  const e = engine;
  return {
    dataDir,
    port: g.port,
    url: embeddedUrl(g.port),
    close() {
      closed ??= (async () => {
        // First the lock, so that other processes wait for the folder instead of dialling a
        // gate that is about to go.
        lock.closing();
        await g.close();
        await e.close();
        lock.release();
        process.off('exit', onExit);
      })();
      return closed;
    },
  };
}
