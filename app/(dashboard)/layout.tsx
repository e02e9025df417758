import type { ReactNode } from 'react';
import { DatabaseBanner } from '@/components/ui/database-banner';
import { Nav } from '@/components/shell/nav';
import { UserBox } from '@/components/shell/user-box';
import { requirePageActor } from '@/lib/auth/page';
import { mayManageUsers } from '@/lib/auth/permissions';
import { databaseFailure } from '@/lib/db/failure';
import { databaseDownForRequest, withLabel, type DatabaseProblem } from '@/lib/db/page-state';
import type { Actor } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The proxy found the database down (the response is a 503), or it went away since: the shell
  // and a banner, not the page, which would only fail.
  let problem: DatabaseProblem | null = await databaseDownForRequest();
  let actor: Actor | null = null;
  if (!problem) {
    try {
      actor = await requirePageActor('/');
    } catch (err) {
      const failure = databaseFailure(err);
      if (!failure) throw err;
      problem = withLabel(failure);
    }
  }
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-56 shrink-0 flex-col border-r border-slate-200 p-4 dark:border-slate-800">
        <p className="mb-6 px-3 text-lg font-bold tracking-tight">Strata</p>
        <Nav admin={actor ? mayManageUsers(actor.role) : false} />
        {actor && <UserBox email={actor.label} role={actor.role} />}
      </aside>
      <main className="flex-1 p-8">{problem ? <DatabaseBanner database={problem.database} reason={problem.reason} /> : children}</main>
    </div>
  );
}
