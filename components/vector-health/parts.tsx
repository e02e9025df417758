// Small pieces the vector health cards share.
import type { ReactNode } from 'react';
import { Notice } from '@/components/ui/card';
import { SqlFix } from '@/components/ui/sql-fix';
import type { Estimate, Finding, Health, Notice as NoticeData, Section } from '@/lib/schemas/vector-health';
import { estimateText } from './format';

/** A part of the report, or what went wrong reading it. */
export function SectionView<T>({ section, what, children }: { section: Section<T>; what: string; children: (data: T) => ReactNode }) {
  if (!section.ok) {
    return (
      <Notice tone="warn">
        Could not show {what}: {section.error}
      </Notice>
    );
  }
  return <>{children(section.data)}</>;
}

const HEALTH: Record<Health, { text: string; style: string }> = {
  ok: { text: 'Healthy', style: 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-100' },
  warn: { text: 'Needs attention', style: 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100' },
  error: { text: 'Problem', style: 'border-red-300 bg-red-50 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100' },
};

export function HealthBadge({ health, testId }: { health: Health; testId?: string }) {
  const h = HEALTH[health];
  return (
    <span data-testid={testId} data-health={health} className={`inline-block whitespace-nowrap rounded border px-2 py-0.5 text-xs font-semibold ${h.style}`}>
      {h.text}
    </span>
  );
}

/** What is flagged, each with the statement that fixes it where there is one. */
export function Problems({ items }: { items: (string | Finding)[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="list-disc space-y-2 pl-5 text-sm">
      {items.map((p) => {
        const f = typeof p === 'string' ? { text: p, fix: null } : p;
        return (
          <li key={f.text} data-testid="finding">
            {f.text}
            {f.fix && <SqlFix fix={f.fix} />}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A table row's full-width notes (findings, fixes, queries), kept in view while the table scrolls
 * sideways and as wide as the visible part of it: they wrap instead of running off to the right.
 */
export function RowNotes({ children }: { children: ReactNode }) {
  return <div className="sticky left-0 max-w-[100cqw]">{children}</div>;
}

export function NoticeBox({ notice }: { notice: NoticeData }) {
  return (
    <Notice tone={notice.tone}>
      <p className="font-semibold">{notice.title}</p>
      <p className="mt-1">{notice.detail}</p>
      {notice.sql && <pre className="mt-2 overflow-x-auto rounded bg-black/5 p-2 dark:bg-white/10">{notice.sql}</pre>}
    </Notice>
  );
}

/** A count that says whether it is exact or estimated, and how. */
export function EstimateCell({ value }: { value: Estimate | null }) {
  const { text, how } = estimateText(value);
  return (
    <span title={how ?? 'exact count'} className="tabular-nums">
      {text}
      {how && <span className="sr-only"> ({how})</span>}
    </span>
  );
}

export const TH = 'py-2 pr-4 font-semibold';
export const TD = 'py-2 pr-4 align-top';
export const NUM = 'py-2 pr-4 text-right align-top tabular-nums whitespace-nowrap';
export const MUTED = 'text-slate-600 dark:text-slate-400';
