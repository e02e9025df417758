// The embedded database's engine, in a worker thread of the process that owns the data folder:
// PGlite runs its statements synchronously in WebAssembly, so on the main thread a long statement
// (a 7 s migration, an index build) would stop the dashboard from answering anything meanwhile.
// Here it blocks only this thread; the main thread serves requests and reaches the engine over
// the PostgreSQL wire protocol, through its gate (gate.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function main() {
  const db = await PGlite.create(workerData.pgdata, { extensions: workerData.withVector ? { vector } : {} });
  // It allows two connections so that a closing one may linger while the gate admits the next.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
  await server.start();
  parentPort.on('message', (message) => {
    if (message?.type !== 'close') return;
    server
      .stop()
      .then(() => db.close())
      .then(
        () => parentPort.postMessage({ type: 'closed' }),
        (err) => parentPort.postMessage({ type: 'closed', error: String(err?.message ?? err) }),
      );
  });
  parentPort.postMessage({ type: 'ready', port: Number(server.getServerConn().split(':').pop()) });
}

main().catch((err) => parentPort.postMessage({ type: 'error', message: String(err?.message ?? err) }));
