'use client';
// Follows a run or a job through GET /api/live (Server-Sent Events): each state it pushes goes
// into React Query's cache under `queryKey`, so the page renders it as if it had polled. While
// the stream is open the caller's polling is off; when it fails (a proxy that buffers, a network
// that drops it), `streaming` turns false and the caller polls until the browser reconnects.
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { onPageTarget } from './api-client';

export function useLive(kind: 'run' | 'job', id: string | null, queryKey: QueryKey, active: boolean): boolean {
  const qc = useQueryClient();
  const [streaming, setStreaming] = useState(false);
  const key = JSON.stringify(queryKey);
  useEffect(() => {
    if (!id || !active || typeof EventSource === 'undefined') return;
    const source = new EventSource(onPageTarget(`/api/live?${kind}=${encodeURIComponent(id)}`));
    source.addEventListener('open', () => setStreaming(true));
    source.addEventListener('state', (e) => {
      qc.setQueryData(JSON.parse(key) as QueryKey, JSON.parse((e as MessageEvent<string>).data));
      setStreaming(true);
    });
    source.addEventListener('end', () => {
      source.close();
      setStreaming(false);
    });
    source.addEventListener('error', () => {
      // A 4xx/5xx closes it for good (readyState CLOSED); a dropped stream is retried by the browser.
      setStreaming(false);
    });
    return () => {
      source.close();
      setStreaming(false);
    };
  }, [kind, id, key, active, qc]);
  return streaming;
}
