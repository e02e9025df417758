// Live progress (lib/live/hub.ts): one read per change for every watcher of a topic in a process,
// the final state then "end", and on a server database a change announced by another connection
// (NOTIFY) reaches this process's watchers without waiting for the next periodic read.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { announce, listen, poke, subscribe, topicStats, type LiveEvent } from '../lib/live/hub';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();
const onPostgres = inject('testDb').mode === 'postgres';

beforeAll(() => {
  // No periodic reads during these tests: every read is one a change asked for.
  process.env.STRATA_LIVE_TICK_MS = '600000';
});
afterAll(() => {
  delete process.env.STRATA_LIVE_TICK_MS;
});

function watchers(n: number, key: string, read: () => Promise<unknown>) {
  const seen: LiveEvent[][] = [];
  const stops: (() => void)[] = [];
  for (let i = 0; i < n; i++) {
    const events: LiveEvent[] = [];
    seen.push(events);
    stops.push(subscribe(key, read, (v) => (v as { status: string }).status !== 'running', (e) => events.push(e)));
  }
  return { seen, stop: () => stops.forEach((s) => s()) };
}

describe('the live hub', () => {
  it('reads a topic once per change for ten watchers, sends each state once, and ends every stream at the final state', async () => {
    let state = { status: 'running', done: 0 };
    let reads = 0;
    const read = async () => {
      reads++;
      return { ...state };
    };
    const { seen } = watchers(10, 'job:hub-test', read);
    await expect.poll(() => seen.every((e) => e.length === 1)).toBe(true);
    expect(reads).toBe(1);

    state = { status: 'running', done: 5 };
    poke('job:hub-test');
    await expect.poll(() => seen.every((e) => e.length === 2)).toBe(true);
    expect(reads).toBe(2);
    // A change that changes nothing sends nothing.
    poke('job:hub-test');
    await expect.poll(() => reads).toBe(3);
    expect(seen[0]).toHaveLength(2);

    state = { status: 'done', done: 10 };
    poke('job:hub-test');
    await expect.poll(() => seen.every((e) => e.length === 4)).toBe(true);
    for (const events of seen) {
      expect(events.map((e) => (e.type === 'state' ? (e.data as { done: number }).done : e.type))).toEqual([0, 5, 10, 'end']);
    }
    expect(topicStats('job:hub-test')).toBeNull();
  });

  it('gives a watcher who joins late the last state at once, without a read', async () => {
    let reads = 0;
    const first = watchers(1, 'job:late', async () => (reads++, { status: 'running', done: 1 }));
    await expect.poll(() => first.seen[0]!.length).toBe(1);
    const late = watchers(1, 'job:late', async () => (reads++, { status: 'running', done: 1 }));
    expect(late.seen[0]).toEqual([{ type: 'state', data: { status: 'running', done: 1 } }]);
    expect(reads).toBe(1);
    expect(topicStats('job:late')).toEqual({ reads: 1, watchers: 2 });
    first.stop();
    late.stop();
    expect(topicStats('job:late')).toBeNull();
  });

  it.skipIf(!onPostgres)('wakes on a change another connection announces (NOTIFY), with no periodic read to wait for', async () => {
    expect(await listen(db.target)).toBe(true);
    let done = 0;
    const { seen, stop } = watchers(3, 'run:notify-test', async () => ({ status: 'running', done }));
    await expect.poll(() => seen.every((e) => e.length === 1)).toBe(true);
    done = 7;
    // Another process: its own connection, announcing as the runner does.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    await other.query(`SELECT pg_notify('strata_live', 'run:notify-test')`);
    await other.end();
    await expect.poll(() => seen.every((e) => e.length === 2), { timeout: 10_000 }).toBe(true);
    expect(seen[0]![1]).toEqual({ type: 'state', data: { status: 'running', done: 7 } });
    // And announce() from this process reaches it too.
    done = 8;
    await announce(db.knex, db.target, 'run:notify-test');
    await expect.poll(() => seen[0]!.length, { timeout: 10_000 }).toBe(3);
    stop();
  });
});
if (!onPostgres) console.log('[live hub] the NOTIFY case is skipped: it needs a PostgreSQL server (TEST_DATABASE_URL)');
