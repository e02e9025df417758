import type { ReactNode } from 'react';
import { DashboardShell } from '@/components/shell/dashboard-shell';
import { DatabaseBanner } from '@/components/ui/database-banner';
import { requirePageActor } from '@/lib/auth/page';
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
  return <DashboardShell actor={actor}>{problem ? <DatabaseBanner database={problem.database} reason={problem.reason} /> : children}</DashboardShell>;
}
