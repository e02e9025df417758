// The round trip's result: which migrations give back the same schema after up → down → up on
// the shadow, and for the others what went wrong and the SQL that would set it right.
import type { RoundTripReport } from '@/lib/schemas/shadow';
import { SchemaChangeList } from './schema-changes';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function RoundTripView({ report }: { report: RoundTripReport }) {
  const total = report.checked.length + new Set(report.findings.map((f) => f.migration)).size + report.notChecked.length;
  return (
    <div className="flex flex-col gap-2 text-sm" data-testid="round-trip">
      {report.problem && (
        <p role="alert" className="text-red-800 dark:text-red-300">
          Could not check: {report.problem.message}
          {report.problem.fix ? ` ${report.problem.fix}` : ''}
        </p>
      )}
      {total === 0 && !report.problem && <p>There is nothing to check.</p>}
      {report.checked.length > 0 && (
        <p>
          {report.checked.length === total ? `All ${plural(total, 'migration')}` : `${report.checked.length} of ${plural(total, 'migration')}`} gave back the same schema after up
          → down → up{report.shadow ? ` on ${report.shadow.label}` : ''}.
        </p>
      )}
      {report.findings.length > 0 && (
        <ul className="flex flex-col gap-2" data-testid="round-trip-findings">
          {report.findings.map((f, i) => (
            <li key={i} className="rounded border border-amber-300 p-2 dark:border-amber-700">
              <p className="font-medium">
                <code className="font-mono">{f.migration}</code>: {f.message}
              </p>
              {f.changes.length > 0 && (
                <>
                  <p className="mt-1">{f.rule === 'down-incomplete' ? 'To get back the schema from before up(), after down() one would still have to:' : 'To match what the first up() gave, one would have to:'}</p>
                  <SchemaChangeList changes={f.changes} words={{ added: 'create', removed: 'drop', changed: 'alter' }} showSql />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {report.notChecked.length > 0 && (
        <p>
          Not checked, because the shadow could not get past an earlier failure: {report.notChecked.map((n) => <code key={n} className="mr-2 font-mono">{n}</code>)}
        </p>
      )}
    </div>
  );
}
