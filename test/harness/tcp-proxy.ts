// A TCP proxy that a test puts between Strata and a database, to play a sick database without
// touching the real server: `refuse` closes the port (new connections get ECONNREFUSED and open
// ones are cut, as when the server is stopped), `freeze` keeps every socket open but forwards
// nothing in either direction (as a stopped process, a paused VM or a dead network path looks to
// a client: the kernel still accepts connections), and `resume` goes back to forwarding, with
// whatever was held back delivered then.
import net from 'node:net';

export type ProxyMode = 'forward' | 'freeze' | 'refuse';

export type TcpProxy = {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  mode(): ProxyMode;
  freeze(): void;
  /** Stops listening and cuts every open connection. */
  refuse(): Promise<void>;
  /** Forwards again: listens again after `refuse`, delivers what `freeze` held back. */
  resume(): Promise<void>;
  /** Connections currently open through the proxy. */
  openConnections(): number;
  close(): Promise<void>;
};

type Pair = { client: net.Socket; upstream: net.Socket };

export async function startTcpProxy(upstream: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  const pairs = new Set<Pair>();
  let server: net.Server | null = null;
  let listenPort = port;

  const pump = (from: net.Socket, to: net.Socket) => {
    // Paused while frozen: data stays in the kernel and in the socket's buffer, unread.
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (mode === 'forward') from.resume();
    });
  };

  const accept = (client: net.Socket) => {
    const up = net.connect(upstream.port, upstream.host);
    const pair = { client, upstream: up };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      up.destroy();
    };
    client.on('error', end);
    up.on('error', end);
    client.on('close', end);
    up.on('close', end);
    pump(client, up);
    pump(up, client);
    if (mode === 'freeze') {
      client.pause();
      up.pause();
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer(accept);
      s.once('error', reject);
      s.listen(listenPort, '127.0.0.1', () => {
        s.off('error', reject);
        listenPort = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });

  const cutAll = () => {
    for (const p of [...pairs]) {
      p.client.destroy();
      p.upstream.destroy();
    }
    pairs.clear();
  };

  await listen();

  return {
    get port() {
      return listenPort;
    },
    urlFor(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(listenPort);
      return u.toString();
    },
    mode: () => mode,
    freeze() {
      mode = 'freeze';
      for (const p of pairs) {
        p.client.pause();
        p.upstream.pause();
      }
    },
    async refuse() {
      mode = 'refuse';
      // The server's close waits for its connections: cut them first.
      const stopped = stopListening();
      cutAll();
      await stopped;
    },
    async resume() {
      const was = mode;
      mode = 'forward';
      if (was === 'refuse') await listen();
      for (const p of pairs) {
        p.client.resume();
        p.upstream.resume();
      }
    },
    openConnections: () => pairs.size,
    async close() {
      mode = 'refuse';
      const stopped = stopListening();
      cutAll();
      await stopped;
    },
  };
}
