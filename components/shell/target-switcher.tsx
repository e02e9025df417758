'use client';
// The other targets, at the same page: switching from production's migrations page opens
// staging's. A target this dashboard serves opens here, with `?target=` in the URL (so the link
// can be shared); one it does not serve opens on its own dashboard, when the targets file names it.
import { usePathname } from 'next/navigation';
import { hrefForTarget } from '@/lib/targets/param';

export type SwitchTarget = { name: string; label: string; color: string; protected: boolean } & ({ served: true } | { served: false; dashboardUrl: string });

export function TargetSwitcher({ others }: { others: SwitchTarget[] }) {
  const pathname = usePathname();
  if (!others.length) return null;
  return (
    <nav aria-label="Other targets" className="flex flex-wrap items-center gap-2 text-sm font-normal">
      <span>Switch to:</span>
      {others.map((t) => (
        <a
          key={t.name}
          href={t.served ? hrefForTarget(pathname, t.name) : new URL(pathname, t.dashboardUrl).toString()}
          className="rounded bg-white/90 px-2 py-0.5 text-slate-900 underline"
          data-testid="switch-target"
          data-target={t.name}
        >
          <span className="mr-1 inline-block h-2 w-2 rounded-full" style={{ background: t.color }} aria-hidden />
          {t.label}
          {t.protected ? ' (protected)' : ''}
        </a>
      ))}
    </nav>
  );
}
