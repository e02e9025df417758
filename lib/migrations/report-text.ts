// The round trip and drift reports as plain text, for `npm run migrate:verify` and
// `npm run migrate:drift` (a terminal, a CI log).
import type { DriftReport, ReplayInfo, RoundTripReport, ShadowInfo, ShadowProblem } from '../schemas/shadow';

function shadowLine(shadow: ShadowInfo | null, replay: ReplayInfo | null): string {
  if (!shadow) return '';
  const history = replay ? ` holding the replay of ${replay.migrations} applied migration${replay.migrations === 1 ? '' : 's'}${replay.reused ? ' (a saved replay, reused)' : ''}` : '';
  return `Shadow: ${shadow.label}${history}.`;
}

function problemLines(problem: ShadowProblem): string[] {
  return [`Could not check: ${problem.message}`, ...(problem.fix ? [`Fix: ${problem.fix}`] : [])];
}

export function roundTripText(r: RoundTripReport): string {
  const lines: string[] = [];
  const shadow = shadowLine(r.shadow, r.replay);
  if (shadow) lines.push(shadow);
  if (r.problem) lines.push(...problemLines(r.problem));
  if (!r.checked.length && !r.findings.length && !r.notChecked.length && !r.problem) lines.push('No migrations to check.');
  for (const name of r.checked) lines.push(`ok    ${name}: up → down → up gives back the same schema`);
  for (const f of r.findings) {
    lines.push(`FAIL  ${f.migration}: ${f.message}`);
    if (f.changes.length) lines.push(f.rule === 'down-incomplete' ? '      To get back the schema from before up(), after down() one would still have to run:' : '      To match what the first up() gave, one would have to run:');
    for (const c of f.changes) for (const sql of c.sql) lines.push(`        ${sql.replace(/\n/g, '\n        ')};`);
  }
  if (r.notChecked.length) lines.push(`Not checked (the shadow could not get past an earlier failure): ${r.notChecked.join(', ')}`);
  return lines.join('\n');
}

const WHERE = { live_only: 'only in the live database', migrations_only: 'only in the migrations', different: 'differs' } as const;

export function driftText(r: DriftReport): string {
  const lines: string[] = [];
  const shadow = shadowLine(r.shadow, r.replay);
  if (shadow) lines.push(shadow);
  if (r.changedFiles.length) lines.push(`Changed since applied (the replay uses the files as they are now): ${r.changedFiles.join(', ')}`);
  if (r.problem) lines.push(...problemLines(r.problem));
  if (r.drift && !r.drift.length) lines.push('No drift: the live schema matches the replay of its applied migrations.');
  for (const d of r.drift ?? []) {
    const details = d.details.map((x) => `${x.what}: ${x.from ?? '—'} live, ${x.to ?? '—'} in the migrations`).join('; ');
    lines.push(`${d.kind} ${d.name}${d.table && d.kind !== 'column' ? ` on ${d.table}` : ''}: ${WHERE[d.where]}${details ? ` (${details})` : ''}`);
    for (const sql of d.sql) lines.push(`    ${sql.replace(/\n/g, '\n    ')};`);
  }
  return lines.join('\n');
}
