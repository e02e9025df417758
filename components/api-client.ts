// The browser's way to call Strata's API: JSON in and out, and an Error carrying the API's
// message (and request id) when the answer is not a success.
import { errorBodySchema } from '@/lib/api/errors';

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

export async function apiFetch<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(url, {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = errorBodySchema.safeParse(json);
    // The session ended (signed out elsewhere, idle, or revoked): reloading lets the page's own
    // guard send the browser to the sign-in page, which returns here afterwards.
    if (res.status === 401) window.location.reload();
    throw new ApiClientError(
      err.success ? err.data.error.message : `The request failed (HTTP ${res.status})`,
      res.status,
      err.success ? err.data.error.requestId : undefined,
      err.success ? err.data.error.details : undefined,
      err.success ? err.data.error.code : undefined,
    );
  }
  return json as T;
}
