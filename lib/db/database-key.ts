// Which database a connection or a target is, as one string: the in-memory state of runs, jobs,
// live streams and the dashboard's own sessions is kept per database, so that one process may
// hold connections to several without one database's state showing on another's pages. The
// server, port and database name (not the user); the embedded database, of which a process has
// one. Loaded by the knex CLI too, so no 'server-only' here.
import type { Knex } from 'knex';
import { parse } from 'pg-connection-string';
import type { DbTarget } from './target';

export const EMBEDDED_KEY = 'embedded';

/** The key of the database a connection string names. */
export function urlKey(url: string): string {
  try {
    const c = parse(url);
    return `${c.host || 'localhost'}:${c.port || '5432'}/${c.database ?? ''}`;
  } catch {
    return url;
  }
}

export function databaseKey(target: DbTarget): string {
  return target.kind === 'embedded' ? EMBEDDED_KEY : urlKey(target.url);
}

const byKnex = new WeakMap<Knex, string>();

/** The key of the database a knex instance connects to (its connection settings, read once). */
export function databaseKeyOf(knex: Knex): string {
  let key = byKnex.get(knex);
  if (key === undefined) {
    const c = (knex.client as { config?: Knex.Config }).config?.connection as unknown;
    if (typeof c === 'string') key = urlKey(c);
    else if (typeof c === 'function') key = EMBEDDED_KEY; // the embedded database resolves its connection each time
    else if (c && typeof c === 'object') {
      const o = c as { connectionString?: string; host?: string; port?: number | string; database?: string };
      key = o.connectionString ? urlKey(o.connectionString) : `${o.host || 'localhost'}:${o.port || '5432'}/${o.database ?? ''}`;
    } else key = 'unknown';
    byKnex.set(knex, key);
  }
  return key;
}
