import type { Metadata } from 'next';
import { ChangePassword } from '@/components/account/change-password';
import { Card, Facts } from '@/components/ui/card';
import { requirePageActor } from '@/lib/auth/page';
import { hasPassword } from '@/lib/auth/passwords';
import { embeddedBusy } from '@/lib/db/embedded-busy';
import { getDb } from '@/lib/db/knex';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account' };

/** Whether to offer the password form: not to a user who signs in only with SSO. */
async function offersPassword(userId: string): Promise<boolean> {
  const db = await getDb();
  // While a run holds the embedded database, the form is offered; the API answers once it ends.
  if (embeddedBusy(db.target)) return true;
  try {
    return await hasPassword(db.knex, userId);
  } catch {
    return true;
  }
}

export default async function AccountPage() {
  const actor = await requirePageActor('/account', { home: true });
  const password = await offersPassword(actor.id);
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Account</h1>
      <div className="flex max-w-xl flex-col gap-6">
        <Card title="Signed in as">
          <Facts rows={[['Email', <span key="email" className="break-all">{actor.label}</span>], ['Role', actor.role]]} />
        </Card>
        {password ? (
          <ChangePassword />
        ) : (
          <Card title="Password">
            <p className="text-sm">You sign in with SSO: your password is kept by your identity provider, not by Strata.</p>
          </Card>
        )}
      </div>
    </>
  );
}
