'use client';
// A dot beside a link's text while the page it leads to is on its way: the loading state of a
// navigation, for pages that render their first data on the server.
import { useLinkStatus } from 'next/link';

export function LinkPending() {
  const { pending } = useLinkStatus();
  return (
    <span
      aria-hidden="true"
      data-testid="link-pending"
      className={`ml-2 inline-block size-2 rounded-full bg-current align-middle ${pending ? 'opacity-70 motion-safe:animate-pulse' : 'opacity-0'}`}
    />
  );
}
