// What a plan says: how it was made (which migrations ran on the live database rolled back, which
// only on the shadow, which could not be previewed, and why), what will be destroyed, the lint
// findings, the round trip, and each migration with its label, its schema effect and its SQL.
import type { Plan, PlanMigration } from '@/lib/schemas/migrations';
import { PlanDestroys } from './plan-destroys';
import { PlanFindings } from './plan-findings';
import { RoundTripView } from './round-trip-view';
import { EFFECT_WORDS, SchemaChangeList } from './schema-changes';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Whether the plan saw less than everything: the dialog asks the operator to say they read it. */
export function planIsIncomplete(plan: Plan): boolean {
  return plan.migrations.some((m) => m.previewedOn === null || m.shadowError !== null) || plan.unseen.length > 0;
}

function HowMade({ plan }: { plan: Plan }) {
  const live = plan.migrations.filter((m) => m.previewedOn === 'live').length;
  const shadow = plan.migrations.filter((m) => m.previewedOn === 'shadow').length;
  const none = plan.migrations.filter((m) => m.previewedOn === null).length;
  const s = plan.shadow;
  const parts: string[] = [];
  if (live) parts.push(`${plural(live, 'migration')} ran on the live database inside a transaction that was rolled back`);
  if (s.info) {
    const ranThere = plan.migrations.filter((m) => m.effects !== null).length;
    const replay = s.replay ? `, holding the replay of the ${plural(s.replay.migrations, 'applied migration')}${s.replay.reused ? ' (a saved replay)' : ''}` : '';
    parts.push(
      ranThere
        ? `${plural(ranThere, 'migration')} ran on a shadow database, ${s.info.label}${replay}${shadow ? `; for ${shadow} of them that is the only preview` : ''}`
        : `a shadow database, ${s.info.label}${replay}, was used, but no migration ran to its end there`,
    );
  }
  if (none) parts.push(`${plural(none, 'migration')} could not be previewed`);
  return (
    <div data-testid="plan-how">
      <p>Nothing has changed yet. {parts.length ? `${parts.join('; ')}.` : ''}</p>
      {s.problem && (
        <p role="alert" className="mt-1 text-red-800 dark:text-red-300">
          No shadow database could be used: {s.problem.message}
          {s.problem.fix ? ` ${s.problem.fix}` : ''}
        </p>
      )}
    </div>
  );
}

function Label({ m }: { m: PlanMigration }) {
  const style =
    m.previewedOn === 'live'
      ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200'
      : m.previewedOn === 'shadow'
        ? 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200'
        : 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200';
  const text = m.previewedOn === 'live' ? 'On the live database, rolled back' : m.previewedOn === 'shadow' ? 'On the shadow' : 'Not previewable';
  return (
    <span className={`rounded px-2 py-0.5 text-xs font-semibold ${style}`} data-testid="plan-preview-label">
      {text}
    </span>
  );
}

function MigrationItem({ m, index }: { m: PlanMigration; index: number }) {
  return (
    <li data-testid="plan-migration" className="flex flex-col gap-1">
      <p className="font-medium">
        {index + 1}. <code className="font-mono">{m.name}</code> <Label m={m} />{' '}
        <span className="font-normal text-slate-600 dark:text-slate-400">{m.transaction ? 'in a transaction' : 'outside a transaction'}</span>
      </p>
      {m.previewedOn === 'shadow' && <p className="text-slate-700 dark:text-slate-300">Not on the live database: {m.reason}</p>}
      {m.previewedOn === null && <p className="text-amber-900 dark:text-amber-200">Not previewable: {m.reason}</p>}
      {m.previewedOn === 'live' && m.shadowError && <p className="text-amber-900 dark:text-amber-200">It failed on the shadow, though: {m.shadowError}</p>}
      {m.effects &&
        (m.effects.length ? (
          <div>
            <p className="text-slate-600 dark:text-slate-400">Schema effect, from the shadow&apos;s catalog before and after it:</p>
            <SchemaChangeList changes={m.effects} words={EFFECT_WORDS} testId="plan-effects" />
          </div>
        ) : (
          <p className="text-slate-600 dark:text-slate-400">No change to the schema on the shadow.</p>
        ))}
      {m.statements.length > 0 && (
        <details>
          <summary className="cursor-pointer">
            {m.statements.length} SQL statement{m.statements.length === 1 ? '' : 's'}
            {m.previewedOn === null ? ' (as far as it ran)' : ''}
          </summary>
          <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
            {m.statements.join(';\n\n')};
          </pre>
        </details>
      )}
      {m.source && (
        <details>
          <summary className="cursor-pointer">Source</summary>
          <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
            {m.source}
          </pre>
        </details>
      )}
    </li>
  );
}

export function PlanView({ plan, onCountExactly }: { plan: Plan; onCountExactly?: () => void }) {
  return (
    <div className="flex flex-col gap-4 text-sm">
      {plan.error && (
        <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100">
          <p className="font-semibold">
            {plan.migrations.some((m) => m.loadError) ? 'A migration file could not be loaded' : `The dry run on the live database failed${plan.error.migration ? ` in ${plan.error.migration}` : ''}`}
            ; nothing was changed.
          </p>
          <p className="mt-1 whitespace-pre-wrap">{plan.error.message}</p>
          {plan.error.statement && (
            <pre tabIndex={0} className="mt-2 overflow-x-auto whitespace-pre-wrap font-mono text-xs">
              {plan.error.statement}
            </pre>
          )}
        </div>
      )}
      <HowMade plan={plan} />
      <p>
        {plan.atomic
          ? 'All of it runs in one transaction: if any statement fails, nothing is changed.'
          : 'Not all of it can run in one transaction (a migration sets config.transaction = false): a failure can leave the earlier migrations applied.'}
      </p>
      <PlanDestroys plan={plan} onCountExactly={onCountExactly} />
      <PlanFindings findings={plan.findings} />
      {plan.roundTrip && (
        <section aria-label="Round trip" className="rounded border border-slate-300 p-3 dark:border-slate-700">
          <h3 className="mb-2 font-semibold">Round trip: up → down → up of each pending migration on the shadow</h3>
          <RoundTripView report={plan.roundTrip} />
        </section>
      )}
      <ol className="flex flex-col gap-3">
        {plan.migrations.map((m, i) => (
          <MigrationItem key={m.name} m={m} index={i} />
        ))}
      </ol>
    </div>
  );
}
