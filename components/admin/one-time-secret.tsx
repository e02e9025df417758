'use client';
// A secret Strata shows once (a new API token, a generated password): what it is, the value, and
// a button that copies it. Whoever renders it also decides when it is no longer relevant (the
// token revoked, the password changed since) and stops rendering it then.
import { useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/controls';

export function OneTimeSecret({
  value,
  what,
  testId,
  intro,
  children,
}: {
  value: string;
  /** What the value is, for the copy button: "token", "password". */
  what: string;
  testId: string;
  intro: ReactNode;
  children?: ReactNode;
}) {
  const [copied, setCopied] = useState<{ value: string; ok: boolean } | null>(null);
  // A new value starts with nothing copied.
  const state = copied?.value === value ? copied : null;
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied({ value, ok: true });
    } catch {
      setCopied({ value, ok: false });
    }
  }
  return (
    <div role="status" className="mt-4 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-100">
      {intro}
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code data-testid={testId} className="block min-w-0 flex-1 break-all rounded bg-white p-2 font-mono dark:bg-slate-950">
          {value}
        </code>
        <Button onClick={() => void copy()} className="bg-white dark:bg-slate-950">
          {state?.ok ? 'Copied' : `Copy ${what}`}
        </Button>
      </div>
      {state && !state.ok && <p className="mt-2">The browser did not allow copying here: select the {what} and copy it.</p>}
      {children}
    </div>
  );
}
