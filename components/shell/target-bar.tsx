'use client';
// Which database of the targets file this page shows: a strip on every page, unmissable when the
// target is protected, with the switcher. It reads the target from the URL itself (the same
// `?target=` the page's API calls carry), so the strip and the data below it never disagree.
import { useTargetParam } from '@/components/ui/target-link';
import { TargetSwitcher, type SwitchTarget } from './target-switcher';

export type BarTarget = { name: string; label: string; color: string; protected: boolean; served: boolean; dashboardUrl: string | null };

export function TargetBar({ targets, home }: { targets: BarTarget[]; home: string | null }) {
  const named = useTargetParam();
  const name = named ?? home;
  const here = targets.find((t) => t.name === name) ?? null;
  const others = targets.flatMap((t): SwitchTarget[] => {
    if (t.name === here?.name) return [];
    const base = { name: t.name, label: t.label, color: t.color, protected: t.protected };
    if (t.served) return [{ ...base, served: true }];
    return t.dashboardUrl ? [{ ...base, served: false, dashboardUrl: t.dashboardUrl }] : [];
  });
  const label = here?.label ?? (named ? `Unknown target "${named}"` : 'Not a target of the targets file');
  return here?.protected ? (
    <div data-testid="target-bar" data-target={here.name} className="mb-4 flex flex-wrap items-center justify-between gap-2 rounded px-3 py-2 text-white" style={{ background: here.color }}>
      <p className="text-sm font-semibold" data-testid="target-label">{label} · protected: runs here follow the promotion order, and every rollback is typed</p>
      <TargetSwitcher others={others} />
    </div>
  ) : (
    <div
      data-testid="target-bar"
      data-target={here?.name ?? ''}
      className="mb-4 flex flex-wrap items-center justify-between gap-2 border-l-4 pl-3 text-slate-700 dark:text-slate-300"
      style={{ borderColor: here?.color ?? '#475569' }}
    >
      <p className="text-sm" data-testid="target-label">{label}</p>
      <TargetSwitcher others={others} />
    </div>
  );
}
