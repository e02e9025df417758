// The PostgreSQL backends of this process's own connection pools (by database and pid, while
// connected), so that "which sessions could be migrating" never counts the dashboard's own short
// reads, which may be in flight at the moment it asks. Pids are per server: a backend of another
// database's pool is not ours here. Loaded by the knex CLI too, so no 'server-only' here.

type PgConnection = { processID?: number; once?: (event: 'end', fn: () => void) => void };

const own: Map<string, Set<number>> = ((globalThis as Record<string, unknown>).__strataOwnBackendsByDatabase ??= new Map<string, Set<number>>()) as Map<
  string,
  Set<number>
>;

/** Records a new pooled connection's backend (on the database `key`, lib/db/database-key.ts) until the connection ends. */
export function trackOwnBackend(key: string, conn: PgConnection): void {
  const pid = conn.processID;
  if (!pid) return;
  let pids = own.get(key);
  if (!pids) own.set(key, (pids = new Set()));
  pids.add(pid);
  conn.once?.('end', () => pids.delete(pid));
}

export function ownBackendPids(key: string): number[] {
  return [...(own.get(key) ?? [])];
}
