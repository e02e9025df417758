'use client';
// A statement to run, shown whole (it wraps rather than hides) with a Copy button, and a note.
import { useState } from 'react';
import type { Fix } from '@/lib/schemas/vector-health';

export function SqlFix({ fix, testId = 'fix-sql' }: { fix: Pick<Fix, 'sql' | 'note'>; testId?: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(fix.sql);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, or a refusal): the text is there to select by hand.
      setCopied('no');
    }
  }
  return (
    <div className="mt-1 space-y-1">
      <div className="flex items-start gap-2">
        <pre data-testid={testId} className="min-w-0 flex-1 whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
          {fix.sql}
        </pre>
        <button
          type="button"
          onClick={copy}
          className="shrink-0 rounded border border-slate-300 px-2 py-1 text-xs font-semibold hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Copy<span className="sr-only"> the statement</span>
        </button>
      </div>
      <p aria-live="polite" className="text-xs text-slate-600 dark:text-slate-400">
        {copied === 'yes' ? 'Copied. ' : copied === 'no' ? 'Copying is not allowed here: select the statement instead. ' : ''}
        {fix.note}
      </p>
    </div>
  );
}
