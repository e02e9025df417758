'use client';
// A signed-in user changes their own password: the current one, the new one twice. Their other
// sessions end; this browser gets a new session from the same answer and stays signed in.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText, INPUT } from '@/components/ui/controls';

// The API names the field it refused; the form says it with the field's label.
const LABELS: Record<string, string> = { currentPassword: 'Current password', newPassword: 'New password' };
const readable = (message: string) => message.replace(/^(currentPassword|newPassword):/, (_, field: string) => `${LABELS[field]}:`);

export function ChangePassword() {
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      apiFetch<{ changed: true; sessionsEnded: number }>('/api/account/password', { method: 'POST', body }),
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const newPassword = String(f.get('newPassword') ?? '');
    change.reset();
    if (newPassword !== String(f.get('repeatPassword') ?? '')) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate({ currentPassword: String(f.get('currentPassword') ?? ''), newPassword }, { onSuccess: () => form.reset() });
  }
  const ended = change.data?.sessionsEnded ?? 0;
  return (
    <Card title="Change your password">
      {/* method="post": a submit before the scripts load re-renders the page and changes nothing, and no password goes into a URL. */}
      <form method="post" onSubmit={submit} aria-label="Change your password" className="flex flex-col gap-3">
        <label className="text-sm font-medium">
          Current password
          <input name="currentPassword" type="password" autoComplete="current-password" required maxLength={128} className={INPUT} />
        </label>
        <label className="text-sm font-medium">
          New password <span className="font-normal text-slate-600 dark:text-slate-400">(12 to 128 characters)</span>
          <input name="newPassword" type="password" autoComplete="new-password" required minLength={12} maxLength={128} className={INPUT} />
        </label>
        <label className="text-sm font-medium">
          Repeat the new password
          <input name="repeatPassword" type="password" autoComplete="new-password" required minLength={12} maxLength={128} className={INPUT} />
        </label>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Your sessions in other browsers and on other devices end; this one stays signed in.
        </p>
        <div>
          <Button tone="primary" type="submit" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </Button>
        </div>
      </form>
      {mismatch && <ErrorText>The two new passwords are not the same.</ErrorText>}
      {change.isError && <ErrorText>{readable(change.error.message)}</ErrorText>}
      {change.isSuccess && (
        <p role="status" className="mt-3 text-sm text-emerald-800 dark:text-emerald-200" data-testid="password-changed">
          Your password is changed. {ended === 0 ? 'You had no other session' : `${ended.toLocaleString('en')} other session${ended === 1 ? '' : 's'} ended`}; this one goes on.
        </p>
      )}
    </Card>
  );
}
