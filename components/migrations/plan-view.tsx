// What a plan says: the migrations in order with their SQL (or source), the lint findings, and
// what a rollback would destroy.
import type { Plan } from '@/lib/schemas/migrations';

const fmt = (n: number) => n.toLocaleString('en-US');

export function PlanView({ plan }: { plan: Plan }) {
  return (
    <div className="flex flex-col gap-4 text-sm">
      {plan.error && (
        <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100">
          <p className="font-semibold">The dry run failed{plan.error.migration ? ` in ${plan.error.migration}` : ''}; nothing was changed.</p>
          <p className="mt-1 whitespace-pre-wrap">{plan.error.message}</p>
          {plan.error.statement && <pre tabIndex={0} className="mt-2 overflow-x-auto whitespace-pre-wrap font-mono text-xs">{plan.error.statement}</pre>}
        </div>
      )}
      <p>
        {plan.atomic
          ? 'All of it runs in one transaction: if any statement fails, nothing is changed.'
          : 'Not all of it can run in one transaction (a migration sets config.transaction = false): a failure can leave the earlier migrations applied.'}
      </p>
      {plan.destroys.length > 0 && (
        <section aria-label="What will be destroyed" className="rounded border border-red-300 p-3 dark:border-red-800">
          <h3 className="mb-2 font-semibold text-red-800 dark:text-red-300">What will be destroyed</h3>
          <ul className="list-disc pl-6" data-testid="plan-destroys">
            {plan.destroys.map((d, i) => (
              <li key={i}>
                {d.kind === 'table' && (
                  <>
                    table <code className="font-mono">{d.name}</code>
                    {d.rows !== null ? ` with ${d.rowsEstimated ? 'about ' : ''}${fmt(d.rows)} row${d.rows === 1 ? '' : 's'}` : ' (does not exist now)'}
                  </>
                )}
                {d.kind === 'column' && (
                  <>
                    column <code className="font-mono">{d.table}.{d.name}</code>
                    {d.rows !== null ? ` in ${d.rowsEstimated ? 'about ' : ''}${fmt(d.rows)} rows` : ''}
                  </>
                )}
                {d.kind === 'extension' && (
                  <>
                    the extension <code className="font-mono">{d.name}</code>
                  </>
                )}
                {d.kind === 'index' && (
                  <>
                    index <code className="font-mono">{d.name}</code>
                  </>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {plan.findings.length > 0 && (
        <section aria-label="Warnings" className="rounded border border-amber-300 p-3 dark:border-amber-700">
          <h3 className="mb-2 font-semibold text-amber-900 dark:text-amber-200">
            {plan.findings.length} warning{plan.findings.length === 1 ? '' : 's'}: review before you confirm
          </h3>
          <ul className="flex flex-col gap-2" data-testid="plan-findings">
            {plan.findings.map((f, i) => (
              <li key={i}>
                <p className="font-medium">
                  {f.message} <span className="font-normal text-slate-600 dark:text-slate-400">({f.migration}, {f.rule})</span>
                </p>
                <p>{f.why}</p>
                <p>
                  <span className="font-medium">Safer:</span> {f.safer}
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
      <ol className="flex flex-col gap-3">
        {plan.migrations.map((m, i) => (
          <li key={m.name} data-testid="plan-migration">
            <p className="font-medium">
              {i + 1}. <code className="font-mono">{m.name}</code>{' '}
              <span className="font-normal text-slate-600 dark:text-slate-400">{m.transaction ? 'in a transaction' : 'outside a transaction'}</span>
            </p>
            {m.previewable ? (
              <details>
                <summary className="cursor-pointer">{m.statements.length} SQL statement{m.statements.length === 1 ? '' : 's'}</summary>
                <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">{m.statements.join(';\n\n')};</pre>
              </details>
            ) : (
              <>
                <p className="text-amber-900 dark:text-amber-200">Not previewable: {m.reason}</p>
                {m.source && (
                  <details>
                    <summary className="cursor-pointer">Source</summary>
                    <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">{m.source}</pre>
                  </details>
                )}
              </>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
