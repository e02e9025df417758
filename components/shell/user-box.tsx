// Who is signed in, their account page, and sign-out: a plain form post, so that it works before scripts load.
import Link from '@/components/ui/target-link';

const BUTTON = 'rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-200 dark:border-slate-700 dark:hover:bg-slate-800';

export function UserBox({ email, role }: { email: string; role: string }) {
  return (
    <div className="mt-auto border-t border-slate-200 px-3 pt-4 text-sm dark:border-slate-800">
      <p className="truncate font-medium" data-testid="signed-in-email" title={email}>
        {email}
      </p>
      <p className="text-slate-600 dark:text-slate-400" data-testid="signed-in-role">
        {role}
      </p>
      <div className="mt-2 flex flex-wrap gap-2">
        <Link href="/account" className={BUTTON}>
          Account
        </Link>
        <form method="post" action="/api/auth/sign-out">
          <button type="submit" className={BUTTON}>
            Sign out
          </button>
        </form>
      </div>
    </div>
  );
}
