// The plan's warnings, with repeated ones grouped: the same rule for the same reason in several
// migrations (every ivfflat index built on an empty table, say) reads once, with each place it
// applies to, instead of the same paragraph many times.
import type { Finding } from '@/lib/schemas/migrations';

type Group = { rule: string; why: string; safer: string; places: { message: string; migrations: string[] }[]; count: number };

export function groupFindings(findings: Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.why}\u0000${f.safer}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rule: f.rule, why: f.why, safer: f.safer, places: [], count: 0 }));
    g.count++;
    const place = g.places.find((p) => p.message === f.message);
    if (place) {
      if (!place.migrations.includes(f.migration)) place.migrations.push(f.migration);
    } else g.places.push({ message: f.message, migrations: [f.migration] });
  }
  return [...groups.values()];
}

export function PlanFindings({ findings }: { findings: Finding[] }) {
  if (!findings.length) return null;
  const groups = groupFindings(findings);
  return (
    <section aria-label="Warnings" className="rounded border border-amber-300 p-3 dark:border-amber-700">
      <h3 className="mb-2 font-semibold text-amber-900 dark:text-amber-200">
        {findings.length} warning{findings.length === 1 ? '' : 's'}
        {groups.length < findings.length ? ` of ${groups.length} kind${groups.length === 1 ? '' : 's'}` : ''}: review before you confirm
      </h3>
      <ul className="flex flex-col gap-3" data-testid="plan-findings">
        {groups.map((g) => (
          <li key={`${g.rule}:${g.why}`} data-testid="plan-finding-group">
            <ul className="flex flex-col gap-0.5">
              {g.places.map((p) => (
                <li key={p.message} className="font-medium">
                  {p.message}{' '}
                  <span className="font-normal text-slate-600 dark:text-slate-400">
                    ({p.migrations.join(', ')}, {g.rule})
                  </span>
                </li>
              ))}
            </ul>
            <p className="mt-1">{g.why}</p>
            <p>
              <span className="font-medium">Safer:</span> {g.safer}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
