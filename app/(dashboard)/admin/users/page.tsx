import type { Metadata } from 'next';
import { adminKeys } from '@/components/admin/query-keys';
import { UsersClient } from '@/components/admin/users-client';
import { Prefetched } from '@/components/prefetch';
import { Forbidden } from '@/components/ui/controls';
import { requirePageActor } from '@/lib/auth/page';
import { mayManageUsers } from '@/lib/auth/permissions';
import { listUsers } from '@/lib/auth/users';
import { getDb } from '@/lib/db/knex';
import { targetChoices } from '@/lib/targets/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const actor = await requirePageActor('/admin/users', { home: true });
  const targets = targetChoices();
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Users</h1>
      {mayManageUsers(actor.role) ? (
        <Prefetched reads={[{ queryKey: adminKeys.users, read: async () => ({ users: await listUsers((await getDb()).knex) }) }]}>
          <UsersClient selfId={actor.id} targets={targets} />
        </Prefetched>
      ) : (
        <Forbidden what="manage users" />
      )}
    </>
  );
}
