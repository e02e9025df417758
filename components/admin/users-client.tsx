'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from '@/components/ui/target-link';
import { useState, type FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText, INPUT } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import { Table } from '@/components/ui/table';
import type { UserRow } from '@/lib/schemas/auth';
import { ROLES, ROLE_SUMMARY, type Role } from '@/lib/schemas/auth-plain';
import { OneTimeSecret } from './one-time-secret';
import { ResetPasswordButton, ResetPasswordShown, type PasswordReset } from './password-reset';
import { adminKeys } from './query-keys';
import { RoleOptions } from './role-options';

function CreateUser() {
  const qc = useQueryClient();
  const [created, setCreated] = useState<{ email: string; password?: string } | null>(null);
  const create = useMutation({
    mutationFn: (body: { email: string; name: string; role: Role; password?: string }) =>
      apiFetch<{ user: UserRow; password?: string }>('/api/users', { method: 'POST', body }),
    onSuccess: (res) => {
      setCreated({ email: res.user.email, password: res.password });
      void qc.invalidateQueries({ queryKey: adminKeys.users });
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const password = String(f.get('password') ?? '');
    setCreated(null);
    create.mutate({
      email: String(f.get('email')),
      name: String(f.get('name')),
      role: String(f.get('role')) as Role,
      ...(password ? { password } : {}),
    });
  }
  return (
    <Card title="Add a user">
      {/* method="post": a submit before the scripts load re-renders the page and creates nothing, and the password never goes into a URL. */}
      <form method="post" onSubmit={submit} className="grid grid-cols-1 gap-3 md:grid-cols-5 md:items-end" aria-label="Add a user">
        <label className="text-sm font-medium md:col-span-2">
          Email
          <input name="email" type="email" required className={INPUT} />
        </label>
        <label className="text-sm font-medium">
          Name
          <input name="name" required className={INPUT} />
        </label>
        <label className="text-sm font-medium">
          Role
          <select name="role" defaultValue="viewer" className={INPUT}>
            <RoleOptions />
          </select>
        </label>
        <label className="text-sm font-medium">
          Password <span className="font-normal text-slate-600 dark:text-slate-400">(blank: generate)</span>
          <input name="password" type="password" autoComplete="new-password" minLength={12} className={INPUT} />
        </label>
        <div className="md:col-span-5">
          <Button tone="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add user'}
          </Button>
        </div>
      </form>
      {create.isError && <ErrorText>{create.error.message}</ErrorText>}
      {created?.password ? (
        <OneTimeSecret
          value={created.password}
          what="password"
          testId="generated-password"
          intro={<p>Added {created.email}. Their password, shown only now: Strata keeps only a hash and cannot show it again.</p>}
        />
      ) : (
        created && (
          <p role="status" className="mt-4 text-sm text-emerald-800 dark:text-emerald-200">
            Added {created.email}.
          </p>
        )
      )}
    </Card>
  );
}

/** A target of the targets file, as the admin pages name it. */
export type TargetChoice = { name: string; label: string };

/**
 * The user's role on each target: their own unless set here. A change applies from their next
 * request (their sessions stay); the server refuses one that leaves a target without an admin.
 */
function TargetRoles({ user, targets }: { user: UserRow; targets: TargetChoice[] }) {
  const qc = useQueryClient();
  const update = useMutation({
    mutationFn: (targetRoles: Record<string, Role | null>) =>
      apiFetch<{ user: UserRow }>(`/api/users/${encodeURIComponent(user.id)}`, { method: 'PATCH', body: { targetRoles } }),
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.users }),
  });
  const set = Object.entries(user.targetRoles);
  function change(t: TargetChoice, value: string) {
    const role = value === '' ? null : (value as Role);
    const now = user.targetRoles[t.name] ?? null;
    if (role === now) return;
    const to = role ?? `their own role (${user.role})`;
    if (!window.confirm(`Make ${user.email} ${role ? `${role} on ${t.label}` : `${to} on ${t.label}`}? It applies from their next request.`)) return;
    update.mutate({ [t.name]: role });
  }
  return (
    <details className="mt-1 text-sm" data-testid="target-roles">
      <summary className="cursor-pointer text-slate-700 dark:text-slate-300">
        {set.length ? `On targets: ${set.map(([n, r]) => `${targets.find((t) => t.name === n)?.label ?? n} ${r}`).join(', ')}` : `The same role on every target`}
      </summary>
      <div className="mt-2 flex flex-wrap gap-3">
        {targets.map((t) => (
          <label key={t.name} className="flex items-center gap-1">
            {t.label}
            <select
              aria-label={`Role of ${user.email} on ${t.label}`}
              value={user.targetRoles[t.name] ?? ''}
              disabled={update.isPending}
              onChange={(e) => change(t, e.target.value)}
              className="rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
            >
              <option value="">own role ({user.role})</option>
              <RoleOptions />
            </select>
          </label>
        ))}
      </div>
      {update.isError && <ErrorText>{update.error.message}</ErrorText>}
    </details>
  );
}

function UserActions({ user, self, onReset }: { user: UserRow; self: boolean; onReset: (reset: PasswordReset) => void }) {
  const qc = useQueryClient();
  const update = useMutation({
    mutationFn: (body: { role?: Role; disabled?: boolean }) =>
      apiFetch<{ user: UserRow }>(`/api/users/${encodeURIComponent(user.id)}`, { method: 'PATCH', body }),
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.users }),
  });
  function changeRole(role: Role) {
    if (role === user.role) return;
    if (!window.confirm(`Change ${user.email} from ${user.role} to ${role}? Their sessions end and they sign in again.`)) return;
    update.mutate({ role });
  }
  function toggleDisabled() {
    const verb = user.disabled ? 'Enable' : 'Disable';
    const what = user.disabled ? 'They can sign in again.' : 'Their sessions end now and they cannot sign in.';
    if (!window.confirm(`${verb} ${user.email}? ${what}`)) return;
    update.mutate({ disabled: !user.disabled });
  }
  return (
    <div className="flex items-center gap-2">
      <label className="sr-only" htmlFor={`role-${user.id}`}>
        Role of {user.email}
      </label>
      <select
        id={`role-${user.id}`}
        value={user.role}
        disabled={update.isPending}
        onChange={(e) => changeRole(e.target.value as Role)}
        className="rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
      >
        <RoleOptions />
      </select>
      <Button tone={user.disabled ? 'secondary' : 'danger'} onClick={toggleDisabled} disabled={update.isPending || (self && !user.disabled)}>
        {user.disabled ? `Enable ${user.email}` : `Disable ${user.email}`}
      </Button>
      {self ? (
        // Resetting one's own password here would end this session before the new one could be read.
        <Link href="/account" className="font-medium whitespace-nowrap text-sky-700 underline dark:text-sky-400">
          Change your password
        </Link>
      ) : (
        <ResetPasswordButton user={user} onReset={onReset} />
      )}
      {update.isError && <ErrorText>{update.error.message}</ErrorText>}
    </div>
  );
}

export function UsersClient({ selfId, targets = [] }: { selfId: string; targets?: TargetChoice[] }) {
  // The last password reset from this page, shown until it is done with (never kept past a reload).
  const [reset, setReset] = useState<PasswordReset | null>(null);
  const users = useQuery({
    queryKey: adminKeys.users,
    queryFn: () => apiFetch<{ users: UserRow[] }>('/api/users'),
    // While a reset password is shown, the list is read again now and then: once its user has
    // chosen their own, the box stops offering the old one.
    refetchInterval: reset ? 5_000 : false,
  });
  return (
    <div className="flex flex-col gap-6">
      <CreateUser />
      <Card title="Users">
        {reset && (
          <ResetPasswordShown reset={reset} current={users.data?.users.find((u) => u.id === reset.user.id)} onDone={() => setReset(null)} />
        )}
        <ul className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          {ROLES.map((r) => (
            <li key={r}>
              <span className="font-semibold">{r}</span>: {ROLE_SUMMARY[r]}
            </li>
          ))}
        </ul>
        {users.isPending ? (
          <p role="status" className="text-sm">Loading users…</p>
        ) : users.isError ? (
          <ErrorText>Could not load the users: {users.error.message}</ErrorText>
        ) : (
          <Table label="Users">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">Email</th>
                <th scope="col" className="py-2 pr-4">Name</th>
                <th scope="col" className="py-2 pr-4">Status</th>
                <th scope="col" className="py-2 pr-4">Last sign-in</th>
                <th scope="col" className="py-2 pr-4 text-right">Sessions</th>
                <th scope="col" className="py-2">Role and access</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id} className="border-b border-slate-100 dark:border-slate-800/60" data-testid="user-row">
                  <td className="py-2 pr-4 font-medium">{u.email}</td>
                  <td className="py-2 pr-4">{u.name}</td>
                  <td className="py-2 pr-4">{u.disabled ? 'Disabled' : 'Active'}</td>
                  <td className="py-2 pr-4"><Time iso={u.lastSignInAt} /></td>
                  <td className="py-2 pr-4 text-right tabular-nums">{u.activeSessions.toLocaleString('en')}</td>
                  <td className="py-2">
                    <UserActions user={u} self={u.id === selfId} onReset={setReset} />
                    {targets.length > 0 && <TargetRoles user={u} targets={targets} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
