'use client';

import { useState, type FormEvent } from 'react';
import { apiErrorOf } from '@/components/api-client';

const FIELD = 'mt-1 block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950';

export function SignInForm({ next, sso, initialError }: { next: string; sso: { name: string } | null; initialError: string | null }) {
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
      });
      if (res.ok) {
        // A full navigation, so that every server component renders for the new session.
        window.location.assign(next);
        return;
      }
      const body = apiErrorOf(await res.json().catch(() => null));
      setError(body?.message ?? `Sign-in failed (HTTP ${res.status})`);
    } catch {
      setError('The dashboard cannot be reached; check that it is running.');
    }
    setBusy(false);
  }

  async function signInWithSso() {
    setBusy(true);
    setError(null);
    const res = await fetch('/api/auth/sign-in/social', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'oidc', callbackURL: next, errorCallbackURL: '/sign-in?error=sso' }),
    }).catch(() => null);
    const body = (await res?.json().catch(() => null)) as { url?: string } | null;
    if (res?.ok && body?.url) {
      window.location.assign(body.url);
      return;
    }
    setBusy(false);
    setError('Single sign-on is not available right now.');
  }

  return (
    <>
      {/* method and action: before the scripts load, the browser posts the form itself (never as a GET, which would put the password in the URL). */}
      <form method="post" action="/api/auth/sign-in" onSubmit={submit} className="flex flex-col gap-4" aria-label="Sign in">
        <input type="hidden" name="next" value={next} />
        <label className="text-sm font-medium">
          Email
          <input name="email" type="email" autoComplete="username" required className={FIELD} />
        </label>
        <label className="text-sm font-medium">
          Password
          <input name="password" type="password" autoComplete="current-password" required className={FIELD} />
        </label>
        {error && (
          <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100">
            {error}
          </p>
        )}
        <button
          type="submit"
          disabled={busy}
          className="rounded bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900"
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {sso && (
        <button
          type="button"
          onClick={signInWithSso}
          disabled={busy}
          className="mt-4 w-full rounded border border-slate-300 px-4 py-2 text-sm font-semibold hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Sign in with {sso.name}
        </button>
      )}
    </>
  );
}
