import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { DatabaseBanner } from '@/components/ui/database-banner';
import { readAuthConfig } from '@/lib/auth/config';
import { currentActor } from '@/lib/auth/page';
import { databaseDownForRequest } from '@/lib/db/page-state';
import { safeNextPath, SIGN_IN_FAILURES, throttledMessage } from '@/lib/schemas/auth';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  // better-auth comes back here with ?error=… when single sign-on did not succeed; the form's own
  // post (before the page's scripts loaded) comes back with ?failed=<error code>.
  const failed =
    params.failed === 'too_many_requests'
      ? throttledMessage(Number(params.retry) || null)
      : typeof params.failed === 'string'
        ? Object.hasOwn(SIGN_IN_FAILURES, params.failed)
          ? SIGN_IN_FAILURES[params.failed]!
          : 'Sign-in failed; try again'
        : null;
  const ssoError = params.error ? 'Single sign-on did not sign you in: your account may not be in a group that may use Strata. Ask an admin.' : null;
  const down = await databaseDownForRequest();
  if (!down && (await currentActor().catch(() => null))) redirect(next);
  const oidc = readAuthConfig().oidc;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mb-1 text-2xl font-bold">Sign in to Strata</h1>
        <p className="mb-6 text-sm text-slate-600 dark:text-slate-400">Migrations and pgvector diagnostics for this database.</p>
        {down && (
          <div className="mb-6">
            <DatabaseBanner database={down.database} reason={down.reason} />
          </div>
        )}
        <SignInForm next={next} sso={oidc ? { name: oidc.name } : null} initialError={failed ?? ssoError} />
      </div>
    </main>
  );
}
