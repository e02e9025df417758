// The browser's way to call Strata's API: JSON in and out, and an Error carrying the API's
// message (and request id) when the answer is not a success.
import type { ErrorBody } from '@/lib/api/errors';

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

export async function apiFetch<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(url, {
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
