import type { Metadata } from 'next';
import { DashboardShell } from '@/components/shell/dashboard-shell';
import { NotFoundView } from '@/components/shell/not-found-view';
import { currentActor } from '@/lib/auth/page';

export const metadata: Metadata = { title: 'Not found' };

// An address no route matches: a 404 inside the dashboard's frame for a signed-in user, a plain
// one (with the way to sign in) for anyone else.
export default async function NotFound() {
  const actor = await currentActor().catch(() => null);
  if (actor) {
    return (
      <DashboardShell actor={actor}>
        <NotFoundView signedIn />
      </DashboardShell>
    );
  }
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <NotFoundView signedIn={false} />
    </main>
  );
}
