'use client';

import Link from '@/components/ui/target-link';
import { usePathname } from 'next/navigation';
import { LinkPending } from '@/components/ui/link-pending';

export const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/migrations', label: 'Migrations' },
  { href: '/environments', label: 'Environments' },
  { href: '/vector-health', label: 'Vector health' },
  { href: '/evaluations', label: 'Evaluations' },
] as const;

export const ADMIN_LINKS = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/tokens', label: 'API tokens' },
  { href: '/admin/audit', label: 'Audit trail' },
] as const;

function NavLink({ href, label, pathname }: { href: string; label: string; pathname: string }) {
  const current = href === '/' ? pathname === '/' : pathname.startsWith(href);
  return (
    <Link
      href={href}
      aria-current={current ? 'page' : undefined}
      className={`rounded px-3 py-2 text-sm font-medium ${
        current
          ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900'
          : 'text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800'
      }`}
    >
      {label}
      <LinkPending />
    </Link>
  );
}

export function Nav({ admin }: { admin: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-col gap-1">
      {LINKS.map((l) => (
        <NavLink key={l.href} {...l} pathname={pathname} />
      ))}
      {admin && (
        <>
          <p className="mt-6 px-3 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">Admin</p>
          {ADMIN_LINKS.map((l) => (
            <NavLink key={l.href} {...l} pathname={pathname} />
          ))}
        </>
      )}
    </nav>
  );
}
