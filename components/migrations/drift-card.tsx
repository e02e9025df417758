'use client';
// Drift: the live schema against the replay of its applied migrations on a shadow database, with
// each difference and the SQL that makes the live database match the migrations. On the
// migrations page and the overview.
import { useQuery } from '@tanstack/react-query';
import { apiFetch, isBusy } from '@/components/api-client';
import { Card, Notice } from '@/components/ui/card';
import { Button, ErrorText } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import type { DriftItem, DriftReport } from '@/lib/schemas/shadow';
import { changeTarget } from './schema-changes';
import { migrationKeys } from './query-keys';

const WHERE: Record<DriftItem['where'], string> = {
  live_only: 'Only in the live database',
  migrations_only: 'Only in the migrations',
  different: 'Different',
};

function Item({ d }: { d: DriftItem }) {
  const details = d.details.filter((x) => x.what !== 'definition');
  return (
    <li data-testid="drift-item" className="flex flex-col gap-1 border-b border-slate-100 pb-2 dark:border-slate-800/60">
      <p>
        <span className="font-semibold">{WHERE[d.where]}:</span> <code className="font-mono">{changeTarget(d)}</code>
      </p>
      {details.length > 0 && (
        <ul className="list-disc pl-6">
          {details.map((x) => (
            <li key={x.what}>
              {x.what}: <code className="font-mono">{x.from ?? '—'}</code> in the live database, <code className="font-mono">{x.to ?? '—'}</code> in the migrations
            </li>
          ))}
        </ul>
      )}
      {d.details.some((x) => x.what === 'definition') && <p>Its definition differs.</p>}
      <pre tabIndex={0} className="overflow-x-auto whitespace-pre-wrap rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
        {d.sql.map((s) => `${s};`).join('\n')}
      </pre>
    </li>
  );
}

export function DriftCard() {
  const drift = useQuery({
    queryKey: migrationKeys.drift,
    queryFn: () => apiFetch<DriftReport>('/api/migrations/drift'),
    refetchOnWindowFocus: false,
    retry: false,
  });
  const r = drift.data;
  return (
    <Card title="Drift">
      <div className="flex flex-col gap-3 text-sm" data-testid="drift-card" aria-busy={drift.isFetching}>
        {drift.isPending ? (
          <p role="status">Comparing the live schema with the replay of its applied migrations on a shadow database…</p>
        ) : drift.isError && isBusy(drift.error) ? (
          <p role="status" className="text-sm">
            {drift.error.message}
          </p>
        ) : drift.isError ? (
          <ErrorText>Could not check drift: {drift.error.message}</ErrorText>
        ) : (
          <>
            {r!.problem && (
              <Notice tone="warn">
                <p className="font-semibold">Drift could not be checked.</p>
                <p className="mt-1">{r!.problem.message}</p>
                {r!.problem.fix && <p className="mt-1">{r!.problem.fix}</p>}
              </Notice>
            )}
            {r!.drift && r!.drift.length === 0 && (
              <p data-testid="drift-none">
                No drift: the live schema matches the replay of its {r!.replay?.migrations ?? 0} applied migration{r!.replay?.migrations === 1 ? '' : 's'}.
              </p>
            )}
            {r!.drift && r!.drift.length > 0 && (
              <>
                <p className="font-semibold" data-testid="drift-summary">
                  {r!.drift.length} difference{r!.drift.length === 1 ? '' : 's'} between the live schema and the replay of its {r!.replay?.migrations ?? 0} applied migration
                  {r!.replay?.migrations === 1 ? '' : 's'}:
                </p>
                <ul className="flex flex-col gap-2">
                  {r!.drift.map((d, i) => (
                    <Item key={`${d.kind}:${d.name}:${i}`} d={d} />
                  ))}
                </ul>
                <p className="text-slate-600 dark:text-slate-400">
                  The SQL under each would make the live database match the migrations. Review it before running it; statements with CONCURRENTLY must run outside a transaction. To keep a
                  change instead, write a migration that makes it.
                </p>
              </>
            )}
            {r!.changedFiles.length > 0 && (
              <p>
                Changed since applied, so the replay uses the files as they are now: {r!.changedFiles.map((n) => <code key={n} className="mr-2 font-mono">{n}</code>)}
              </p>
            )}
            <p className="text-slate-600 dark:text-slate-400">
              {r!.shadow ? `Shadow: ${r!.shadow.label}. ` : ''}Compared: schemas, extensions, tables and columns, indexes, constraints, views, functions, sequences, enum
              and domain types and triggers (not privileges, row security policies or comments); Strata&apos;s own schema and knex&apos;s tables are left out. Checked{' '}
              <Time iso={r!.checkedAt} />.
            </p>
          </>
        )}
        <div>
          <Button onClick={() => void drift.refetch()} disabled={drift.isFetching}>
            {drift.isFetching && !drift.isPending ? 'Checking…' : 'Check again'}
          </Button>
        </div>
      </div>
    </Card>
  );
}
