import 'server-only';
// A page's first data, read on the server through lib and handed to React Query in the browser:
// the first paint shows data, and the browser does not wait for the page to arrive before it asks
// the API. Later reads (a refresh, a filter, a poll) and every change still go through app/api.
import { defaultShouldDehydrateQuery, dehydrate, HydrationBoundary, type QueryKey } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { log } from '@/lib/log';
import { makeQueryClient } from './query-client';

export type FirstRead = {
  /** The key the page's client component reads the same data under. */
  queryKey: QueryKey;
  /** What the API route answers for that key, read through the same lib function. */
  read: () => Promise<unknown>;
};

/**
 * How long the page waits for its reads before it is sent. A read that takes longer goes out
 * unfinished: the page shows its own loading state for that part, and the answer follows in the
 * same response when it is ready (no second request). Without a Suspense boundary, so React adds
 * no fallback of its own (whose reveal it would hold back for 300 ms).
 */
const WAIT_MS = 300;

// What the browser would get from the API is JSON: the same here (no Date objects, no undefined).
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

export async function Prefetched({ reads, children }: { reads: FirstRead[]; children: ReactNode }) {
  const qc = makeQueryClient();
  const all = Promise.all(
    reads.map(({ queryKey, read }) =>
      qc
        .fetchQuery({
          queryKey,
          queryFn: async () => {
            try {
              return asJson(await read());
            } catch (err) {
              log.warn({ err, queryKey }, 'first data not read on the server');
              throw err;
            }
          },
        })
        // A failed read is not sent (the error's text stays here): the browser asks the API,
        // whose answer says what failed.
        .catch(() => undefined),
    ),
  );
  await Promise.race([all, new Promise((r) => setTimeout(r, WAIT_MS))]);
  const state = dehydrate(qc, { shouldDehydrateQuery: (q) => defaultShouldDehydrateQuery(q) || q.state.status === 'pending' });
  return <HydrationBoundary state={state}>{children}</HydrationBoundary>;
}

/** A page's `searchParams` as URLSearchParams (a repeated parameter keeps its first value). */
export function searchParamsOf(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out.set(k, first);
  }
  return out;
}
