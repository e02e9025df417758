// One embedded shadow: a PGlite instance with pgvector (and the contrib extensions the migrations
// name), in memory, in a worker thread of its own, served on 127.0.0.1 through pglite-socket so
// that knex and pg use it unchanged. A worker so that a long statement never blocks the
// dashboard's event loop, and so that ending it (terminate) stops a statement mid-way and gives
// its memory back at once. Plain JavaScript, loaded from disk: no bundler rewrites it.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** The extension modules this PGlite can load, by the name CREATE EXTENSION uses. */
async function loadExtensions(names) {
  const out = {};
  for (const name of names) {
    if (name === 'vector') {
      out.vector = (await import('@electric-sql/pglite-pgvector')).vector;
      continue;
    }
    const file = name.replace(/-/g, '_');
    const mod = await import(`@electric-sql/pglite/contrib/${file}`);
    out[file] = mod[file];
  }
  return out;
}

async function main() {
  const { pgliteWasmModule, initdbWasmModule, fsBundle, dump, extensions } = workerData;
  const db = await PGlite.create({
    extensions: await loadExtensions(extensions),
    pgliteWasmModule,
    initdbWasmModule,
    fsBundle: new Blob([fsBundle]),
    ...(dump ? { loadDataDir: new Blob([dump]) } : {}),
  });
  const { rows } = await db.query("SELECT current_setting('server_version') AS version");
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  parentPort.on('message', async (message) => {
    try {
      if (message.type === 'dump') {
        const data = await (await db.dumpDataDir('none')).arrayBuffer();
        parentPort.postMessage({ type: 'dump', id: message.id, data }, [data]);
      }
    } catch (err) {
      parentPort.postMessage({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
  parentPort.postMessage({ type: 'ready', port, version: rows[0].version });
}

main().catch((err) => {
  // Only the first line: PGlite's errors can carry its whole bundled source.
  parentPort.postMessage({ type: 'failed', message: (err instanceof Error ? err.message : String(err)).split('\n')[0] });
});
