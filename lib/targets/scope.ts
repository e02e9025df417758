import 'server-only';
// Which target a request acts on, and the connections to each target this dashboard serves.
//
// One dashboard serves every target of the targets file whose URL variable is set in its
// environment (and its own database, the home database, where users, sessions, tokens and their
// per-target roles live). An API request names its target with `?target=`; a page carries it in
// its URL the same way (the proxy passes it on as a header). Without one, a request acts on this
// dashboard's own target, as before there were several.
//
// The target of an API request is held in AsyncLocalStorage for the length of its handler, so that
// the rules that belong to a target (staging first, a recent backup, a second admin for a
// rollback) are the ones of the target the request acts on.
import { AsyncLocalStorage } from 'node:async_hooks';
import knex, { type Knex } from 'knex';
import { ApiError } from '../api/errors';
import { readConfig } from '../config';
import { getDb, getWorkDb, knexLog, type Db } from '../db/knex';
import { knexConfig } from '../db/knex-config';
import { ensureStrataSchema } from '../db/strata-schema';
import type { DbTarget } from '../db/target';
import { log } from '../log';
import { servedHere, targetsSetup, validTargetsSetup, type Target } from './registry';

export { TARGET_HEADER, TARGET_PARAM } from './param';

type Scope = { target: Target };

const holder = globalThis as {
  __strataTargetScope?: AsyncLocalStorage<Scope>;
  __strataTargetDbs?: Map<string, { db: Promise<Db>; work?: Promise<Db> }>;
};
const scope = (holder.__strataTargetScope ??= new AsyncLocalStorage<Scope>());
const pools = (holder.__strataTargetDbs ??= new Map());

/** Runs `fn` acting on `target`: the rules and connections it reaches are that target's. */
export function inTarget<T>(target: Target, fn: () => T): T {
  return scope.run({ target }, fn);
}

/** The target the current request acts on: the one it named, else this dashboard's own (null when that is not a target of the file). */
export function activeTarget(): Target | null {
  const named = scope.getStore()?.target;
  if (named) return named;
  // An invalid targets file: requests that name no target act on this dashboard's own database,
  // as they did before there was a file; the rules that need the file say what is wrong with it.
  return validTargetsSetup()?.defaultTarget ?? null;
}

/** `target` when it is one of a targets file's (roles and token scopes are per target of the file); null for the one implicit target. */
export function ofTargetsFile(target: Target | null): Target | null {
  return target && validTargetsSetup()?.file ? target : null;
}

export { servedHere };

/**
 * The target named `name`, served here; a 404 naming the targets there are when there is none of
 * that name, a 409 saying which variable is missing when this dashboard cannot reach it.
 */
export function findTarget(name: string): Target {
  const setup = targetsSetup();
  const t = setup.targets.find((x) => x.name === name);
  if (!t) {
    const names = setup.targets.map((x) => x.name).join(', ');
    throw new ApiError('not_found', `target: there is no target named "${name}"${setup.file ? ` in ${setup.file}` : ''} (targets: ${names})`);
  }
  if (!servedHere(t)) {
    throw new ApiError(
      'conflict',
      `target: ${t.label} is not served by this dashboard: ${t.urlEnv} is not set in its environment${t.dashboardUrl ? ` (its dashboard is ${t.dashboardUrl})` : ''}`,
    );
  }
  return t;
}

/** The target a request names in `?target=`, or null when it names none; throws as findTarget does. */
export function targetFromParam(value: string | null): Target | null {
  if (value === null) return null;
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(value)) throw new ApiError('bad_request', `target: "${value.slice(0, 40)}" is not a target name`);
  return findTarget(value);
}

// A target other than this dashboard's own gets a smaller pool, whose idle connections close after a minute.
function smallPool(c: Knex.Config): Knex.Config {
  return { ...c, pool: { ...c.pool, min: 0, max: 4, idleTimeoutMillis: 60_000 }, log: knexLog };
}

function externalPool(url: string): { db: Promise<Db>; work?: Promise<Db> } {
  let entry = pools.get(url);
  if (!entry) {
    const target: DbTarget = { kind: 'external', url };
    const db = (async (): Promise<Db> => {
      // Idle connections close on their own (the pool keeps none); the instance stays, cheap.
      const k = knex(smallPool(knexConfig(target, readConfig())));
      try {
        // Runs, their steps and their audit rows are written on the target they change.
        await ensureStrataSchema(k);
      } catch (err) {
        pools.delete(url);
        await k.destroy().catch(() => undefined);
        throw err;
      }
      return { knex: k, target };
    })();
    entry = { db };
    pools.set(url, entry);
  }
  return entry;
}

/** The connection to `target` for requests (bounded reads): this dashboard's own, or a pool opened on first use. */
export async function targetDb(target: Target | null): Promise<Db> {
  if (!target || target.current) return named(target, await getDb());
  return named(target, await externalPool(urlOf(target)).db);
}

/** A target's URL; never another database in its place. */
function urlOf(target: Target): string {
  if (!target.url) throw new ApiError('conflict', `${target.label} is not served by this dashboard: ${target.urlEnv} is not set in its environment`);
  return target.url;
}

/** The connection with the target's name on it, when there is a targets file (audit rows carry it). */
function named(target: Target | null, db: Db): Db {
  return ofTargetsFile(target) ? { ...db, targetName: target!.name } : db;
}

/** The connection to `target` for work that takes minutes (plans, rebuilds): without the read bounds. */
export async function targetWorkDb(target: Target | null): Promise<Db> {
  if (!target || target.current) return named(target, await getWorkDb());
  const entry = externalPool(urlOf(target));
  entry.work ??= (async () => {
    const { target: t } = await entry.db;
    return { knex: knex(smallPool(knexConfig(t, readConfig(), { readTimeouts: false }))), target: t };
  })();
  return named(target, await entry.work);
}

/** The connection for work that takes minutes on the current request's target. */
export function requestWorkDb(): Promise<Db> {
  return targetWorkDb(activeTarget());
}

/** Closes the pools opened for other targets (a clean shutdown; tests). */
export async function closeTargetDbs(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  for (const e of all) {
    for (const p of [e.work, e.db]) {
      const db = await p?.catch(() => null);
      await db?.knex.destroy().catch((err: unknown) => log.debug({ err }, 'closing a target pool'));
    }
  }
}

/**
 * The labels of the named targets (for roles and token scopes); a 400 naming the first that is
 * not a target of the file. Targets need not be served here to be named: a role may be set ahead.
 */
export function targetLabels(names: string[], field: string): Map<string, string> {
  const setup = targetsSetup();
  const labels = new Map(setup.targets.map((t) => [t.name, t.label]));
  for (const n of names) {
    if (!setup.file) throw new ApiError('bad_request', `${field}: there is no targets file, so there are no targets to name`);
    if (!labels.has(n)) throw new ApiError('bad_request', `${field}: "${n}" is not a target of ${setup.file} (targets: ${[...labels.keys()].join(', ')})`);
  }
  return labels;
}
