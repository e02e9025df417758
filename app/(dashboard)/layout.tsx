import type { ReactNode } from 'react';
import { Nav } from '@/components/shell/nav';
import { UserBox } from '@/components/shell/user-box';
import { requirePageActor } from '@/lib/auth/page';
import { mayManageUsers } from '@/lib/auth/permissions';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor('/');
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-56 shrink-0 flex-col border-r border-slate-200 p-4 dark:border-slate-800">
        <p className="mb-6 px-3 text-lg font-bold tracking-tight">Strata</p>
        <Nav admin={mayManageUsers(actor.role)} />
        <UserBox email={actor.label} role={actor.role} />
      </aside>
      <main className="flex-1 p-8">{children}</main>
    </div>
  );
}
