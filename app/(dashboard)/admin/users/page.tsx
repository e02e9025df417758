import type { Metadata } from 'next';
import { UsersClient } from '@/components/admin/users-client';
import { Forbidden } from '@/components/ui/controls';
import { requirePageActor } from '@/lib/auth/page';
import { mayManageUsers } from '@/lib/auth/permissions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const actor = await requirePageActor('/admin/users');
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Users</h1>
      {mayManageUsers(actor.role) ? <UsersClient selfId={actor.id} /> : <Forbidden what="manage users" />}
    </>
  );
}
