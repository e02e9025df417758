import 'server-only';
// The guard for pages (server components). Each page calls it itself, as each route handler
// calls authorize(): the proxy's redirect is a convenience, never the only check.
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { embeddedBusy } from '../db/embedded-busy';
import { DatabaseDownError } from '../db/failure';
import { getDb } from '../db/knex';
import { databaseDownForRequest } from '../db/page-state';
import type { Actor } from '../schemas/auth';
import { authenticate } from './actor';
import { getAuth } from './auth';
import { readAuthConfig } from './config';
import { credentialKey, recentCredential, rememberCredential } from './recent-credentials';
import { pageTarget, PageTargetError } from '../targets/page';
import { validTargetsSetup, type Target } from '../targets/registry';
import { actorOnTarget } from './target-roles';
import { ofTargetsFile } from '../targets/scope';

/**
 * The signed-in user for this request with their own role, or null; computed once per request.
 * When the proxy found the database down for this request, it fails at once instead of waiting on
 * it again: the layout shows the banner, and the page (rendered beside it) must not hold the
 * answer up.
 */
const signedIn = cache(async (): Promise<Actor | null> => {
  const down = await databaseDownForRequest();
  if (down) throw new DatabaseDownError(down);
  const db = await getDb();
  const config = readAuthConfig();
  const h = new Headers(await headers());
  // Pages are reached with the browser's cookie only; a bearer token is for the API.
  h.delete('authorization');
  const key = credentialKey(h);
  // While a run or a job holds the embedded database, the sign-in checked in the last minute
  // stands (lib/auth/recent-credentials.ts), so that the pages can say what is going on.
  if (embeddedBusy(db.target)) return recentCredential(key)?.actor ?? null;
  const found = await authenticate(db.knex, await getAuth(db, config), config, h);
  if (found) rememberCredential(key, found);
  return found?.actor ?? null;
});

/**
 * The signed-in user with the role they hold on the page's target (an unknown target: the layout
 * says so and shows no page, and their own role stands). While the embedded database is busy, the
 * role last read for that target, else their own.
 */
export const currentActor = cache(async (): Promise<Actor | null> => {
  const actor = await signedIn();
  if (!actor) return null;
  let target: Target | null = null;
  try {
    target = await pageTarget();
  } catch (err) {
    if (!(err instanceof PageTargetError)) throw err;
  }
  const db = await getDb();
  const h = new Headers(await headers());
  h.delete('authorization');
  const credential = credentialKey(h);
  // The same key as the API's (lib/auth/guard.ts): a page and its reads prime each other.
  const key = credential && `${credential}:${target?.name ?? ''}`;
  if (embeddedBusy(db.target)) {
    const recent = recentCredential(key)?.actor;
    if (recent) return recent;
    // Without a targets file a role is the same everywhere; with one, the role on this target is
    // not known while the database is busy, and the page shows no more than a viewer may do.
    return validTargetsSetup()?.file ? { ...actor, role: 'viewer' } : actor;
  }
  const onTarget = await actorOnTarget(db.knex, actor, ofTargetsFile(target));
  rememberCredential(key, { actor: onTarget, via: 'session' });
  return onTarget;
});

/**
 * The signed-in user, or a redirect to the sign-in page that comes back to `path`. Their role on
 * the page's target; with `home`, their own (the pages that manage the dashboard: users, tokens).
 */
export async function requirePageActor(path: string, options: { home?: boolean } = {}): Promise<Actor> {
  const actor = options.home ? await signedIn() : await currentActor();
  if (!actor) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  return actor;
}

/** The signed-in user with their own role (null when nobody is), for what manages the dashboard itself. */
export const ownActor = signedIn;
