import 'server-only';
// The targets of the targets file (lib/targets/config.ts) as this dashboard sees them: which one
// it manages (its own database, where its runs go), and where each of the others is. Without a
// file there is one target, this dashboard's database, and no rule applies.
import { homeDatabaseUrl, readTargetsFile, TargetsFileError, type TargetSpec } from './config';
import type { TargetInfo } from '../schemas/targets';

export type Target = TargetSpec & {
  index: number;
  current: boolean;
  /** The URL from its variable; null when the variable is unset (or for the current target, which uses this dashboard's connection). */
  url: string | null;
};

/**
 * `current`: the target that is this dashboard's own (home) database, if one is. `defaultTarget`:
 * the one a request that names none acts on: the current one, else the first this dashboard can
 * reach (the home database is then Strata's alone: STRATA_HOME_DATABASE_URL).
 */
export type TargetsSetup = { file: string | null; targets: Target[]; current: Target | null; defaultTarget: Target | null };

const IMPLICIT: TargetSpec = { name: 'default', label: 'This database', color: '#475569', urlEnv: 'DATABASE_URL', protected: false };

let cache: { key: string; setup: TargetsSetup } | null = null;

function sameDatabase(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname && decodeURIComponent(x.username) === decodeURIComponent(y.username);
  } catch {
    return a === b;
  }
}

/**
 * The targets, in promotion order, and the one this dashboard manages: the one `STRATA_TARGET`
 * names, else the one whose variable is DATABASE_URL, else the one whose URL is DATABASE_URL's.
 * Throws TargetsFileError when the file is invalid or names no target for this dashboard.
 */
export function targetsSetup(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): TargetsSetup {
  const read = readTargetsFile(env, cwd);
  const key = JSON.stringify([read?.file ?? null, read?.targets ?? null, env.STRATA_TARGET ?? null, env.DATABASE_URL ?? null, env.STRATA_HOME_DATABASE_URL ?? null, ...(read?.targets.map((t) => env[t.urlEnv] ?? null) ?? [])]);
  if (cache?.key === key) return cache.setup;
  let setup: TargetsSetup;
  if (!read) {
    const only: Target = { ...IMPLICIT, index: 0, current: true, url: null };
    setup = { file: null, targets: [only], current: only, defaultTarget: only };
  } else {
    const wanted = env.STRATA_TARGET?.trim();
    const home = homeDatabaseUrl(env, cwd);
    let currentIndex = -1;
    if (wanted) {
      currentIndex = read.targets.findIndex((t) => t.name === wanted);
      if (currentIndex < 0) throw new TargetsFileError(`STRATA_TARGET is "${wanted}", which is not a target of ${read.file} (${read.targets.map((t) => t.name).join(', ')})`);
      // The named target is served through the home connection: its own URL, when set, must be that database.
      const named = read.targets[currentIndex]!;
      const own = env[named.urlEnv]?.trim();
      if (own && home && !sameDatabase(own, home)) {
        throw new TargetsFileError(
          `STRATA_TARGET is "${wanted}", but ${named.urlEnv} names another database than the home one (${env.STRATA_HOME_DATABASE_URL?.trim() ? 'STRATA_HOME_DATABASE_URL' : 'DATABASE_URL'}): requests on ${named.label} would change the wrong database. Unset STRATA_TARGET, or make the two the same.`,
        );
      }
    } else {
      // The target whose database is the home one: by its variable, else by its URL.
      if (!env.STRATA_HOME_DATABASE_URL?.trim()) currentIndex = read.targets.findIndex((t) => t.urlEnv === 'DATABASE_URL');
      if (currentIndex < 0 && home) currentIndex = read.targets.findIndex((t) => !!env[t.urlEnv] && sameDatabase(env[t.urlEnv]!, home));
    }
    const targets = read.targets.map((t, index): Target => ({
      ...t,
      index,
      current: index === currentIndex,
      url: index === currentIndex ? null : env[t.urlEnv]?.trim() || null,
    }));
    const current = currentIndex >= 0 ? targets[currentIndex]! : null;
    setup = { file: read.file, targets, current, defaultTarget: current ?? targets.find((t) => !!t.url) ?? null };
  }
  cache = { key, setup };
  return setup;
}

/**
 * The setup, or null when the targets file is invalid: for what works on without it (requests that
 * name no target act on the home database; the layout and GET /api/targets say what is wrong).
 */
export function validTargetsSetup(): TargetsSetup | null {
  try {
    return targetsSetup();
  } catch (err) {
    if (err instanceof TargetsFileError) return null;
    throw err;
  }
}

/** Whether this dashboard can connect to `t`: its own target, or one whose URL variable is set here. */
export function servedHere(t: Target): boolean {
  return t.current || !!t.url;
}

export function targetInfo(t: Target): TargetInfo {
  return { name: t.name, label: t.label, color: t.color, protected: t.protected, current: t.current, served: servedHere(t), urlEnv: t.urlEnv, dashboardUrl: t.dashboardUrl ?? null };
}

/** The target before `t` in the promotion order, if any. */
export function previousTarget(setup: TargetsSetup, t: Target): Target | null {
  return t.index > 0 ? (setup.targets[t.index - 1] ?? null) : null;
}
