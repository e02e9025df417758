// Schema changes as every shadow feature shows them: a migration's effect, what a round trip
// left different, drift. The words for "added" and "removed" depend on what the two catalogs were.
import type { SchemaChange } from '@/lib/schemas/catalog';

export type ChangeWords = { added: string; removed: string; changed: string };

/** A plan's effect: from the catalog before the migration to the one after. */
export const EFFECT_WORDS: ChangeWords = { added: 'creates', removed: 'drops', changed: 'alters' };

export function changeTarget(c: SchemaChange): string {
  return `${c.kind} ${c.name}${c.table && c.kind !== 'column' ? ` on ${c.table}` : ''}`;
}

function detailText(c: SchemaChange): string {
  return c.details
    .filter((d) => d.what !== 'definition')
    .map((d) => `${d.what} ${d.from ?? '—'} → ${d.to ?? '—'}`)
    .join(', ');
}

export function SchemaChangeList({ changes, words, showSql = false, testId }: { changes: SchemaChange[]; words: ChangeWords; showSql?: boolean; testId?: string }) {
  return (
    <ul className="list-disc pl-6" data-testid={testId}>
      {changes.map((c, i) => {
        const details = detailText(c);
        return (
          <li key={`${c.kind}:${c.name}:${i}`}>
            {words[c.change]} <code className="font-mono">{changeTarget(c)}</code>
            {details && <span className="text-slate-600 dark:text-slate-400"> ({details})</span>}
            {showSql && c.sql.length > 0 && (
              <pre tabIndex={0} className="mt-1 overflow-x-auto whitespace-pre-wrap rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
                {c.sql.map((s) => `${s};`).join('\n')}
              </pre>
            )}
          </li>
        );
      })}
    </ul>
  );
}
