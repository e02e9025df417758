import 'server-only';
// Credentials this process checked against the database in the last minute, for the one moment
// it cannot ask the database: while a migration run or a job holds the embedded database's only
// connection. Only progress reads use them then (the run, the lock, a job); everything else
// answers "busy" at once. Any change to users, sessions or tokens made through this process
// forgets them all.
import { createHash } from 'node:crypto';
import type { Authenticated } from './actor';

const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 500;

type Entry = { who: Authenticated; at: number };
const entries: Map<string, Entry> = ((globalThis as Record<string, unknown>).__strataRecentCredentials ??= new Map<string, Entry>()) as Map<string, Entry>;

/** A key for the credential a request carries (its bearer token, else its cookies), never the credential itself. */
export function credentialKey(headers: Headers): string | null {
  const raw = headers.get('authorization') ?? headers.get('cookie');
  return raw ? createHash('sha256').update(raw).digest('hex') : null;
}

export function rememberCredential(key: string | null, who: Authenticated): void {
  if (!key) return;
  entries.delete(key);
  entries.set(key, { who, at: Date.now() });
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

export function recentCredential(key: string | null): Authenticated | null {
  const e = key ? entries.get(key) : undefined;
  return e && Date.now() - e.at <= MAX_AGE_MS ? e.who : null;
}

export function forgetCredentials(): void {
  entries.clear();
}
