// "What will be destroyed": every object the plan removes, with the rows its table holds then, and
// what the list could not include.
import type { Destruction, Plan } from '@/lib/schemas/migrations';

const fmt = (n: number) => n.toLocaleString('en-US');

function rowsText(d: Destruction, preposition: 'with' | 'in'): string {
  if (d.rows === null) return d.rowsNote ? ` (rows: ${d.rowsNote})` : '';
  const count = `${d.rowsEstimated ? 'about ' : ''}${fmt(d.rows)} row${d.rows === 1 ? '' : 's'}`;
  return ` ${preposition} ${count}${d.rowsEstimated ? ' (a planner estimate)' : ''}${d.rowsNote ? ` (${d.rowsNote})` : ''}`;
}

function Item({ d }: { d: Destruction }) {
  if (d.kind === 'rows') {
    return (
      <>
        rows deleted from <code className="font-mono">{d.name}</code>
        {d.rows !== null ? `: ${fmt(d.rows)}${d.rowsNote ? ` (${d.rowsNote})` : ''}` : ` (${d.rowsNote})`}
      </>
    );
  }
  if (d.kind === 'table' || d.kind === 'materialized view') {
    return (
      <>
        {d.kind} <code className="font-mono">{d.name}</code>
        {rowsText(d, 'with')}
      </>
    );
  }
  if (d.kind === 'column') {
    return (
      <>
        column{' '}
        <code className="font-mono">
          {d.table}.{d.name}
        </code>
        {rowsText(d, 'in')}
      </>
    );
  }
  if (d.kind === 'extension') {
    return (
      <>
        the extension <code className="font-mono">{d.name}</code>
      </>
    );
  }
  return (
    <>
      {d.kind} <code className="font-mono">{d.name}</code>
      {d.table ? (
        <>
          {' '}
          on <code className="font-mono">{d.table}</code>
        </>
      ) : null}
    </>
  );
}

export function PlanDestroys({ plan, onCountExactly }: { plan: Plan; onCountExactly?: () => void }) {
  const estimated = plan.destroys.some((d) => d.rowsEstimated);
  if (!plan.destroys.length && !plan.unseen.length && plan.direction === 'up') return null;
  return (
    <section aria-label="What will be destroyed" className="rounded border border-red-300 p-3 dark:border-red-800">
      <h3 className="mb-2 font-semibold text-red-800 dark:text-red-300">What will be destroyed</h3>
      {plan.destroys.length > 0 ? (
        <ul className="list-disc pl-6" data-testid="plan-destroys">
          {plan.destroys.map((d, i) => (
            <li key={i}>
              <Item d={d} />
              {d.migration && <span className="text-slate-600 dark:text-slate-400"> — by {d.migration}</span>}
            </li>
          ))}
        </ul>
      ) : (
        <p data-testid="plan-destroys">{plan.unseen.length ? 'Nothing that Strata could see.' : 'Nothing: no migration of this plan removes an object or deletes rows.'}</p>
      )}
      {estimated && !plan.exactCounts && onCountExactly && (
        <p className="mt-2">
          Counts marked as estimates come from the planner&apos;s statistics.{' '}
          <button type="button" className="underline" onClick={onCountExactly}>
            Count them exactly
          </button>{' '}
          (reads every row of those tables; up to two minutes each).
        </p>
      )}
      {plan.unseen.length > 0 && (
        <div className="mt-3" data-testid="plan-unseen">
          <p className="font-semibold">This list does not include what {plan.unseen.length === 1 ? 'this migration does' : `these ${plan.unseen.length} migrations do`}:</p>
          <ul className="list-disc pl-6">
            {plan.unseen.map((u) => (
              <li key={u.migration}>
                <code className="font-mono">{u.migration}</code>: {u.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
