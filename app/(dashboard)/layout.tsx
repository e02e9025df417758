import type { ReactNode } from 'react';
import { TargetQueries } from '@/components/target-queries';
import { DashboardShell, type ShellTarget } from '@/components/shell/dashboard-shell';
import { Notice } from '@/components/ui/card';
import { DatabaseBanner } from '@/components/ui/database-banner';
import { ownActor, requirePageActor } from '@/lib/auth/page';
import { busyMessage, embeddedBusy } from '@/lib/db/embedded-busy';
import { databaseFailure } from '@/lib/db/failure';
import { getDb } from '@/lib/db/knex';
import { databaseDownForRequest, withLabel, type DatabaseProblem } from '@/lib/db/page-state';
import type { Actor } from '@/lib/schemas/auth';
import { pageTarget, PageTargetError } from '@/lib/targets/page';
import { targetsSetup } from '@/lib/targets/registry';
import { servedHere, targetDb } from '@/lib/targets/scope';
import { describeTarget } from '@/lib/db/target';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The proxy found the database down (the response is a 503), or it went away since: the shell
  // and a banner, not the page, which would only fail.
  let problem: DatabaseProblem | null = await databaseDownForRequest();
  let actor: Actor | null = null;
  let own: Actor | null = null;
  if (!problem) {
    try {
      actor = await requirePageActor('/');
      own = await ownActor();
    } catch (err) {
      const failure = databaseFailure(err);
      if (!failure) throw err;
      problem = withLabel(failure);
    }
  }
  // A run or a job of this process holds the embedded database's only connection: pages answer at
  // once with what they can, and their reads come back when it ends (components/query-client.ts).
  const busy = problem ? null : embeddedBusy((await getDb()).target);
  // With a targets file: which of its databases this is (a strip on every page).
  let target: ShellTarget | null = null;
  let targetsProblem: string | null = null;
  let pageProblem = false;
  try {
    const setup = targetsSetup();
    // The page's own target (its `?target=`, else this dashboard's); an unknown one is said instead of the page.
    if (setup.file) {
      target = {
        targets: setup.targets.map((t) => ({ name: t.name, label: t.label, color: t.color, protected: t.protected, served: servedHere(t), dashboardUrl: t.dashboardUrl ?? null })),
        home: setup.defaultTarget?.name ?? null,
        pageLabel: null,
      };
    }
    const here = await pageTarget();
    if (target) target.pageLabel = here?.label ?? null;
  } catch (err) {
    targetsProblem = (err as Error).message;
    pageProblem = err instanceof PageTargetError;
  }
  // A page of another target than the home one, whose database does not answer: the banner names it.
  if (!problem && !pageProblem) {
    const here = await pageTarget().catch(() => null);
    if (here && !here.current && here.url) {
      try {
        await (await targetDb(here)).knex.raw('SELECT 1');
      } catch (err) {
        const failure = databaseFailure(err);
        if (!failure) throw err;
        const where = describeTarget({ kind: 'external', url: here.url });
        problem = { ...failure, database: `of ${here.label} (${where.host}/${where.database}, from ${here.urlEnv})` };
      }
    }
  }
  return (
    <TargetQueries>
      <DashboardShell actor={actor} ownRole={own?.role ?? null} target={target}>
        {problem ? (
          <DatabaseBanner database={problem.database} reason={problem.reason} />
        ) : (
          <>
            {targetsProblem && (
              <div className="mb-4 whitespace-pre-wrap">
                <Notice tone="error">{targetsProblem}</Notice>
              </div>
            )}
            {busy && (
              <div className="mb-4" data-testid="busy-banner">
                <Notice tone="info">
                  When this page was loaded: {busyMessage(busy)} What a page reads from the database appears once it has ended.
                </Notice>
              </div>
            )}
            {/* A page of a target this dashboard cannot name or reach would show another database's data. */}
            {!pageProblem && children}
          </>
        )}
      </DashboardShell>
    </TargetQueries>
  );
}
