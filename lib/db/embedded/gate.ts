// A TCP front for pglite-socket that lets exactly one client connection through at a time.
// PGlite has a single backend; pglite-socket interleaves the messages of concurrent connections,
// and a large parameterized message from one client can then run another client's statement.
// Here a second client waits (its socket paused) until the first disconnects, so every
// connection, and therefore every transaction, has the backend to itself.
import net from 'node:net';

export type Gate = {
  port: number;
  stats(): { active: boolean; waiting: number };
  close(): Promise<void>;
};

export type GateOptions = {
  host?: string;
  port?: number;
  /** Where the real pglite-socket server listens. */
  upstream: { host: string; port: number };
  /** How long a client may wait for its turn before it gets a FATAL error. */
  waitTimeoutMs?: number;
  /** Sends each reply at once (TCP_NODELAY); false only for the benchmark's baseline. */
  noDelay?: boolean;
};

/** A PostgreSQL ErrorResponse, so that pg reports a readable error instead of a reset socket. */
function fatal(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from('SFATAL\0', 'utf8'),
    Buffer.from(`C${code}\0`, 'utf8'),
    Buffer.from(`M${message}\0`, 'utf8'),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'ascii');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

export async function startGate(opts: GateOptions): Promise<Gate> {
  const waitTimeoutMs = opts.waitTimeoutMs ?? 60_000;
  const waiting: { socket: net.Socket; timer: NodeJS.Timeout }[] = [];
  const open = new Set<net.Socket>();
  let active: net.Socket | null = null;
  let closing = false;

  const admitNext = () => {
    if (active || closing) return;
    const next = waiting.shift();
    if (!next) return;
    clearTimeout(next.timer);
    if (next.socket.destroyed) return admitNext();
    serve(next.socket);
  };

  const serve = (client: net.Socket) => {
    active = client;
    const upstream = net.connect(opts.upstream.port, opts.upstream.host);
    // Without these, Nagle's algorithm holds back a small reply until the last one is
    // acknowledged, and the peer's delayed acknowledgement makes that about 40 ms per query.
    client.setNoDelay(opts.noDelay !== false);
    upstream.setNoDelay(opts.noDelay !== false);
    open.add(upstream);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      client.destroy();
      upstream.end();
      // The next client gets its turn once the backend has seen this connection close;
      // pglite-socket's own queue then holds the next client's messages until it has rolled
      // back anything this one left open.
      const release = () => {
        open.delete(upstream);
        if (active === client) active = null;
        admitNext();
      };
      if (upstream.destroyed) release();
      else {
        upstream.once('close', release);
        setTimeout(() => upstream.destroy(), 5_000).unref();
      }
    };
    upstream.on('error', () => {
      if (!client.destroyed) client.end(fatal('08006', 'embedded database connection failed'));
      finish();
    });
    client.on('error', finish);
    client.on('close', finish);
    upstream.on('close', finish);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };

  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    if (closing) {
      socket.end(fatal('57P01', 'embedded database is shutting down'));
      return;
    }
    if (!active) {
      serve(socket);
      return;
    }
    socket.pause();
    const timer = setTimeout(() => {
      const i = waiting.findIndex((w) => w.socket === socket);
      if (i >= 0) waiting.splice(i, 1);
      socket.end(
        fatal(
          '53300',
          `embedded database busy: another connection held it for more than ${Math.round(waitTimeoutMs / 1000)}s`,
        ),
      );
    }, waitTimeoutMs);
    waiting.push({ socket, timer });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After start-up (e.g. EMFILE on accept): log-free and non-fatal; the server keeps listening.
  server.on('error', () => undefined);
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('gate: no TCP address');

  return {
    port: address.port,
    stats: () => ({ active: active !== null, waiting: waiting.length }),
    close: async () => {
      closing = true;
      for (const w of waiting.splice(0)) {
        clearTimeout(w.timer);
        w.socket.end(fatal('57P01', 'embedded database is shutting down'));
      }
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
