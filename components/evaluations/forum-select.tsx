'use client';

import { useQuery } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import type { Forum, QueryProblem } from '@/lib/schemas/evaluations';
import { fieldProps } from './problem';
import { evaluationKeys } from './query-keys';

/** The forum menu of the filter forms; `value` is a forum id or '' for every forum (or the text the URL gave). */
export function ForumSelect({ value, problem = null }: { value: string; problem?: QueryProblem | null }) {
  const forums = useQuery({
    queryKey: evaluationKeys.forums(),
    queryFn: () => apiFetch<{ forums: Forum[] }>('/api/evaluations/forums'),
    staleTime: 60_000,
  });
  const known = forums.data?.forums ?? [];
  return (
    <label className="text-sm font-medium">
      Forum
      <select name="forum" defaultValue={value} key={`forum-${value}-${known.length}`} {...fieldProps(problem, 'forum')}>
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
