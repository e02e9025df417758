'use client';

import { useQuery } from '@tanstack/react-query';
import Link from '@/components/ui/target-link';
import { useRouter, useSearchParams } from 'next/navigation';
import type { FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import { Table } from '@/components/ui/table';
import type { BrowsePage, MatchCount, QueryProblem } from '@/lib/schemas/evaluations';
import { SORT_LABEL, type SortKey } from '@/lib/schemas/evaluations-plain';
import { ForumSelect } from './forum-select';
import { fmtCount, fmtScore } from './format';
import { evaluationKeys } from './query-keys';
import { fieldProps, ProblemNotice } from './problem';
import { browseRequest, currentSort, FILTER_KEYS, listHref, pick } from './url-state';

const NUM = 'text-right tabular-nums';

const LABELS: Record<string, string> = {
  forum: 'Forum',
  type: 'Content type',
  qmin: 'Quality from',
  qmax: 'Quality to',
  rmin: 'Relevance from',
  rmax: 'Relevance to',
  from: 'Created from',
  to: 'Created to',
  q: 'Summary contains',
  orphans: 'Orphans only',
  sort: 'Sort',
  dir: 'Sort direction',
  after: 'Page',
  before: 'Page',
};

// Text rather than type="number": a browser empties a number field that holds "abc", and the
// field must show the value that was refused. The pattern is the API's.
const SCORE_INPUT = { type: 'text', inputMode: 'decimal', pattern: '-?[0-9]{1,6}([.][0-9]{1,8})?', title: 'A number such as 0.75' } as const;

function CountLine({ filters }: { filters: string }) {
  const count = useQuery({
    queryKey: evaluationKeys.count(filters),
    queryFn: () => apiFetch<MatchCount>(`/api/evaluations/count?${filters}`),
  });
  if (count.isPending) return <p className="text-sm text-slate-600 dark:text-slate-400">Counting…</p>;
  if (count.isError) return <ErrorText>Could not count the matching evaluations: {count.error.message}</ErrorText>;
  const { count: n, estimated } = count.data;
  return (
    <p className="text-sm" data-testid="match-count" data-estimated={estimated}>
      {estimated ? '≈ ' : ''}
      <span className="font-semibold tabular-nums">{fmtCount(n)}</span> {n === 1 ? 'evaluation matches' : 'evaluations match'}
      {estimated && <span className="text-slate-600 dark:text-slate-400"> (estimated: an exact count would be slow)</span>}
    </p>
  );
}

function OrphanLine({ showing }: { showing: boolean }) {
  const params = useSearchParams();
  const orphans = useQuery({
    queryKey: evaluationKeys.count('orphans=only'),
    queryFn: () => apiFetch<MatchCount>('/api/evaluations/count?orphans=only'),
  });
  if (showing) {
    return (
      <Link href={listHref(params, { orphans: null })} className="text-sm underline">
        Show every evaluation
      </Link>
    );
  }
  if (!orphans.data || orphans.data.count === 0) return null;
  return (
    <p className="text-sm" data-testid="orphan-count">
      {orphans.data.estimated ? '≈ ' : ''}
      {fmtCount(orphans.data.count)} evaluations name a topic or post that no longer exists.{' '}
      <Link href={listHref(params, { orphans: 'only' })} className="underline">
        Browse the orphans
      </Link>
    </p>
  );
}

function SortHeader({ sortKey, className = '' }: { sortKey: SortKey; className?: string }) {
  const params = useSearchParams();
  const { sort, dir } = currentSort(params);
  const active = sort === sortKey;
  const nextDir = active && dir === 'desc' ? 'asc' : 'desc';
  return (
    <th scope="col" className={`py-2 pr-4 ${className}`} aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <Link href={listHref(params, { sort: sortKey, dir: nextDir })} className="underline decoration-dotted underline-offset-4">
        {SORT_LABEL[sortKey]}
        <span aria-hidden="true">{active ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
        <span className="sr-only">{active ? `, sorted ${dir === 'asc' ? 'ascending' : 'descending'}; sort ${nextDir === 'asc' ? 'ascending' : 'descending'}` : ', sort'}</span>
      </Link>
    </th>
  );
}

function FilterForm({ problem }: { problem: QueryProblem | null }) {
  const params = useSearchParams();
  const router = useRouter();
  const v = (k: string) => params.get(k) ?? '';
  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const change: Record<string, string | null> = {};
    for (const k of FILTER_KEYS) change[k] = String(f.get(k) ?? '').trim() || null;
    if (f.get('orphans') !== 'only') change.orphans = null;
    router.push(listHref(params, change));
  }
  // `key` makes the inputs show the URL's values again after back and forward.
  const k = params.toString();
  return (
    <form onSubmit={apply} key={k} aria-label="Filter evaluations" className="mb-4 grid grid-cols-2 items-end gap-3 md:grid-cols-4 xl:grid-cols-6">
      <ForumSelect value={v('forum')} problem={problem} />
      <label className="text-sm font-medium">
        Content type
        <select name="type" defaultValue={v('type')} {...fieldProps(problem, 'type')}>
          <option value="">topics and posts</option>
          <option value="topic">topics</option>
          <option value="post">posts</option>
        </select>
      </label>
      <label className="text-sm font-medium">
        Quality from
        <input name="qmin" {...SCORE_INPUT} defaultValue={v('qmin')} {...fieldProps(problem, 'qmin')} />
      </label>
      <label className="text-sm font-medium">
        Quality to
        <input name="qmax" {...SCORE_INPUT} defaultValue={v('qmax')} {...fieldProps(problem, 'qmax')} />
      </label>
      <label className="text-sm font-medium">
        Relevance from
        <input name="rmin" {...SCORE_INPUT} defaultValue={v('rmin')} {...fieldProps(problem, 'rmin')} />
      </label>
      <label className="text-sm font-medium">
        Relevance to
        <input name="rmax" {...SCORE_INPUT} defaultValue={v('rmax')} {...fieldProps(problem, 'rmax')} />
      </label>
      <label className="text-sm font-medium">
        Created from
        <input name="from" type="date" defaultValue={v('from')} {...fieldProps(problem, 'from')} />
      </label>
      <label className="text-sm font-medium">
        Created to (inclusive)
        <input name="to" type="date" defaultValue={v('to')} {...fieldProps(problem, 'to')} />
      </label>
      <label className="col-span-2 text-sm font-medium">
        Summary contains
        <input name="q" type="search" maxLength={200} defaultValue={v('q')} {...fieldProps(problem, 'q')} />
      </label>
      <label className="flex items-center gap-2 self-center text-sm font-medium">
        <input name="orphans" type="checkbox" value="only" defaultChecked={v('orphans') === 'only'} />
        Orphans only
      </label>
      <div className="flex items-center gap-3">
        <Button type="submit" tone="primary">
          Filter
        </Button>
        {FILTER_KEYS.some((key) => params.get(key)) && (
          <Link href={listHref(params, Object.fromEntries(FILTER_KEYS.map((key) => [key, null])))} className="text-sm underline">
            Clear
          </Link>
        )}
      </div>
    </form>
  );
}

function Pager({ data, pageNo }: { data: BrowsePage; pageNo: number }) {
  const params = useSearchParams();
  const here = pick(params, [...FILTER_KEYS, 'sort', 'dir']);
  const to = (cursorKey: 'after' | 'before', cursor: string, page: number) => {
    const next = new URLSearchParams(here);
    next.set(cursorKey, cursor);
    next.set('page', String(page));
    return `/evaluations?${next}`;
  };
  return (
    <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
      {data.prev ? (
        <Link href={to('before', data.prev, Math.max(1, pageNo - 1))} className="underline">
          ← Previous page
        </Link>
      ) : (
        <span className="text-slate-500 dark:text-slate-400">← Previous page</span>
      )}
      <span data-testid="page-number">Page {fmtCount(pageNo)}</span>
      {data.next ? (
        <Link href={to('after', data.next, pageNo + 1)} className="underline">
          Next page →
        </Link>
      ) : (
        <span className="text-slate-500 dark:text-slate-400">Next page →</span>
      )}
      {pageNo > 1 && (
        <Link href={listHref(params)} className="underline">
          First page
        </Link>
      )}
    </nav>
  );
}

export function BrowseClient({ problem }: { problem: QueryProblem | null }) {
  const params = useSearchParams();
  const request = browseRequest(params);
  const page = useQuery({
    queryKey: evaluationKeys.page(request.page),
    queryFn: () => apiFetch<BrowsePage>(`/api/evaluations?${request.page}`),
    enabled: problem === null,
  });
  const asked = Number(params.get('page'));
  // A page that turned out to be the first (no rows before it) is page 1 whatever the URL says.
  const pageNo = page.data && !page.data.prev ? 1 : Number.isInteger(asked) && asked > 1 ? asked : 1;
  const exportHref = `/api/evaluations/export?${pick(params, [...FILTER_KEYS, 'sort', 'dir', 'target'])}`;

  if (problem) {
    return (
      <Card title="Evaluations">
        <FilterForm problem={problem} />
        <ProblemNotice problem={problem} labels={LABELS} clearHref="/evaluations" />
      </Card>
    );
  }
  return (
    <Card title="Evaluations">
      <FilterForm problem={null} />
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <div className="space-y-1">
          <CountLine filters={request.filters} />
          <OrphanLine showing={params.get('orphans') === 'only'} />
        </div>
        <a href={exportHref} download className="rounded border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
          Export these as CSV
        </a>
      </div>
      {page.isPending ? (
        <p role="status" className="text-sm">
          Loading evaluations…
        </p>
      ) : page.isError ? (
        <ErrorText>
          Could not load the evaluations: {page.error.message}{' '}
          <Link href="/evaluations" className="underline">
            Start again without filters
          </Link>
        </ErrorText>
      ) : page.data.rows.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          No evaluations match. Widen or clear the filters to see more.
        </p>
      ) : (
        <>
          <Table label="Evaluations table">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">Forum</th>
                <th scope="col" className="py-2 pr-4">Type</th>
                <th scope="col" className="py-2 pr-4">Content</th>
                <SortHeader sortKey="quality" className={NUM} />
                <SortHeader sortKey="relevance" className={NUM} />
                <th scope="col" className="py-2 pr-4">Summary</th>
                <SortHeader sortKey="created_at" />
              </tr>
            </thead>
            <tbody>
              {page.data.rows.map((r) => (
                <tr key={r.id} className="border-b border-slate-100 align-top dark:border-slate-800/60" data-testid="evaluation-row" data-id={r.id}>
                  <td className="py-2 pr-4 whitespace-nowrap">{r.forumName ?? '—'}</td>
                  <td className="py-2 pr-4">{r.contentType}</td>
                  <td className="max-w-md py-2 pr-4">
                    <Link href={`/evaluations/${r.id}`} className="line-clamp-2 underline decoration-slate-400 underline-offset-2">
                      {r.orphan ? (
                        <span className="font-semibold text-amber-800 dark:text-amber-300">
                          {r.contentType} {r.contentId} no longer exists
                        </span>
                      ) : (
                        r.content
                      )}
                    </Link>
                  </td>
                  <td className={`py-2 pr-4 ${NUM}`} data-testid="quality">{fmtScore(r.quality)}</td>
                  <td className={`py-2 pr-4 ${NUM}`} data-testid="relevance">{fmtScore(r.relevance)}</td>
                  <td className="max-w-sm py-2 pr-4 text-slate-700 dark:text-slate-300">
                    <span className="line-clamp-2">{r.summary ?? '—'}</span>
                  </td>
                  <td className="py-2 whitespace-nowrap" data-testid="created-at" data-value={r.createdAt}>
                    <Time iso={r.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          <Pager data={page.data} pageNo={pageNo} />
        </>
      )}
    </Card>
  );
}
