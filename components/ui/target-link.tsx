'use client';
// next/link that keeps the page's target: every link of a page on `?target=staging` leads to
// staging's pages, so that a link never quietly moves an operator to another database.
import NextLink from 'next/link';
import { useSearchParams } from 'next/navigation';
import type { ComponentProps } from 'react';
import { hrefForTarget, TARGET_PARAM } from '@/lib/targets/param';

/** The page's target (its `?target=`), or null on this dashboard's own. */
export function useTargetParam(): string | null {
  return useSearchParams().get(TARGET_PARAM);
}

/** `href` on the page's target, unless it names one itself. */
export function useTargetHref(): (href: string) => string {
  const target = useTargetParam();
  return (href) => (target && !new URL(href, 'http://strata.invalid').searchParams.has(TARGET_PARAM) ? hrefForTarget(href, target) : href);
}

export default function Link(props: ComponentProps<typeof NextLink>) {
  const onTarget = useTargetHref();
  const href = typeof props.href === 'string' ? onTarget(props.href) : props.href;
  return <NextLink {...props} href={href} />;
}
