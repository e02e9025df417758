'use client';
// The other targets' dashboards (one per target, named in the targets file), at the same page:
// switching from production's migrations page opens staging's migrations page.
import { usePathname } from 'next/navigation';

export type SwitchTarget = { name: string; label: string; color: string; dashboardUrl: string };

export function TargetSwitcher({ others }: { others: SwitchTarget[] }) {
  const pathname = usePathname();
  if (!others.length) return null;
  return (
    <nav aria-label="Other targets" className="flex flex-wrap items-center gap-2 text-sm font-normal">
      <span>Switch to:</span>
      {others.map((t) => (
        <a key={t.name} href={new URL(pathname, t.dashboardUrl).toString()} className="rounded bg-white/90 px-2 py-0.5 text-slate-900 underline" data-testid="switch-target">
          <span className="mr-1 inline-block h-2 w-2 rounded-full" style={{ background: t.color }} aria-hidden />
          {t.label}
        </a>
      ))}
    </nav>
  );
}
