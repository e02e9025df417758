// The frame of every signed-in page: the sidebar (navigation, who is signed in, sign-out) and the
// page beside it. `min-w-0` lets the page be narrower than its widest table, which then scrolls in
// its own container instead of the whole page scrolling sideways.
import type { ReactNode } from 'react';
import { mayManageUsers } from '@/lib/auth/permissions';
import type { Actor } from '@/lib/schemas/auth';
import { Nav } from './nav';
import { Sidebar } from './sidebar';
import { TargetSwitcher, type SwitchTarget } from './target-switcher';
import { UserBox } from './user-box';

export type ShellTarget = { label: string; color: string; protected: boolean; others: SwitchTarget[] };

/** Which database of the targets file this dashboard manages: a strip on every page, unmissable when protected. */
function TargetBar({ target }: { target: ShellTarget }) {
  return target.protected ? (
    <div data-testid="target-bar" className="mb-4 flex flex-wrap items-center justify-between gap-2 rounded px-3 py-2 text-white" style={{ background: target.color }}>
      <p className="text-sm font-semibold">
        {target.label} · protected: runs here follow the promotion order, and every rollback is typed
      </p>
      <TargetSwitcher others={target.others} />
    </div>
  ) : (
    <div data-testid="target-bar" className="mb-4 flex flex-wrap items-center justify-between gap-2 border-l-4 pl-3 text-slate-700 dark:text-slate-300" style={{ borderColor: target.color }}>
      <p className="text-sm">
        {target.label}
      </p>
      <TargetSwitcher others={target.others} />
    </div>
  );
}

/** `actor` is null when the database is down and nobody could be signed in: the frame, no user. */
export function DashboardShell({ actor, target = null, children }: { actor: Actor | null; target?: ShellTarget | null; children: ReactNode }) {
  return (
    <div className="min-h-screen md:flex">
      <Sidebar>
        <Nav admin={actor ? mayManageUsers(actor.role) : false} />
        {actor && <UserBox email={actor.label} role={actor.role} />}
      </Sidebar>
      <main className="min-w-0 flex-1 p-4 md:p-8">
        {target && <TargetBar target={target} />}
        {children}
      </main>
    </div>
  );
}
