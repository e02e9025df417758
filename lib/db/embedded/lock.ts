// One process owns an embedded data folder at a time: two PGlite instances on the same
// folder corrupt it without an error. The owner writes `owner.lock` into the folder; a second
// process that finds a live owner talks to it over its port instead of opening the files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type OwnerRecord = {
  pid: number;
  host: string;
  /** TCP port of the owner's connection gate; null while the owner is still starting. */
  port: number | null;
  startedAt: string;
  /** Set once the owner has begun to shut down: its gate takes no new connections. */
  closing?: boolean;
};

export class EmbeddedLockError extends Error {
  override name = 'EmbeddedLockError';
}

export function lockPath(dataDir: string): string {
  return path.join(dataDir, 'owner.lock');
}

// The folders whose lock this process holds, so that a lock naming this pid but left by an
// earlier process (pids are reused, e.g. pid 1 in a restarted container) is seen as stale.
// On globalThis: the bundler may load this module more than once in one process.
const held: Set<string> = ((globalThis as Record<string, unknown>).__strataHeldLocks ??= new Set<string>()) as Set<string>;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readOwner(dataDir: string): OwnerRecord | null {
  let text: string;
  try {
    text = fs.readFileSync(lockPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const rec = JSON.parse(text) as OwnerRecord;
    if (typeof rec.pid !== 'number') return null;
    return rec;
  } catch {
    // A lock half-written by a crashed owner; treat as stale.
    return null;
  }
}

/** The live owner of the folder, if any (stale locks of dead processes are ignored). */
export function liveOwner(dataDir: string): OwnerRecord | null {
  const rec = readOwner(dataDir);
  if (!rec) return null;
  if (rec.host !== os.hostname()) return rec; // cannot check another host's pid; assume alive
  if (rec.pid === process.pid) return held.has(path.resolve(dataDir)) ? rec : null;
  return isAlive(rec.pid) ? rec : null;
}

/**
 * Removes a lock whose owner is dead. Two processes may find the same stale lock; a directory
 * made with mkdir (atomic) lets one of them at a time check again and remove it, so neither can
 * remove the lock that the other has just taken.
 */
function removeStaleLock(file: string, dataDir: string): void {
  const mutex = `${file}.takeover`;
  try {
    fs.mkdirSync(mutex);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process is taking over; a mutex older than 10 s belongs to one that died doing so.
    const age = Date.now() - fs.statSync(mutex).mtimeMs;
    if (age > 10_000) fs.rmSync(mutex, { recursive: true, force: true });
    return;
  }
  try {
    if (!liveOwner(dataDir)) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(mutex, { recursive: true, force: true });
  }
}

/**
 * Takes the folder for this process. Throws EmbeddedLockError naming the owner when another
 * live process holds it; removes a stale lock left by a process that died.
 */
export function acquireLock(dataDir: string): { update(port: number): void; closing(): void; release(): void } {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = lockPath(dataDir);
  const record: OwnerRecord = {
    pid: process.pid,
    host: os.hostname(),
    port: null,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    // Write beside, then link into place: the lock appears complete and only one process wins.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(record));
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = liveOwner(dataDir);
      if (owner) {
        throw new EmbeddedLockError(
          `The embedded database in ${dataDir} is already open in process ${owner.pid} ` +
            `(on ${owner.host}, since ${owner.startedAt}). Only one process may own it: ` +
            `stop that process, or set DATABASE_URL to use another PostgreSQL. ` +
            `If that process no longer exists, delete ${file}.`,
        );
      }
      removeStaleLock(file, dataDir);
      continue;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    held.add(path.resolve(dataDir));
    let released = false;
    const rewrite = () => {
      if (released) return;
      fs.writeFileSync(tmp, JSON.stringify(record));
      fs.renameSync(tmp, file);
    };
    return {
      update(port: number) {
        record.port = port;
        rewrite();
      },
      /** Tells other processes not to connect any more: they wait for the lock to go instead. */
      closing() {
        record.closing = true;
        rewrite();
      },
      release() {
        if (released) return;
        released = true;
        const current = readOwner(dataDir);
        if (current && current.pid === process.pid) fs.rmSync(file, { force: true });
        held.delete(path.resolve(dataDir));
      },
    };
  }
  throw new EmbeddedLockError(`Could not take the lock ${file}: another process keeps replacing it.`);
}
