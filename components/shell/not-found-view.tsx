'use client';
// What a 404 says: which address has nothing, and the ways back (the area the address belongs
// to, and the overview), inside the dashboard's frame when someone is signed in.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { ADMIN_LINKS, LINKS } from './nav';

export function NotFoundView({ signedIn }: { signedIn: boolean }) {
  const pathname = usePathname();
  const area = [...LINKS, ...ADMIN_LINKS].find((l) => l.href !== '/' && pathname.startsWith(`${l.href}/`));
  return (
    <div className="max-w-2xl space-y-4">
      <h1 className="text-2xl font-bold">Not found</h1>
      <p className="text-sm">
        There is nothing at <code className="break-all">{pathname}</code>. It may have been deleted, or the address may be mistyped.
      </p>
      <ul className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        {signedIn && area && (
          <li>
            <Link href={area.href} className="font-medium text-sky-700 underline dark:text-sky-400">
              Back to {area.label}
            </Link>
          </li>
        )}
        <li>
          <Link href={signedIn ? '/' : '/sign-in'} className="font-medium text-sky-700 underline dark:text-sky-400">
            {signedIn ? 'Go to the overview' : 'Sign in'}
          </Link>
        </li>
      </ul>
    </div>
  );
}
