'use client';
// The matrix: each target's card (reachable, how far behind the previous one), then every
// migration × every target, with filters for what differs and what is pending somewhere.
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { apiFetch } from '@/components/api-client';
import { CompareCard } from './compare-card';
import { Card, Notice } from '@/components/ui/card';
import { ErrorText } from '@/components/ui/controls';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import NextLink from 'next/link';
import { hrefForTarget } from '@/lib/targets/param';
import type { Matrix, MatrixCell, TargetState } from '@/lib/schemas/targets';

const CELL: Record<MatrixCell['status'], { word: string; className: string }> = {
  applied: { word: 'Applied', className: 'text-emerald-800 dark:text-emerald-300' },
  pending: { word: 'Pending', className: 'text-amber-800 dark:text-amber-300' },
  changed: { word: 'Changed since applied', className: 'text-red-800 dark:text-red-300' },
  missing_file: { word: 'Missing file', className: 'text-red-800 dark:text-red-300' },
  unknown: { word: 'Unknown', className: 'text-slate-500 dark:text-slate-400' },
};

export function TargetCard({ t, previous }: { t: TargetState; previous: TargetState | null }) {
  return (
    <li className="rounded border border-slate-300 p-3 text-sm dark:border-slate-700" style={{ borderTopColor: t.color, borderTopWidth: 4 }} data-testid="target-card" data-target={t.name}>
      <p className="font-semibold">
        {t.served ? (
          <NextLink href={hrefForTarget('/migrations', t.name)} className="underline" data-testid="target-link">
            {t.label}
          </NextLink>
        ) : t.dashboardUrl ? (
          <a href={new URL('/migrations', t.dashboardUrl).toString()} className="underline" data-testid="target-link">
            {t.label}
          </a>
        ) : (
          t.label
        )}{' '}
        {t.protected && <span className="ml-1 rounded bg-red-700 px-1.5 py-0.5 text-xs font-semibold text-white">Protected</span>}{' '}
        {t.current && (
          <span className="ml-1 rounded bg-slate-800 px-1.5 py-0.5 text-xs text-white dark:bg-slate-200 dark:text-slate-900" title="This dashboard's own database: its users, sessions and tokens live here">
            Home
          </span>
        )}
      </p>
      {t.reachable ? (
        <>
          <p>
            {t.applied} applied, {t.pending} pending
          </p>
          {previous && t.behindPrevious !== null && (
            <p data-testid="behind">{t.behindPrevious === 0 ? `Not behind ${previous.label}` : `${t.behindPrevious} behind ${previous.label}`}</p>
          )}
        </>
      ) : (
        <p className="text-red-800 dark:text-red-300" data-testid="unreachable">
          Unreachable since <Time iso={t.unreachableSince} />: {t.error}
        </p>
      )}
    </li>
  );
}

export function EnvironmentsClient() {
  // The filters live in the URL, so a filtered matrix can be shared. The box follows the click at
  // once; the URL is changed without a request, and a back or forward brings its filters back.
  const params = useSearchParams();
  const differences = params.get('differences') === '1';
  const pending = params.get('pending') === '1';
  const [filters, setFilters] = useState({ differences, pending });
  const [url, setUrl] = useState({ differences, pending });
  if (url.differences !== differences || url.pending !== pending) {
    setUrl({ differences, pending });
    setFilters({ differences, pending });
  }
  const onlyDiff = filters.differences;
  const pendingSomewhere = filters.pending;
  const setFilter = (name: 'differences' | 'pending', on: boolean) => {
    setFilters((f) => ({ ...f, [name]: on }));
    const next = new URLSearchParams(window.location.search);
    if (on) next.set(name, '1');
    else next.delete(name);
    const qs = next.toString();
    window.history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
  };
  const matrix = useQuery({ queryKey: ['targets', 'matrix'], queryFn: () => apiFetch<Matrix>('/api/targets/matrix'), refetchInterval: 30_000 });
  if (matrix.isPending) return <p role="status">Reading every target…</p>;
  if (matrix.isError) return <ErrorText>Could not read the targets: {matrix.error.message}</ErrorText>;
  const m = matrix.data;
  const rows = m.rows.filter((r) => (!onlyDiff || r.differs) && (!pendingSomewhere || r.pendingSomewhere));
  return (
    <div className="flex flex-col gap-6">
      {!m.file && (
        <Notice tone="info">
          There is no targets file, so this dashboard knows one database. Describe your databases in <code>strata.targets.json</code> (or the file <code>STRATA_TARGETS_FILE</code> names)
          to see them side by side and to enforce the promotion order.
        </Notice>
      )}
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {m.targets.map((t, i) => (
          <TargetCard key={t.name} t={t} previous={i > 0 ? m.targets[i - 1]! : null} />
        ))}
      </ul>
      <Card title="Migrations × targets">
        <div className="mb-3 flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={onlyDiff} onChange={(e) => setFilter('differences', e.target.checked)} /> Only differences
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={pendingSomewhere} onChange={(e) => setFilter('pending', e.target.checked)} /> Pending somewhere
          </label>
          <span className="text-slate-600 dark:text-slate-400">
            {rows.length} of {m.rows.length} migrations · read <Time iso={m.asOf} />
          </span>
        </div>
        <Table label="Migrations on each target" testId="matrix">
          <thead>
            <tr className="border-b border-slate-300 dark:border-slate-700">
              <th scope="col" className="py-2 pr-4">
                Migration
              </th>
              {m.targets.map((t) => (
                <th key={t.name} scope="col" className="py-2 pr-4">
                  <span className="mr-1 inline-block h-2.5 w-2.5 rounded-full" style={{ background: t.color }} aria-hidden />
                  {t.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} className="border-b border-slate-200 align-top dark:border-slate-800" data-testid="matrix-row" data-name={r.name}>
                <th scope="row" className="py-2 pr-4 font-mono text-xs font-normal">
                  {r.name}
                  {r.checksumMismatch && (
                    <span className="mt-1 block font-sans text-red-800 dark:text-red-300" data-testid="mismatch">
                      Applied from different file contents on different targets
                    </span>
                  )}
                </th>
                {r.cells.map((c) => (
                  <td key={c.target} className="py-2 pr-4" data-testid="matrix-cell" data-target={c.target} data-status={c.status}>
                    <span className={CELL[c.status].className}>{CELL[c.status].word}</span>
                    {c.batch !== null && <span className="block text-xs text-slate-600 dark:text-slate-400">Batch {c.batch}, <Time iso={c.appliedAt} /></span>}
                    {(c.status === 'applied' || c.status === 'changed') && (
                      <span className="block text-xs text-slate-600 dark:text-slate-400">{c.by ? `By ${c.by}` : 'Outside Strata (file contents not recorded)'}</span>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </Table>
        {rows.length === 0 && <p className="mt-3 text-sm">No migration matches these filters.</p>}
      </Card>
      <CompareCard targets={m.targets} />
    </div>
  );
}
