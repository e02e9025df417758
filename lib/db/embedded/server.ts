// The embedded database: PGlite with pgvector, served over the PostgreSQL wire protocol so
// that knex and pg use it unchanged. The process that starts it owns the data folder.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { acquireLock } from './lock';
import { startGate, type Gate } from './gate';

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
  let db: PGlite | undefined;
  let socketServer: PGLiteSocketServer | undefined;
  let gate: Gate | undefined;
  try {
    const pgdata = path.join(dataDir, 'pgdata');
    fs.mkdirSync(pgdata, { recursive: true });
    // withVector: false gives a server without pgvector, as some managed PostgreSQL offerings are.
    db = await PGlite.create(pgdata, { extensions: options.withVector === false ? {} : { vector } });
    // The real socket server listens on a private port; only the gate talks to it.
    // It allows two connections so that a closing one may linger while the gate admits the next.
    socketServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
    await socketServer.start();
    const upstreamPort = Number(socketServer.getServerConn().split(':').pop());
    gate = await startGate({ port, upstream: { host: '127.0.0.1', port: upstreamPort } });
    lock.update(gate.port);
  } catch (err) {
    await gate?.close().catch(() => undefined);
    await socketServer?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    lock.release();
    throw err;
  }

  const onExit = () => lock.release();
  process.on('exit', onExit);
  let closed: Promise<void> | undefined;
  const g = gate;
  const s = socketServer;
  const d = db;
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
        await s.stop();
        await d.close();
        lock.release();
        process.off('exit', onExit);
      })();
      return closed;
    },
  };
}
