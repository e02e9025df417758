import type { ReactNode } from 'react';
import { DashboardShell } from '@/components/shell/dashboard-shell';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor('/');
  return <DashboardShell actor={actor}>{children}</DashboardShell>;
}
