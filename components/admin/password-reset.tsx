'use client';
// An admin resets another user's password: a confirmation that says what will happen, then the
// new password shown once, until it is no longer theirs (they changed it since).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { Button, ErrorText } from '@/components/ui/controls';
import type { UserRow } from '@/lib/schemas/auth';
import { OneTimeSecret } from './one-time-secret';
import { adminKeys } from './query-keys';

/** What POST /api/users/{id}/password-reset returns. */
export type PasswordReset = { user: UserRow; password: string; sessionsEnded: number };

const sessions = (n: number) => `${n.toLocaleString('en')} session${n === 1 ? '' : 's'}`;

export function ResetPasswordButton({ user, onReset }: { user: UserRow; onReset: (reset: PasswordReset) => void }) {
  const qc = useQueryClient();
  const reset = useMutation({
    mutationFn: () => apiFetch<PasswordReset>(`/api/users/${encodeURIComponent(user.id)}/password-reset`, { method: 'POST', body: {} }),
    onSuccess: onReset,
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.users }),
  });
  if (user.passwordChangedAt === null) {
    return <span className="text-slate-600 dark:text-slate-400">Signs in with SSO</span>;
  }
  function confirmReset() {
    const message =
      `Reset the password of ${user.email}?\n\n` +
      'Strata generates a new password and shows it to you only once, on this page. ' +
      `Their current password stops working, and all their sessions end now (${sessions(user.activeSessions)} active).`;
    if (window.confirm(message)) reset.mutate();
  }
  return (
    <>
      <Button tone="danger" onClick={confirmReset} disabled={reset.isPending}>
        Reset password<span className="sr-only"> of {user.email}</span>
      </Button>
      {reset.isError && <ErrorText>{reset.error.message}</ErrorText>}
    </>
  );
}

/**
 * The password just generated, with a copy button. `current` is the user as the list shows them
 * now: once their password has changed after the reset (they chose their own, or another admin
 * reset it), the box says so instead of offering a password that no longer works.
 */
export function ResetPasswordShown({ reset, current, onDone }: { reset: PasswordReset; current: UserRow | undefined; onDone: () => void }) {
  const { email, passwordChangedAt: setAt } = reset.user;
  const changedSince = Boolean(current?.passwordChangedAt && setAt && Date.parse(current.passwordChangedAt) > Date.parse(setAt));
  if (changedSince) {
    return (
      <p role="status" className="mb-4 text-sm text-slate-600 dark:text-slate-400" data-testid="reset-password-changed">
        The password of <strong>{email}</strong> has been changed since it was reset here; the one generated then no longer works.
      </p>
    );
  }
  return (
    <div className="mb-4">
      <OneTimeSecret
        value={reset.password}
        what="password"
        testId="reset-password"
        intro={
          <p>
            The new password of <strong>{email}</strong>. Copy it now and give it to them: Strata keeps only a hash and cannot show it
            again. {sessions(reset.sessionsEnded)} ended.
          </p>
        }
      >
        <div className="mt-2 flex flex-wrap items-center justify-between gap-2">
          <p>They sign in with it, then can choose their own under Account.</p>
          <Button onClick={onDone} className="bg-white dark:bg-slate-950">
            Done
          </Button>
        </div>
      </OneTimeSecret>
    </div>
  );
}
