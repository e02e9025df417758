// The frame of every signed-in page: the sidebar (navigation, who is signed in, sign-out) and the
// page beside it. `min-w-0` lets the page be narrower than its widest table, which then scrolls in
// its own container instead of the whole page scrolling sideways.
import type { ReactNode } from 'react';
import { mayManageUsers } from '@/lib/auth/permissions';
import type { Actor, Role } from '@/lib/schemas/auth';
import { Nav } from './nav';
import { Sidebar } from './sidebar';
import { TargetBar, type BarTarget } from './target-bar';
import { UserBox } from './user-box';

/** The targets of the file, for the strip on every page: `home` is this dashboard's own (null when it is none of them). */
export type ShellTarget = { targets: BarTarget[]; home: string | null; pageLabel: string | null };

/**
 * `actor` is null when the database is down and nobody could be signed in: the frame, no user.
 * `actor.role` is their role on the page's target; `ownRole` their own (users, tokens), when it differs.
 */
export function DashboardShell({ actor, ownRole = null, target = null, children }: { actor: Actor | null; ownRole?: Role | null; target?: ShellTarget | null; children: ReactNode }) {
  const admin = !!actor && (mayManageUsers(actor.role) || (ownRole !== null && mayManageUsers(ownRole)));
  const roleText = actor ? (ownRole && ownRole !== actor.role && target?.pageLabel ? `${actor.role} on ${target.pageLabel} (own role: ${ownRole})` : actor.role) : '';
  return (
    <div className="min-h-screen md:flex">
      <Sidebar>
        <Nav admin={admin} />
        {actor && <UserBox email={actor.label} role={roleText} />}
      </Sidebar>
      <main className="min-w-0 flex-1 p-4 md:p-8">
        {target && <TargetBar targets={target.targets} home={target.home} />}
        {children}
      </main>
    </div>
  );
}
