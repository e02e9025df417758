import 'server-only';
// A page's target: the one its URL names (`?target=`, passed on by the proxy as a header), else
// this dashboard's own. Pages read their target's database; the layout shows which it is.
import { headers } from 'next/headers';
import { cache } from 'react';
import type { Db } from '../db/knex';
import { TARGET_HEADER } from './param';
import { validTargetsSetup, type Target } from './registry';
import { targetDb, targetFromParam } from './scope';

/** A page URL that names a target this dashboard does not know or cannot reach. */
export class PageTargetError extends Error {
  override name = 'PageTargetError';
}

/** The target name the page's URL gives, or null. */
export const pageTargetName = cache(async (): Promise<string | null> => (await headers()).get(TARGET_HEADER));

/** The page's target (null when this dashboard's own database is not one of the file's); throws PageTargetError. */
export const pageTarget = cache(async (): Promise<Target | null> => {
  const name = await pageTargetName();
  if (name === null) {
    // An invalid targets file is said by the layout; the pages of this dashboard's own database still work.
    return validTargetsSetup()?.defaultTarget ?? null;
  }
  try {
    return targetFromParam(name);
  } catch (err) {
    throw new PageTargetError((err as Error).message.replace(/^target: /, ''));
  }
});

/**
 * Where the page's database URL comes from, for an external one: the target's variable, or for
 * the home database the variable that named it.
 */
export async function pageUrlSource(): Promise<string> {
  const t = await pageTarget().catch(() => null);
  if (t && !t.current) return t.urlEnv;
  if (process.env.STRATA_HOME_DATABASE_URL?.trim()) return 'STRATA_HOME_DATABASE_URL';
  if (process.env.DATABASE_URL?.trim()) return 'DATABASE_URL';
  return t?.urlEnv ?? 'DATABASE_URL';
}

/**
 * The targets of the file, by name and label, for the pages that set roles and token scopes on
 * them; none without a (valid) file (the layout says what is wrong with an invalid one).
 */
export function targetChoices(): { name: string; label: string }[] {
  const setup = validTargetsSetup();
  return setup?.file ? setup.targets.map((t) => ({ name: t.name, label: t.label })) : [];
}

/** Whether there is a (valid) targets file. */
export function hasTargetsFile(): boolean {
  return !!validTargetsSetup()?.file;
}

/** The database of the page's target. */
export async function pageDb(): Promise<Db> {
  return targetDb(await pageTarget());
}
