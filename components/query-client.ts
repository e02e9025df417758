import { QueryClient, isServer } from '@tanstack/react-query';
import { isBusy } from './api-client';

// While a run or a job holds the embedded database, reads answer 503 "busy" at once: they are
// asked again every 2 s (for up to 10 minutes), so a page shows its loading state meanwhile and
// its data as soon as the run ends, rather than an error. Anything else is retried once.
const BUSY_RETRY_MS = 2_000;
const BUSY_RETRIES = 300;

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (failures, err) => (isBusy(err) ? failures < BUSY_RETRIES : failures < 1),
        retryDelay: (attempt, err) => (isBusy(err) ? BUSY_RETRY_MS : Math.min(1000 * 2 ** attempt, 30_000)),
      },
    },
  });
}

const browserClients = new Map<string, QueryClient>();

/**
 * A new client per server request; in the browser, one per target (`?target=`, '' for this
 * dashboard's own): what was read from one database is never shown as another's, whatever the
 * navigation between them.
 */
export function getQueryClient(target: string | null = null): QueryClient {
  if (isServer) return makeQueryClient();
  const key = target ?? '';
  let client = browserClients.get(key);
  if (!client) {
    client = makeQueryClient();
    browserClients.set(key, client);
  }
  return client;
}
