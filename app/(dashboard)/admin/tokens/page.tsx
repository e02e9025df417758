import type { Metadata } from 'next';
import { adminKeys } from '@/components/admin/query-keys';
import { TokensClient } from '@/components/admin/tokens-client';
import { Prefetched } from '@/components/prefetch';
import { Forbidden } from '@/components/ui/controls';
import { requirePageActor } from '@/lib/auth/page';
import { mayManageTokens } from '@/lib/auth/permissions';
import { listTokens } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db/knex';
import { targetChoices } from '@/lib/targets/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const actor = await requirePageActor('/admin/tokens', { home: true });
  const targets = targetChoices();
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">API tokens</h1>
      {mayManageTokens(actor.role) ? (
        <Prefetched reads={[{ queryKey: adminKeys.tokens, read: async () => ({ tokens: await listTokens((await getDb()).knex) }) }]}>
          <TokensClient targets={targets} />
        </Prefetched>
      ) : (
        <Forbidden what="manage API tokens" />
      )}
    </>
  );
}
