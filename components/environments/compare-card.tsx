'use client';
// Two targets' schemas compared (GET /api/targets/compare): each object that differs, whether the
// migrations one has applied and the other not explain it, and the SQL that would make the second
// like the first. Asked for with a button: it reads both catalogs and may replay on a shadow.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { apiFetch } from '@/components/api-client';
import { changeTarget } from '@/components/migrations/schema-changes';
import { Card, Notice } from '@/components/ui/card';
import { Button, ErrorText } from '@/components/ui/controls';
import type { TargetComparison, TargetDifference, TargetState } from '@/lib/schemas/targets';

function where(d: TargetDifference, a: string, b: string): string {
  if (d.change === 'added') return `Only on ${a}`;
  if (d.change === 'removed') return `Only on ${b}`;
  return 'Different';
}

function explanation(d: TargetDifference, c: TargetComparison): string {
  if (d.explained === null) return 'Unknown: the migrations could not be replayed';
  if (!d.explained) return 'No: not made by the migrations either has applied (by hand, or drift)';
  const names = [...c.onlyOnA, ...c.onlyOnB];
  return `Yes: the migration${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
}

function Difference({ d, c }: { d: TargetDifference; c: TargetComparison }) {
  const details = d.details.filter((x) => x.what !== 'definition');
  return (
    <li data-testid="compare-item" data-explained={String(d.explained)} className="flex flex-col gap-1 border-b border-slate-100 pb-2 dark:border-slate-800/60">
      <p>
        <span className="font-semibold">{where(d, c.a.label, c.b.label)}:</span> <code className="font-mono">{changeTarget(d)}</code>
      </p>
      {details.length > 0 && (
        <ul className="list-disc pl-6">
          {details.map((x) => (
            <li key={x.what}>
              {x.what}: <code className="font-mono">{x.to ?? '—'}</code> on {c.a.label}, <code className="font-mono">{x.from ?? '—'}</code> on {c.b.label}
            </li>
          ))}
        </ul>
      )}
      {d.details.some((x) => x.what === 'definition') && <p>Its definition differs.</p>}
      <p>Explained by migrations: {explanation(d, c)}</p>
      {d.sql.length > 0 && (
        <details>
          <summary className="cursor-pointer">
            SQL that would make {c.b.label} like {c.a.label}
            {d.explained ? ' (running the migrations there does this)' : ''}
          </summary>
          <pre tabIndex={0} className="mt-1 overflow-x-auto whitespace-pre-wrap rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
            {d.sql.map((s) => `${s};`).join('\n')}
          </pre>
        </details>
      )}
    </li>
  );
}

export function CompareCard({ targets }: { targets: TargetState[] }) {
  const current = targets.findIndex((t) => t.current);
  const defaultB = targets[current >= 0 ? current : targets.length - 1]?.name ?? '';
  const defaultA = targets.find((t, i) => t.name !== defaultB && i === (current > 0 ? current - 1 : 0))?.name ?? targets.find((t) => t.name !== defaultB)?.name ?? '';
  const [a, setA] = useState(defaultA);
  const [b, setB] = useState(defaultB);
  const [asked, setAsked] = useState<{ a: string; b: string } | null>(null);
  const compare = useQuery({
    queryKey: ['targets', 'compare', asked?.a, asked?.b],
    queryFn: () => apiFetch<TargetComparison>(`/api/targets/compare?a=${encodeURIComponent(asked!.a)}&b=${encodeURIComponent(asked!.b)}`),
    enabled: asked !== null,
    retry: false,
    refetchOnWindowFocus: false,
  });
  if (targets.length < 2) return null;
  const c = compare.data;
  const select = (label: string, value: string, set: (v: string) => void) => (
    <label className="flex items-center gap-2">
      {label}
      <select value={value} onChange={(e) => set(e.target.value)} className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900">
        {targets.map((t) => (
          <option key={t.name} value={t.name}>
            {t.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Card title="Compare schemas">
      <div className="flex flex-col gap-3 text-sm" data-testid="compare-card" aria-busy={compare.isFetching}>
        <div className="flex flex-wrap items-center gap-3">
          {select('Compare', a, setA)}
          {select('with', b, setB)}
          <Button onClick={() => setAsked({ a, b })} disabled={a === b}>
            Compare
          </Button>
          {a === b && <span>Pick two different targets.</span>}
        </div>
        {asked && compare.isFetching && <p role="status">Reading both schemas, and replaying what each has applied on a shadow database…</p>}
        {compare.isError && <ErrorText>Could not compare: {compare.error.message}</ErrorText>}
        {c && !compare.isFetching && (
          <>
            {c.unreadable && (
              <Notice tone="error">
                {c.unreadable.map((u) => (
                  <p key={u.target}>
                    {u.target} could not be read: {u.error}
                  </p>
                ))}
              </Notice>
            )}
            {c.problem && (
              <Notice tone="warn">
                <p>Which differences the migrations explain is unknown: {c.problem.message}</p>
                {c.problem.fix && <p className="mt-1">{c.problem.fix}</p>}
              </Notice>
            )}
            {!c.unreadable && (
              <p data-testid="compare-applied">
                {c.onlyOnA.length ? `Applied on ${c.a.label} and not on ${c.b.label}: ${c.onlyOnA.join(', ')}.` : `${c.b.label} has applied everything ${c.a.label} has.`}{' '}
                {c.onlyOnB.length ? `Applied on ${c.b.label} and not on ${c.a.label}: ${c.onlyOnB.join(', ')}.` : ''}
              </p>
            )}
            {c.differences && c.differences.length === 0 && <p data-testid="compare-none">The two schemas are the same (Strata&apos;s and knex&apos;s own tables aside).</p>}
            {c.differences && c.differences.length > 0 && (
              <>
                <p className="font-semibold" data-testid="compare-summary">
                  {c.differences.length} difference{c.differences.length === 1 ? '' : 's'}; {c.differences.filter((d) => d.explained === false).length} not explained by migrations.
                </p>
                <ul className="flex flex-col gap-2">
                  {c.differences.map((d, i) => (
                    <Difference key={`${d.kind}:${d.name}:${i}`} d={d} c={c} />
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </div>
    </Card>
  );
}
