import { OverviewView } from '@/components/overview/overview-view';
import { DbError } from '@/components/ui/db-error';
import { getOverview, type Overview } from '@/lib/diagnostics/overview';
import { busyMessage, embeddedBusy } from '@/lib/db/embedded-busy';
import { hasTargetsFile, pageDb, pageUrlSource } from '@/lib/targets/page';
import { log } from '@/lib/log';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  await requirePageActor('/');
  let overview: Overview | null = null;
  const db = await pageDb();
  const busy = embeddedBusy(db.target);
  if (!busy) {
    try {
      overview = await getOverview(db);
    } catch (err) {
      log.error({ err }, 'overview failed');
    }
  }
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Overview</h1>
      {overview ? <OverviewView overview={overview} source={await pageUrlSource()} targets={hasTargetsFile()} /> : <DbError what="the overview" busy={busy && busyMessage(busy)} />}
    </>
  );
}
