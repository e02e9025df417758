// The browser's way to call Strata's API: JSON in and out, and an Error carrying the API's
// message (and request id) when the answer is not a success.
import type { ErrorBody } from '@/lib/api/errors';
import { TARGET_PARAM } from '@/lib/targets/param';

export class ApiClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly requestId?: string,
    readonly details?: unknown,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A 503 because a run or a job holds the embedded database: a state to show, not a failure. */
export function isBusy(err: unknown): err is ApiClientError {
  return err instanceof ApiClientError && err.code === 'database_busy';
}

/**
 * The API's error body, or null for anything else (a proxy's HTML page, an empty answer). A check
 * by hand rather than the zod schema, so that zod stays out of the pages' JavaScript.
 */
export function apiErrorOf(json: unknown): ErrorBody['error'] | null {
  const e = (json as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.message !== 'string') return null;
  return { code: e.code, message: e.message, details: e.details, requestId: typeof e.requestId === 'string' ? e.requestId : undefined };
}

/** The target of the page this runs on (its `?target=`), or null for this dashboard's own. */
export function pageTarget(): string | null {
  return typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get(TARGET_PARAM);
}

/**
 * An API URL acting on the page's target: a page on `?target=staging` reads and changes staging,
 * whatever the link that led there dropped. A URL that names its own target keeps it.
 */
export function onPageTarget(url: string): string {
  const target = pageTarget();
  if (!target || !url.startsWith('/api/')) return url;
  const u = new URL(url, window.location.origin);
  if (!u.searchParams.has(TARGET_PARAM)) u.searchParams.set(TARGET_PARAM, target);
  return u.pathname + u.search;
}

export async function apiFetch<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(onPageTarget(url), {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = apiErrorOf(json);
    // The session ended (signed out elsewhere, idle, or revoked): reloading lets the page's own
    // guard send the browser to the sign-in page, which returns here afterwards.
    if (res.status === 401) window.location.reload();
    throw new ApiClientError(err?.message ?? `The request failed (HTTP ${res.status})`, res.status, err?.requestId, err?.details, err?.code);
  }
  return json as T;
}
