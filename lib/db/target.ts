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

/**
 * Waits until the live owner of the folder, if any, takes connections. Null when nobody owns it
 * (any more): the caller may then take it. An owner that is shutting down counts as leaving.
 */
async function waitForPort(dataDir: string, timeoutMs: number): Promise<{ pid: number; port: number } | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owner = liveOwner(dataDir);
    if (!owner) return null;
    if (owner.port !== null && !owner.closing) return { pid: owner.pid, port: owner.port };
    if (Date.now() > deadline) {
      const state = owner.closing ? 'still shutting down' : 'still starting';
      throw new Error(`The embedded database in ${dataDir} is ${state} in process ${owner.pid}; try again.`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isLockError(err: unknown): boolean {
  // By name: the bundler may have loaded lock.ts more than once, each with its own class.
  return err instanceof Error && err.name === 'EmbeddedLockError';
}

/**
 * Resolves the target. Without DATABASE_URL this connects through the process that owns the
 * embedded data folder, or, when none does, makes this process the owner. When another process
 * takes the folder between the look and the lock (two started at once), this one connects
 * through it instead.
 */
export async function resolveTarget(config: StrataConfig): Promise<DbTarget> {
  if (config.databaseUrl) return { kind: 'external', url: config.databaseUrl };
  const { dataDir } = config;
  for (let attempt = 1; ; attempt++) {
    let started = holder.server;
    if (!started) {
      const owner = await waitForPort(dataDir, 30_000);
      if (owner) {
        // This pid only when this process opened the folder without resolveTarget (tests do).
        const by = owner.pid === process.pid ? 'self' : owner.pid;
        return { kind: 'embedded', url: embeddedUrl(owner.port), dataDir, owner: by };
      }
      started = holder.server ??= startEmbedded(dataDir, config.embeddedPort);
    }
    try {
      const s = await started;
      return { kind: 'embedded', url: s.url, dataDir: s.dataDir, owner: 'self' };
    } catch (err) {
      if (holder.server === started) holder.server = undefined;
      if (isLockError(err) && attempt < 5) continue;
      throw err;
    }
  }
}

/**
 * False once an embedded target no longer leads to the folder's owner: the owner has exited,
 * is shutting down, or another process owns the folder now. External targets never change.
 */
export function targetIsCurrent(target: DbTarget): boolean {
  if (target.kind === 'external') return true;
  const owner = liveOwner(target.dataDir);
  if (!owner || owner.closing || owner.port === null) return false;
  const pid = target.owner === 'self' ? process.pid : target.owner;
  return owner.pid === pid && embeddedUrl(owner.port) === target.url;
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
