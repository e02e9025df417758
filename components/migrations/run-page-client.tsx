'use client';
// One run on a page of its own: who, when, how long, each migration with its outcome, timing, SQL
// and error; followed live while it runs.
import Link from '@/components/ui/target-link';
import type { ReactNode } from 'react';
import { Card, Facts } from '@/components/ui/card';
import { Time } from '@/components/ui/time';
import type { RunDetail } from '@/lib/schemas/migrations';
import { runTitle, useRun } from './run-panel';
import { RunView } from './run-view';
import { useNow } from './use-now';

export function RunPageClient({ initial, auditLink = false }: { initial: RunDetail; auditLink?: boolean }) {
  const run = useRun(initial.id, initial);
  const r = run.data ?? initial;
  const now = useNow(r.status === 'running');
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">{runTitle(r)}</h1>
      <div className="flex flex-col gap-6">
        <Card title="Run">
          <Facts
            rows={[
              ['Run', <code key="id" className="break-all font-mono">{r.id}</code>],
              ['By', `${r.actorLabel}${r.role ? ` (${r.role})` : ''}`],
              ['Started', <Time key="s" iso={r.startedAt} />],
              ['Finished', <Time key="f" iso={r.finishedAt} />],
              ...(r.target ? ([['Target', r.target]] as [string, ReactNode][]) : []),
              ...(auditLink
                ? ([
                    [
                      'Audit',
                      <Link key="a" className="underline" href={`/admin/audit?runId=${r.id}`} data-testid="run-audit-link">
                        This run in the audit trail
                      </Link>,
                    ],
                  ] as [string, ReactNode][])
                : []),
              ...(r.promotion?.check.applies
                ? ([
                    [
                      'Promotion rule',
                      <span key="p" data-testid="run-promotion">
                        {r.promotion.override
                          ? `Overridden by ${r.promotion.override.by}: “${r.promotion.override.reason}” (refused: ${r.promotion.override.refused.map((v) => v.name).join(', ')})`
                          : `Every migration had run on ${r.promotion.check.previous.label} from the same file`}
                      </span>,
                    ],
                  ] as [string, ReactNode][])
                : []),
              ...(r.backup
                ? ([
                    [
                      'Backup',
                      <span key="b" data-testid="run-backup">
                        {r.backup.source === 'operator' ? `${r.backup.id}, taken ${r.backup.takenAt}, confirmed by ${r.backup.by}` : `taken ${r.backup.takenAt}, as the team's ${r.backup.source === 'command' ? 'check command' : 'check URL'} said at ${r.backup.checkedAt}`}{' '}
                        (limit {r.backup.maxAgeHours} h)
                      </span>,
                    ],
                  ] as [string, ReactNode][])
                : []),
              ...(r.undoesRun ? ([['Undoes', <Link key="u" className="underline" href={`/migrations/runs/${r.undoesRun}`}>run {r.undoesRun.slice(0, 8)}</Link>]] as [string, ReactNode][]) : []),
            ]}
          />
        </Card>
        <Card title="What happened">
          <RunView run={r} now={now} full />
        </Card>
      </div>
    </>
  );
}
