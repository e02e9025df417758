'use client';

import Link from '@/components/ui/target-link';
import { usePathname } from 'next/navigation';
import { LinkPending } from '@/components/ui/link-pending';

const TABS = [
  { href: '/evaluations', label: 'Browse' },
  { href: '/evaluations/distributions', label: 'Distributions' },
] as const;

/** The two views of the evaluations area. */
export function EvaluationTabs() {
  const pathname = usePathname();
  return (
    <nav aria-label="Evaluations views" className="mb-6 flex gap-1 border-b border-slate-200 dark:border-slate-800">
      {TABS.map((t) => {
        const current = pathname === t.href;
        return (
          <Link
            key={t.href}
            href={t.href}
            aria-current={current ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
              current
                ? 'border-slate-900 text-slate-900 dark:border-slate-100 dark:text-slate-100'
                : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'
            }`}
          >
            {t.label}
            <LinkPending />
          </Link>
        );
      })}
    </nav>
  );
}
