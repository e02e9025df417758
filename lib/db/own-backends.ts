// The PostgreSQL backends of this process's own connection pools (by pid, while connected), so
// that "which sessions could be migrating" never counts the dashboard's own short reads, which may
// be in flight at the moment it asks. Loaded by the knex CLI too, so no 'server-only' here.

type PgConnection = { processID?: number; once?: (event: 'end', fn: () => void) => void };

const own: Set<number> = ((globalThis as Record<string, unknown>).__strataOwnBackends ??= new Set<number>()) as Set<number>;

/** Records a new pooled connection's backend until the connection ends. */
export function trackOwnBackend(conn: PgConnection): void {
  const pid = conn.processID;
  if (!pid) return;
  own.add(pid);
  conn.once?.('end', () => own.delete(pid));
}

export function ownBackendPids(): number[] {
  return [...own];
}
