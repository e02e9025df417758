// Which PostgreSQL Strata talks to: the one in DATABASE_URL, or the embedded database.
// Shared by the Next.js server and the knex CLI (through knexfile.ts).
import { parse } from 'pg-connection-string';
import type { StrataConfig } from '../config';
import { liveOwner } from './embedded/lock';
import { embeddedUrl, startEmbedded, type EmbeddedServer } from './embedded/server';

export type DbTarget =
  | { kind: 'external'; url: string }
  | {
      kind: 'embedded';
      url: string;
      dataDir: string;
      /** 'self' when this process owns the data folder, else the pid of the process that does. */
      owner: 'self' | number;
    };

type Holder = { server?: Promise<EmbeddedServer> };
// One embedded server per process, even when the bundler loads this module more than once.
const holder: Holder = ((globalThis as Record<string, unknown>).__strataEmbedded ??= {}) as Holder;

async function waitForPort(dataDir: string, timeoutMs: number): Promise<{ pid: number; port: number } | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owner = liveOwner(dataDir);
    if (!owner) return null;
    if (owner.port !== null) return { pid: owner.pid, port: owner.port };
    if (Date.now() > deadline) {
      throw new Error(`The embedded database in ${dataDir} is still starting in process ${owner.pid}; try again.`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Resolves the target. Without DATABASE_URL this connects through the process that owns the
 * embedded data folder, or, when none does, makes this process the owner.
 */
export async function resolveTarget(config: StrataConfig): Promise<DbTarget> {
  if (config.databaseUrl) return { kind: 'external', url: config.databaseUrl };
  if (holder.server) {
    const s = await holder.server;
    return { kind: 'embedded', url: s.url, dataDir: s.dataDir, owner: 'self' };
  }
  const other = await waitForPort(config.dataDir, 30_000);
  if (other && other.pid !== process.pid) {
    return { kind: 'embedded', url: embeddedUrl(other.port), dataDir: config.dataDir, owner: other.pid };
  }
  holder.server ??= startEmbedded(config.dataDir, config.embeddedPort);
  try {
    const s = await holder.server;
    return { kind: 'embedded', url: s.url, dataDir: s.dataDir, owner: 'self' };
  } catch (err) {
    holder.server = undefined;
    throw err;
  }
}

/** Closes the embedded database if this process owns it. */
export async function closeOwnedEmbedded(): Promise<void> {
  const s = holder.server;
  holder.server = undefined;
  if (s) await (await s).close();
}

/**
 * Host and database name for display, never the password. The host is host:port, or the socket
 * folder for a Unix-socket URL (postgresql://u@/db?host=/var/run/postgresql). Without a database
 * name in the URL, pg connects to the user's namesake database, so that is the one shown.
 */
export function describeTarget(target: DbTarget): { host: string; database: string; kind: DbTarget['kind'] } {
  let c: ReturnType<typeof parse>;
  try {
    c = parse(target.url);
  } catch {
    // Nothing from the parser's error: it could quote part of the URL.
    return { kind: target.kind, host: 'unknown', database: 'unknown' };
  }
  const host = c.host || 'localhost';
  let where: string;
  if (host.startsWith('/')) where = c.port ? `${host} (port ${c.port})` : host;
  else where = c.port ? `${host.includes(':') ? `[${host}]` : host}:${c.port}` : host;
  return { kind: target.kind, host: where, database: c.database || c.user || 'postgres' };
}
