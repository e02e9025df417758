// Bounds how long a request waits on a database that has stopped answering.
//
// A server-side statement_timeout cannot do it: a frozen server (a paused VM, a stopped process,
// a network path that drops everything) enforces nothing, and TCP keepalive does not notice as
// long as the kernel at the other end still answers. A fixed client-side timeout cannot do it
// either, since some reads legitimately take a minute (distributions over a million rows). So
// the guard asks the question directly: when a statement has been waiting for STALL_MS, it opens
// a fresh connection and runs `SELECT 1` (at most PROBE_TIMEOUT_MS). If the server answers, the
// slow statement is left alone (its own statement_timeout bounds it); if not, every connection
// waiting on the server is cut, and its statement fails at once as "the server stopped answering".
//
// Loaded by the knex CLI too (through knex-config.ts): no 'server-only' here.
import pg from 'pg';

export const STALL_MS = 1_500;
export const PROBE_TIMEOUT_MS = 2_000;
// While a long statement runs on a live server, the question is asked again this often.
const REPROBE_MS = 2_500;
const TICK_MS = 250;

type PgQuery = object;
export type GuardedConnection = {
  _getActiveQuery?: () => PgQuery | null;
  activeQuery?: PgQuery | null;
  connection?: { stream?: { destroy(err?: Error): void } };
  once(event: 'end' | 'error', fn: () => void): unknown;
};

export class DatabaseStalledError extends Error {
  override name = 'DatabaseStalledError';
  /** A socket-level code, so that retry logic treats it as the connection problem it is. */
  readonly code = 'ETIMEDOUT';
  constructor(waitedMs: number) {
    super(`the server stopped answering: a statement waited ${(waitedMs / 1000).toFixed(1)} s and a fresh connection got no answer within ${PROBE_TIMEOUT_MS / 1000} s`);
  }
}

/** Connects, runs SELECT 1 and disconnects; rejects when that takes longer than `timeoutMs`. */
export async function probeDatabase(config: pg.ClientConfig, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: timeoutMs, application_name: 'strata probe' });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.query('SELECT 1');
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    // A server that does not answer would not answer the goodbye either.
    (client as unknown as GuardedConnection).connection?.stream?.destroy();
  }
}

export type StallGuard = { attach(conn: GuardedConnection): void; stalled(): number };

export function createStallGuard(probe: () => Promise<void>, stallMs = STALL_MS): StallGuard {
  const connections = new Set<GuardedConnection>();
  const firstSeen = new WeakMap<PgQuery, number>();
  let timer: NodeJS.Timeout | null = null;
  let probing = false;
  // When the last probe that got an answer started: a wait that began before it is known to be
  // a slow statement on a live server, until REPROBE_MS later.
  let answeredAt = -Infinity;

  const active = (c: GuardedConnection) => (c._getActiveQuery ? c._getActiveQuery() : (c.activeQuery ?? null));

  const waiting = (now: number) => {
    const out: { conn: GuardedConnection; since: number }[] = [];
    for (const conn of connections) {
      const q = active(conn);
      if (!q) continue;
      let since = firstSeen.get(q);
      if (since === undefined) firstSeen.set(q, (since = now));
      if (now - since >= stallMs) out.push({ conn, since });
    }
    return out;
  };

  const tick = () => {
    const now = Date.now();
    if (probing) return;
    const due = waiting(now).some((w) => w.since > answeredAt || now - answeredAt >= REPROBE_MS);
    if (!due) return;
    probing = true;
    const startedAt = Date.now();
    probe().then(
      () => {
        probing = false;
        answeredAt = startedAt;
      },
      () => {
        probing = false;
        const at = Date.now();
        for (const { conn, since } of waiting(at)) {
          connections.delete(conn);
          conn.connection?.stream?.destroy(new DatabaseStalledError(at - since));
        }
      },
    );
  };

  const ensureTimer = () => {
    if (timer || connections.size === 0) return;
    timer = setInterval(() => {
      if (connections.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
        return;
      }
      tick();
    }, TICK_MS);
    timer.unref?.();
  };

  return {
    attach(conn) {
      connections.add(conn);
      const forget = () => connections.delete(conn);
      conn.once('end', forget);
      conn.once('error', forget);
      ensureTimer();
    },
    stalled: () => waiting(Date.now()).length,
  };
}
