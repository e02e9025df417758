'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';

export function UserBox({ email, role }: { email: string; role: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function signOut() {
    setBusy(true);
    setError(null);
    const res = await fetch('/api/auth/sign-out', { method: 'POST' }).catch(() => null);
    if (!res || (!res.ok && res.status !== 401)) {
      setBusy(false);
      setError('Sign-out failed; try again.');
      return;
    }
    router.replace('/sign-in');
    router.refresh();
  }
  return (
    <div className="mt-auto border-t border-slate-200 px-3 pt-4 text-sm dark:border-slate-800">
      <p className="truncate font-medium" data-testid="signed-in-email" title={email}>
        {email}
      </p>
      <p className="text-slate-600 dark:text-slate-400" data-testid="signed-in-role">
        {role}
      </p>
      <button
        type="button"
        onClick={signOut}
        disabled={busy}
        className="mt-2 rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-200 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
      {error && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </div>
  );
}
