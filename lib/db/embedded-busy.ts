import 'server-only';
// What holds the embedded database's only connection for a long time (a migration run, a dry
// run, a background job), so that requests answer at once with what is going on instead of
// waiting behind it. The holder's own work runs in an async context of its own: its queries go
// through; anyone else's query fails at once with "busy" (guardEmbeddedPool). Only this process
// can hold it: the embedded database has one owner.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { DbTarget } from './target';

export type EmbeddedHolder = {
  kind: 'run' | 'job';
  /** What it is, in words: "a migration run", "a recall measurement of …". */
  what: string;
  id: string;
  by: string;
  startedAt: number;
};

type State = { holders: Map<string, EmbeddedHolder>; context: AsyncLocalStorage<string> };
const state: State = ((globalThis as Record<string, unknown>).__strataEmbeddedBusy ??= {
  holders: new Map<string, EmbeddedHolder>(),
  context: new AsyncLocalStorage<string>(),
}) as State;

/**
 * Runs `fn` as a holder of the embedded database: meanwhile other requests are told it is busy.
 * On a server database it just runs `fn`.
 */
export async function holdingEmbedded<T>(target: DbTarget, holder: Omit<EmbeddedHolder, 'startedAt'>, fn: () => Promise<T>): Promise<T> {
  if (target.kind !== 'embedded') return fn();
  state.holders.set(holder.id, { ...holder, startedAt: Date.now() });
  try {
    return await state.context.run(holder.id, fn);
  } finally {
    state.holders.delete(holder.id);
  }
}

/** The oldest holder, when the embedded database is busy. */
export function embeddedBusy(target: DbTarget): EmbeddedHolder | null {
  if (target.kind !== 'embedded' || state.holders.size === 0) return null;
  return [...state.holders.values()].sort((a, b) => a.startedAt - b.startedAt)[0]!;
}

export function busyMessage(h: EmbeddedHolder, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - h.startedAt) / 1000));
  return `Busy: ${h.what} holds the embedded database's only connection (started ${s} s ago by ${h.by}). This answers again when it ends.`;
}

export function busyError(h: EmbeddedHolder): ApiError {
  return new ApiError('database_busy', busyMessage(h), { busy: { what: h.what, by: h.by, startedAt: new Date(h.startedAt).toISOString() } });
}

/**
 * Makes the dashboard's embedded pool refuse, at once, a connection asked for by anyone but the
 * current holder, instead of queueing the query behind a run that may take minutes.
 */
export function guardEmbeddedPool(knex: Knex, target: DbTarget): void {
  if (target.kind !== 'embedded') return;
  const client = knex.client as { acquireConnection(): Promise<unknown> };
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = () => {
    const busy = embeddedBusy(target);
    const mine = state.context.getStore();
    if (busy && !(mine && state.holders.has(mine))) return Promise.reject(busyError(busy));
    return acquire();
  };
}
