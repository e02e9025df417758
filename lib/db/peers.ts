import 'server-only';
// Connections to the other databases of the targets file (lib/targets): opened on first use, a
// small pool each, closed when idle, with short bounds, so that one that does not answer costs
// its own card a few seconds and nothing else. Only read from; migrations run through getDb().
import knex, { type Knex } from 'knex';
import { log } from '../log';
import { DASHBOARD_APPLICATION } from './knex-config';

// A target that cannot be reached is said on its card; knex's own lines about it go to the debug log.
const quiet: Knex.Config['log'] = {
  warn: (m: unknown) => log.debug({ component: 'knex', pool: 'targets' }, String(m)),
  error: (m: unknown) => log.debug({ component: 'knex', pool: 'targets' }, String(m)),
  deprecate: () => undefined,
  debug: () => undefined,
};

/** How long reading a peer may take in all, connecting included. */
export const PEER_BOUNDS = { connectMs: 3_000, statementMs: 5_000, idleMs: 60_000 } as const;

/** `work`, or the error `onTimeout` makes once PEER_BOUNDS' connect and statement times have passed. */
export function withinPeerBounds<T>(work: Promise<T>, onTimeout: (message: string) => Error): Promise<T> {
  const limit = PEER_BOUNDS.connectMs + PEER_BOUNDS.statementMs;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout(`did not answer within ${limit / 1000} s`)), limit);
    }),
  ]).finally(() => clearTimeout(timer));
}

const holder = globalThis as { __strataPeers?: Map<string, Knex> };
const peers = (holder.__strataPeers ??= new Map<string, Knex>());

/** A pool for the database at `url` (keyed by the URL, so a changed variable opens a new one). */
export function peerKnex(url: string): Knex {
  let k = peers.get(url);
  if (!k) {
    k = knex({
      client: 'pg',
      connection: {
        connectionString: url,
        application_name: `${DASHBOARD_APPLICATION} targets`,
        connectionTimeoutMillis: PEER_BOUNDS.connectMs,
        statement_timeout: PEER_BOUNDS.statementMs,
        query_timeout: PEER_BOUNDS.statementMs + 1_000,
        keepAlive: true,
      } as Knex.PgConnectionConfig,
      pool: { min: 0, max: 2, idleTimeoutMillis: PEER_BOUNDS.idleMs, reapIntervalMillis: 5_000 },
      acquireConnectionTimeout: PEER_BOUNDS.connectMs + 500,
      log: quiet,
    });
    peers.set(url, k);
  }
  return k;
}

export async function closePeers(): Promise<void> {
  const all = [...peers.values()];
  peers.clear();
  await Promise.all(all.map((k) => k.destroy().catch(() => undefined)));
}
