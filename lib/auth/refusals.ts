import 'server-only';
// Every change the API refuses (401, 403, 400, 404, 409, 413, 429, 500, 503...) leaves an audit
// row: who was asking as far as Strata knows, the request id, the address, the status and why.
// A flood must not fill the table, so the rows are rate-bounded per dashboard process: at most
// REFUSALS_PER_ADDRESS a minute from one address and REFUSALS_PER_MINUTE in all; what is over
// the bound is counted and written as one `audit.refusals_suppressed` row a minute.
import { getDb } from '../db/knex';
import { log } from '../log';
import type { Actor } from '../schemas/auth';
import { recordAudit, type AuditActor } from './audit';

export const REFUSALS_PER_ADDRESS = 30;
export const REFUSALS_PER_MINUTE = 300;
const WINDOW_MS = 60_000;
// Beyond this many distinct addresses in a minute, new ones count as over the bound.
const MAX_TRACKED_ADDRESSES = 10_000;

/** What the wrapper knows of a refused request. */
export type Refusal = {
  requestId: string;
  ip: string;
  method: string;
  path: string;
  status: number;
  code: string;
  message: string;
  /** The authenticated caller, when the refusal came after authentication. */
  actor?: Actor;
  /** What the request presented, when it was not (or not yet) authenticated. */
  presented?: 'bearer token' | 'session cookie' | 'nothing';
  /** The first characters of a bearer token (as the token list shows them), never the token. */
  tokenPrefix?: string;
  /** The target the request named (`?target=`), when it named one the file has. */
  target?: string;
};

type Window = { start: number; total: number; byAddress: Map<string, number> };
type Suppressed = { count: number; from: number; byAddress: Map<string, number>; timer: NodeJS.Timeout | null };

const state = ((globalThis as { __strataRefusals?: { window: Window; suppressed: Suppressed; pending: Set<Promise<void>> } }).__strataRefusals ??= {
  window: { start: 0, total: 0, byAddress: new Map() },
  suppressed: { count: 0, from: 0, byAddress: new Map(), timer: null },
  pending: new Set(),
});

function admit(ip: string, now: number): boolean {
  const w = state.window;
  if (now - w.start >= WINDOW_MS) {
    w.start = now;
    w.total = 0;
    w.byAddress.clear();
  }
  const seen = w.byAddress.get(ip);
  const n = seen ?? 0;
  if (w.total >= REFUSALS_PER_MINUTE || n >= REFUSALS_PER_ADDRESS || (seen === undefined && w.byAddress.size >= MAX_TRACKED_ADDRESSES)) return false;
  w.total++;
  w.byAddress.set(ip, n + 1);
  return true;
}

function write(entry: Parameters<typeof recordAudit>[1]): void {
  const p = (async () => {
    try {
      await recordAudit(await getDb(), entry);
    } catch (err) {
      log.warn({ err, requestId: entry.requestId, action: entry.action }, 'could not record a refused request in the audit trail');
    }
  })();
  state.pending.add(p);
  void p.finally(() => state.pending.delete(p));
}

function flushSuppressed(): void {
  const s = state.suppressed;
  if (s.timer) clearTimeout(s.timer);
  s.timer = null;
  if (!s.count) return;
  const top = [...s.byAddress].sort((a, b) => b[1] - a[1]).slice(0, 5);
  write({
    actor: { kind: 'system', label: 'rate bound' },
    action: 'audit.refusals_suppressed',
    outcome: 'denied',
    details: { count: s.count, from: new Date(s.from).toISOString(), to: new Date().toISOString(), topAddresses: Object.fromEntries(top) },
  });
  s.count = 0;
  s.byAddress.clear();
}

function suppress(ip: string, now: number): void {
  const s = state.suppressed;
  if (!s.count) s.from = now;
  s.count++;
  if (s.byAddress.size < 1000 || s.byAddress.has(ip)) s.byAddress.set(ip, (s.byAddress.get(ip) ?? 0) + 1);
  s.timer ??= setTimeout(flushSuppressed, WINDOW_MS);
  s.timer.unref?.();
}

/** Records a refused change, within the rate bound; never throws and never delays the answer. */
export function recordRefusal(r: Refusal): void {
  const now = Date.now();
  if (!admit(r.ip, now)) return suppress(r.ip, now);
  const actor: AuditActor = r.actor ?? {
    kind: 'anonymous',
    label: r.tokenPrefix ? `token ${r.tokenPrefix}…` : r.presented === 'session cookie' ? 'session cookie' : 'anonymous',
  };
  write({
    actor,
    action: r.status === 403 ? 'access.denied' : 'request.refused',
    outcome: r.status === 401 || r.status === 403 || r.status === 429 ? 'denied' : 'failure',
    requestId: r.requestId,
    ip: r.ip,
    details: {
      method: r.method,
      path: r.path,
      status: r.status,
      code: r.code,
      reason: r.message,
      ...(r.target ? { target: r.target } : {}),
      ...(r.actor ? {} : { presented: r.presented ?? 'nothing' }),
    },
  });
}

/** Waits for the refusal rows being written (tests; a clean shutdown). */
export async function settleRefusals(): Promise<void> {
  while (state.pending.size) await Promise.allSettled([...state.pending]);
}

/** Forgets the current minute's counts (tests). */
export function resetRefusalBound(): void {
  flushSuppressed();
  state.window = { start: 0, total: 0, byAddress: new Map() };
}
