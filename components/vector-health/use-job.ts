'use client';
// A background job followed through GET /api/live (polling GET /api/vector-health/jobs/{id} when
// the stream is not open); its id lives in the URL,
// so a reload (or a shared link) finds the job again.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';
import { apiFetch } from '@/components/api-client';
import { useLive } from '@/components/use-live';
import type { JobView } from '@/lib/schemas/vector-health';
import { vectorKeys } from './query-keys';

export function useJob(id: string | null) {
  const qc = useQueryClient();
  // Pushed while it runs (GET /api/live); polled every second when the stream is not open. A job
  // already over in the cache is not followed.
  const known = id === null ? undefined : qc.getQueryData<JobView>(vectorKeys.job(id));
  const streaming = useLive('job', id, vectorKeys.job(id ?? ''), id !== null && (known === undefined || known.status === 'running'));
  return useQuery({
    queryKey: vectorKeys.job(id ?? ''),
    queryFn: async () => (await apiFetch<{ job: JobView }>(`/api/vector-health/jobs/${encodeURIComponent(id!)}`)).job,
    enabled: id !== null,
    retry: false,
    refetchInterval: (q) => (q.state.data?.status === 'running' && !streaming ? 1000 : false),
  });
}

export function useJobParam(param: 'recall' | 'counts' | 'reindex'): [string | null, (id: string | null) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const id = params.get(param);
  const set = useCallback(
    (next: string | null) => {
      const p = new URLSearchParams(params.toString());
      if (next) p.set(param, next);
      else p.delete(param);
      const qs = p.toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [params, router, pathname, param],
  );
  return [id, set];
}
