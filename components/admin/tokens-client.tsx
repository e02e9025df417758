'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText, INPUT } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import { Table } from '@/components/ui/table';
import type { Role, TokenRow } from '@/lib/schemas/auth';
import { OneTimeSecret } from './one-time-secret';
import { adminKeys } from './query-keys';
import { RoleOptions } from './role-options';

/** The token list, shared by the list and the box that shows a new token (one request). */
function useTokens() {
  return useQuery({ queryKey: adminKeys.tokens, queryFn: () => apiFetch<{ tokens: TokenRow[] }>('/api/tokens') });
}

function CreateToken({ targets }: { targets: { name: string; label: string }[] }) {
  const qc = useQueryClient();
  const [shown, setShown] = useState<{ id: string; name: string; token: string } | null>(null);
  // A token revoked since it was made is not shown as one to copy.
  const revoked = useTokens().data?.tokens.some((t) => t.id === shown?.id && t.revokedAt !== null) ?? false;
  const create = useMutation({
    mutationFn: (body: { name: string; role: Role; expiresInDays?: number; targets?: string[] }) =>
      apiFetch<{ token: string; record: TokenRow }>('/api/tokens', { method: 'POST', body }),
    onSuccess: (res) => {
      setShown({ id: res.record.id, name: res.record.name, token: res.token });
      void qc.invalidateQueries({ queryKey: adminKeys.tokens });
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const days = Number(f.get('expiresInDays') || 0);
    setShown(null);
    const only = f.getAll('targets').map(String);
    create.mutate({ name: String(f.get('name')), role: String(f.get('role')) as Role, ...(days > 0 ? { expiresInDays: days } : {}), ...(only.length ? { targets: only } : {}) });
  }
  return (
    <Card title="Create a token">
      <form onSubmit={submit} className="grid grid-cols-1 gap-3 md:grid-cols-4 md:items-end" aria-label="Create a token">
        <label className="text-sm font-medium md:col-span-2">
          Name <span className="font-normal text-slate-600 dark:text-slate-400">(what uses it, e.g. deploy pipeline)</span>
          <input name="name" required maxLength={100} className={INPUT} />
        </label>
        <label className="text-sm font-medium">
          Role
          <select name="role" defaultValue="viewer" className={INPUT}>
            <RoleOptions />
          </select>
        </label>
        <label className="text-sm font-medium">
          Expires after days <span className="font-normal text-slate-600 dark:text-slate-400">(blank: never)</span>
          <input name="expiresInDays" type="number" min={1} max={3650} className={INPUT} />
        </label>
        {targets.length > 0 && (
          <fieldset className="text-sm md:col-span-4">
            <legend className="font-medium">
              Targets it may act on <span className="font-normal text-slate-600 dark:text-slate-400">(none ticked: every target; never above its maker&apos;s role there)</span>
            </legend>
            <div className="mt-1 flex flex-wrap gap-4">
              {targets.map((t) => (
                <label key={t.name} className="flex items-center gap-1">
                  <input type="checkbox" name="targets" value={t.name} />
                  {t.label}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <div className="md:col-span-4">
          <Button tone="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create token'}
          </Button>
        </div>
      </form>
      {create.isError && <ErrorText>{create.error.message}</ErrorText>}
      {shown && revoked && (
        <p role="status" className="mt-4 text-sm text-slate-600 dark:text-slate-400" data-testid="new-token-revoked">
          The token for <strong>{shown.name}</strong> has been revoked; nothing can use it any more.
        </p>
      )}
      {shown && !revoked && (
        <OneTimeSecret
          value={shown.token}
          what="token"
          testId="new-token"
          intro={
            <p>
              The token for <strong>{shown.name}</strong>. Copy it now: Strata keeps only a hash and cannot show it again.
            </p>
          }
        >
          <p className="mt-2">Use it as <code>Authorization: Bearer …</code>.</p>
        </OneTimeSecret>
      )}
    </Card>
  );
}

function status(t: TokenRow): string {
  if (t.revokedAt) return 'Revoked';
  if (t.expiresAt && new Date(t.expiresAt).getTime() < Date.now()) return 'Expired';
  if (t.suspended) return `Not working: ${t.suspended}`;
  return 'Active';
}

function Revoke({ token }: { token: TokenRow }) {
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => apiFetch<{ record: TokenRow }>(`/api/tokens/${token.id}`, { method: 'DELETE' }),
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.tokens }),
  });
  if (token.revokedAt) return null;
  return (
    <>
      <Button
        tone="danger"
        disabled={revoke.isPending}
        onClick={() => {
          if (window.confirm(`Revoke the token "${token.name}" (${token.prefix}…, ${token.role})? Anything using it gets 401 from now on.`)) revoke.mutate();
        }}
      >
        Revoke {token.name}
      </Button>
      {revoke.isError && <ErrorText>{revoke.error.message}</ErrorText>}
    </>
  );
}

export function TokensClient({ targets = [] }: { targets?: { name: string; label: string }[] }) {
  const tokens = useTokens();
  const labelOf = (n: string) => targets.find((t) => t.name === n)?.label ?? n;
  return (
    <div className="flex flex-col gap-6">
      <CreateToken targets={targets} />
      <Card title="API tokens">
        {tokens.isPending ? (
          <p role="status" className="text-sm">Loading tokens…</p>
        ) : tokens.isError ? (
          <ErrorText>Could not load the tokens: {tokens.error.message}</ErrorText>
        ) : tokens.data.tokens.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No tokens yet. Create one above for a deploy pipeline or a script.</p>
        ) : (
          <Table label="API tokens">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">Name</th>
                <th scope="col" className="py-2 pr-4">Role</th>
                {targets.length > 0 && <th scope="col" className="py-2 pr-4">Targets</th>}
                <th scope="col" className="py-2 pr-4">Token</th>
                <th scope="col" className="py-2 pr-4">Status</th>
                <th scope="col" className="py-2 pr-4">Created</th>
                <th scope="col" className="py-2 pr-4">Last used</th>
                <th scope="col" className="py-2 pr-4">Expires</th>
                <th scope="col" className="py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.tokens.map((t) => (
                <tr key={t.id} className="border-b border-slate-100 dark:border-slate-800/60" data-testid="token-row">
                  <td className="py-2 pr-4 font-medium">{t.name}</td>
                  <td className="py-2 pr-4">{t.role}</td>
                  {targets.length > 0 && <td className="py-2 pr-4" data-testid="token-targets">{t.targets ? t.targets.map(labelOf).join(', ') : 'every target'}</td>}
                  <td className="py-2 pr-4 font-mono">{t.prefix}…</td>
                  <td className="py-2 pr-4">{status(t)}</td>
                  <td className="py-2 pr-4"><Time iso={t.createdAt} /> by {t.createdBy}</td>
                  <td className="py-2 pr-4"><Time iso={t.lastUsedAt} />{t.lastUsedIp ? ` from ${t.lastUsedIp}` : ''}</td>
                  <td className="py-2 pr-4">{t.expiresAt ? <Time iso={t.expiresAt} /> : 'never'}</td>
                  <td className="py-2"><Revoke token={t} /></td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
