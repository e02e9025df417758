'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from '@/components/ui/target-link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Card, Notice } from '@/components/ui/card';
import { Button, ErrorText, INPUT } from '@/components/ui/controls';
import { Time } from '@/components/ui/time';
import { Table } from '@/components/ui/table';
import type { AuditEvent } from '@/lib/schemas/auth';
import type { Forwarded } from '@/lib/schemas/audit-forwarding';
import { AUDIT_ACTIONS } from '@/lib/schemas/auth-plain';
import { adminKeys, auditFilters } from './query-keys';

const OUTCOME_STYLE: Record<string, string> = {
  success: 'text-emerald-800 dark:text-emerald-300',
  failure: 'text-red-800 dark:text-red-300',
  denied: 'text-amber-800 dark:text-amber-300',
};

/** Goes on copying from a target whose trail was rewritten, after the last row both trails share. */
function ResumeCopy({ target, label, onResumed }: { target: string; label: string; onResumed: (said: string) => void }) {
  const qc = useQueryClient();
  const resume = useMutation({
    mutationFn: () => apiFetch<{ resumed: { after: number; keptAtHome: number } }>('/api/audit/forwarding', { method: 'POST', body: { resume: target } }),
    onSuccess: ({ resumed: r }) => {
      const kept = r.keptAtHome === 1 ? '1 row copied before and no longer there as it was stays here' : `${r.keptAtHome} rows copied before and no longer there as they were stay here`;
      onResumed(`Copying from ${label} goes on after its row ${r.after}; ${kept}.`);
      void qc.invalidateQueries({ queryKey: ['audit'] });
    },
  });
  const ask = () => {
    if (
      window.confirm(
        `Go on copying from ${label}, after the last row its trail and this one still share? The rows copied before stay here (they happened, whatever ${label} holds now); its rows after that point are copied as they are now, and this is recorded in the trail.`,
      )
    )
      resume.mutate();
  };
  return (
    <div className="mt-2">
      <Button onClick={ask} disabled={resume.isPending}>
        Resume copying from {label}
      </Button>
      {resume.isError && <ErrorText>{resume.error.message}</ErrorText>}
    </div>
  );
}

/** How the home trail's copy of the other targets' rows went, as this read found it. */
function Gathered({ forwarding }: { forwarding: Forwarded[] }) {
  const [resumed, setResumed] = useState<string | null>(null);
  const problems = forwarding.filter((f) => f.problem);
  const copied = forwarding.filter((f) => f.copied > 0);
  return (
    <div className="mb-4 flex flex-col gap-2 text-sm" data-testid="audit-gathered">
      <p className="text-slate-600 dark:text-slate-400">
        This trail gathers those of {forwarding.map((f) => f.label).join(', ')}: their rows are copied here, in their order, each once, when it is read.
        {copied.length > 0 && ` Copied now: ${copied.map((f) => `${f.copied.toLocaleString('en')} from ${f.label}${f.more ? ' (more at the next read)' : ''}`).join(', ')}.`}
      </p>
      {problems.map((f) => (
        <Notice key={f.target} tone="error">
          <p>
            Not copied from {f.label}: {f.problem}
          </p>
          {/rewritten|cut/.test(f.problem ?? '') && <ResumeCopy target={f.target} label={f.label} onResumed={setResumed} />}
        </Notice>
      ))}
      {resumed && <p role="status">{resumed}</p>}
    </div>
  );
}

export function AuditClient() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = auditFilters(params);
  const qs = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => !!e[1]));
  const events = useQuery({
    queryKey: adminKeys.audit(filters),
    queryFn: () => apiFetch<{ events: AuditEvent[]; nextBefore: string | null; forwarding?: Forwarded[] }>(`/api/audit?${qs}`),
  });

  function applyFilters(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    const target = params.get('target');
    if (target) next.set('target', target);
    for (const key of ['actor', 'action']) {
      const v = String(f.get(key) ?? '').trim();
      if (v) next.set(key, v);
    }
    router.replace(`${pathname}?${next}`);
  }
  const olderHref = (before: string) => {
    const next = new URLSearchParams(qs);
    next.set('before', before);
    return `${pathname}?${next}`;
  };

  return (
    <Card title="Events, newest first">
      <form onSubmit={applyFilters} className="mb-4 flex flex-wrap items-end gap-3" aria-label="Filter the audit trail">
        <label className="text-sm font-medium">
          Actor (email or token name)
          <input name="actor" defaultValue={filters.actor ?? ''} key={`a-${filters.actor}`} className={INPUT} />
        </label>
        <label className="text-sm font-medium">
          Action
          <select name="action" defaultValue={filters.action ?? ''} key={`b-${filters.action}`} className={INPUT}>
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" tone="primary">Filter</Button>
        {filters.runId && <p className="w-full text-sm" data-testid="audit-run-filter">Only the rows of run <code className="font-mono">{filters.runId}</code>.</p>}
        {(filters.actor || filters.action || filters.runId || filters.before) && (
          <Link href={pathname} className="text-sm underline">
            Clear filters
          </Link>
        )}
      </form>
      {events.data?.forwarding && events.data.forwarding.length > 0 && <Gathered forwarding={events.data.forwarding} />}
      {events.isPending ? (
        <p role="status" className="text-sm">Loading events…</p>
      ) : events.isError ? (
        <ErrorText>Could not load the audit trail: {events.error.message}</ErrorText>
      ) : events.data.events.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No events match. Clear the filters to see everything.</p>
      ) : (
        <>
          <Table label="Audit events">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">When</th>
                <th scope="col" className="py-2 pr-4">Actor</th>
                <th scope="col" className="py-2 pr-4">Role</th>
                <th scope="col" className="py-2 pr-4">Action</th>
                <th scope="col" className="py-2 pr-4">Outcome</th>
                <th scope="col" className="py-2 pr-4">Database</th>
                <th scope="col" className="py-2 pr-4">From</th>
                <th scope="col" className="py-2">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e) => (
                <tr key={e.id} className="border-b border-slate-100 align-top dark:border-slate-800/60" data-testid="audit-row">
                  <td className="whitespace-nowrap py-2 pr-4"><Time iso={e.at} /></td>
                  <td className="py-2 pr-4">
                    {e.actorLabel} <span className="text-slate-600 dark:text-slate-400">({e.actorType})</span>
                  </td>
                  <td className="py-2 pr-4">{e.role ?? '—'}</td>
                  <td className="py-2 pr-4 font-mono">{e.action}</td>
                  <td className={`py-2 pr-4 font-semibold ${OUTCOME_STYLE[e.outcome] ?? ''}`}>{e.outcome}</td>
                  <td className="py-2 pr-4">
                    {e.target && <span className="font-semibold" data-testid="audit-target">{e.target} · </span>}
                    <span className="font-mono">{e.targetDatabase}</span>
                  </td>
                  <td className="py-2 pr-4">{e.ip ?? '—'}</td>
                  <td className="min-w-80 break-all py-2 font-mono text-xs" title={e.requestId ? `request ${e.requestId}` : undefined}>
                    {Object.keys(e.details).length ? JSON.stringify(e.details) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          {events.data.nextBefore && (
            <Link href={olderHref(events.data.nextBefore)} className="mt-4 inline-block text-sm underline">
              Older events
            </Link>
          )}
        </>
      )}
    </Card>
  );
}
