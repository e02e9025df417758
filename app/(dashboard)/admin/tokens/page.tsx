import type { Metadata } from 'next';
import { TokensClient } from '@/components/admin/tokens-client';
import { Forbidden } from '@/components/ui/controls';
import { requirePageActor } from '@/lib/auth/page';
import { mayManageTokens } from '@/lib/auth/permissions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const actor = await requirePageActor('/admin/tokens');
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">API tokens</h1>
      {mayManageTokens(actor.role) ? <TokensClient /> : <Forbidden what="manage API tokens" />}
    </>
  );
}
