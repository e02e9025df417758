import 'server-only';
// Live progress pushed to pages (Server-Sent Events, app/api/live): one topic per run or job, read
// once for all of this process's watchers, so that ten operators watching one run cost what one
// costs. A topic is read when something says it changed (this process's own run or job, or another
// process's, through PostgreSQL's NOTIFY on the channel below) and otherwise once a second while it
// is running (an index build's progress is not a write anyone could announce). Nothing is sent
// when a read finds what was sent last. When the state is final it is sent, and the topic ends.
import pg from 'pg';
import type { Knex } from 'knex';
import { BOUNDS } from '../db/knex-config';
import { databaseKey } from '../db/database-key';
import type { DbTarget } from '../db/target';
import { log } from '../log';

/** The NOTIFY channel; the payload is a topic key ("run:<id>" or "job:<id>"). */
export const LIVE_CHANNEL = 'strata_live';
/** How often a running topic is read when nothing announced a change (STRATA_LIVE_TICK_MS; tests set it long). */
const tickMs = () => Number(process.env.STRATA_LIVE_TICK_MS) || 1000;

export type LiveEvent = { type: 'state'; data: unknown } | { type: 'end' } | { type: 'error'; message: string };
type Subscriber = (e: LiveEvent) => void;

type Topic = {
  key: string;
  read: () => Promise<unknown>;
  final: (value: unknown) => boolean;
  subscribers: Set<Subscriber>;
  last: string | null;
  lastValue: unknown;
  reading: boolean;
  again: boolean;
  timer: NodeJS.Timeout | null;
  reads: number;
};

/** Topics by key (run and job ids are UUIDs, unique across databases); one LISTEN connection per database. */
type HubState = { topics: Map<string, Topic>; listeners: Map<string, Listener> };
const state: HubState = ((globalThis as Record<string, unknown>).__strataLiveHubs ??= { topics: new Map(), listeners: new Map() }) as HubState;

/** A run's or a job's topic key. */
export const topicKey = (kind: 'run' | 'job', id: string) => `${kind}:${id}`;

/**
 * Follows `key`: `send` gets the state now, then each change, then 'end' once it is final.
 * Returns the function that stops following. `read` and `final` are the first subscriber's.
 */
export function subscribe(key: string, read: () => Promise<unknown>, final: (value: unknown) => boolean, send: Subscriber): () => void {
  let topic = state.topics.get(key);
  if (!topic) {
    topic = { key, read, final, subscribers: new Set(), last: null, lastValue: undefined, reading: false, again: false, timer: null, reads: 0 };
    state.topics.set(key, topic);
    topic.subscribers.add(send);
    void refresh(topic);
  } else {
    topic.subscribers.add(send);
    if (topic.last !== null) send({ type: 'state', data: topic.lastValue });
  }
  const t = topic;
  return () => {
    t.subscribers.delete(send);
    if (t.subscribers.size === 0) close(t);
  };
}

/** Says that `key` changed: its watchers in this process get the new state at once. */
export function poke(key: string): void {
  const topic = state.topics.get(key);
  if (topic) void refresh(topic);
}

/** How many times a topic was read, and by how many watchers it is followed (for tests). */
export function topicStats(key: string): { reads: number; watchers: number } | null {
  const t = state.topics.get(key);
  return t ? { reads: t.reads, watchers: t.subscribers.size } : null;
}

function close(t: Topic): void {
  if (t.timer) clearTimeout(t.timer);
  t.timer = null;
  if (state.topics.get(t.key) === t) state.topics.delete(t.key);
}

async function refresh(t: Topic): Promise<void> {
  if (t.reading) {
    t.again = true;
    return;
  }
  if (t.timer) clearTimeout(t.timer);
  t.timer = null;
  t.reading = true;
  let ended = false;
  try {
    const value = await t.read();
    t.reads++;
    const text = JSON.stringify(value);
    if (text !== t.last) {
      t.last = text;
      t.lastValue = value;
      for (const s of t.subscribers) s({ type: 'state', data: value });
    }
    if (value === null || t.final(value)) {
      ended = true;
      for (const s of t.subscribers) s({ type: 'end' });
      t.subscribers.clear();
      close(t);
    }
  } catch (err) {
    // A busy or unreachable database: the watchers keep what they have, and the next tick tries again.
    log.debug({ err, topic: t.key }, 'live topic read failed');
    for (const s of t.subscribers) s({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  } finally {
    t.reading = false;
  }
  if (ended || !state.topics.has(t.key)) return;
  if (t.again) {
    t.again = false;
    return refresh(t);
  }
  t.timer = setTimeout(() => void refresh(t), tickMs());
  t.timer.unref();
}

/** Announces a change of `key` to every dashboard process on this database (and this one). */
export async function announce(knex: Knex, target: DbTarget, key: string): Promise<void> {
  poke(key);
  if (target.kind === 'embedded') return;
  await knex.raw('SELECT pg_notify(?, ?)', [LIVE_CHANNEL, key]);
}

type Listener = { client: pg.Client; ready: Promise<boolean> };

/**
 * Listens for other processes' announcements on a server database: one connection per process
 * and database, opened with the first watcher. Without it (the embedded database, or a failed
 * LISTEN), the topics are still read every second, so the page stays live, a little later.
 */
export async function listen(target: DbTarget): Promise<boolean> {
  if (target.kind === 'embedded') return false;
  const key = databaseKey(target);
  const existing = state.listeners.get(key);
  if (existing) return existing.ready;
  const client = new pg.Client({
    connectionString: target.url,
    application_name: 'strata-live',
    connectionTimeoutMillis: BOUNDS.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: BOUNDS.keepAliveMs,
  });
  const drop = (err?: unknown) => {
    if (err) log.warn({ err, database: key }, 'live updates: the LISTEN connection ended; pages fall back to reading every second');
    if (state.listeners.get(key) === listener) state.listeners.delete(key);
    client.end().catch(() => undefined);
  };
  client.on('error', drop);
  client.on('end', () => drop());
  client.on('notification', (n) => {
    if (n.channel === LIVE_CHANNEL && n.payload) poke(n.payload);
  });
  const listener: Listener = {
    client,
    ready: (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${LIVE_CHANNEL}`);
        return true;
      } catch (err) {
        drop(err);
        return false;
      }
    })(),
  };
  state.listeners.set(key, listener);
  return listener.ready;
}

/** Stops listening on the database of `target` (its connections are being closed). */
export async function unlisten(target: DbTarget): Promise<void> {
  const key = databaseKey(target);
  const listener = state.listeners.get(key);
  if (!listener) return;
  state.listeners.delete(key);
  await listener.client.end().catch(() => undefined);
}

/** The databases this process listens on now (for tests). */
export function listeningOn(): string[] {
  return [...state.listeners.keys()];
}
