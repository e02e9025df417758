// The frame of every signed-in page: the sidebar (navigation, who is signed in, sign-out) and the
// page beside it. `min-w-0` lets the page be narrower than its widest table, which then scrolls in
// its own container instead of the whole page scrolling sideways.
import type { ReactNode } from 'react';
import { mayManageUsers } from '@/lib/auth/permissions';
import type { Actor } from '@/lib/schemas/auth';
import { Nav } from './nav';
import { Sidebar } from './sidebar';
import { UserBox } from './user-box';

/** `actor` is null when the database is down and nobody could be signed in: the frame, no user. */
export function DashboardShell({ actor, children }: { actor: Actor | null; children: ReactNode }) {
  return (
    <div className="min-h-screen md:flex">
      <Sidebar>
        <Nav admin={actor ? mayManageUsers(actor.role) : false} />
        {actor && <UserBox email={actor.label} role={actor.role} />}
      </Sidebar>
      <main className="min-w-0 flex-1 p-4 md:p-8">{children}</main>
    </div>
  );
}
