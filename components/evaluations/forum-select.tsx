'use client';

import { useQuery } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { INPUT } from '@/components/ui/controls';
import type { Forum } from '@/lib/schemas/evaluations';
import { evaluationKeys } from './query-keys';

/** The forum menu of the filter forms; `value` is a forum id or '' for every forum. */
export function ForumSelect({ value }: { value: string }) {
  const forums = useQuery({
    queryKey: evaluationKeys.forums(),
    queryFn: () => apiFetch<{ forums: Forum[] }>('/api/evaluations/forums'),
    staleTime: 60_000,
  });
  const known = forums.data?.forums ?? [];
  return (
    <label className="text-sm font-medium">
      Forum
      <select name="forum" defaultValue={value} key={`forum-${value}-${known.length}`} className={INPUT}>
        <option value="">all forums</option>
        {value && !known.some((f) => String(f.id) === value) && <option value={value}>forum {value}</option>}
        {known.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </select>
    </label>
  );
}
