import 'server-only';
// Two targets' schemas side by side: every object that differs between their live catalogs, each
// marked as explained by the migrations (it differs the same way between the replays of what each
// target has applied: a migration one has and the other has not yet) or not (a change made by
// hand, or a migration whose effect differs: drift on one of them). The replays come from the
// shadow database (lib/shadow), cached while the files are unchanged; both targets are only read.
import { diffSnapshots } from '../catalog/diff';
import { managedExclusions, readSnapshot, type CatalogSnapshot } from '../catalog/snapshot';
import type { StrataConfig } from '../config';
import { databaseFailure } from '../db/failure';
import { appliedMigrations } from '../migrations/plan';
import type { SchemaChange } from '../schemas/catalog';
import type { TargetComparison } from '../schemas/targets';
import { shadowProblem } from '../shadow/explain';
import { ShadowStoppedError } from '../shadow/limits';
import { liveScope } from '../shadow/scope';
import { replaySnapshot } from '../shadow/shadow';
import { targetInfo, type Target } from './registry';
import { targetKnex } from './state';

type Side = { snapshot: CatalogSnapshot; applied: { name: string; batch: number }[]; scope: string };

async function readSide(target: Target, config: StrataConfig): Promise<Side> {
  const knex = await targetKnex(target);
  const [snapshot, applied, scope] = await Promise.all([
    readSnapshot(knex, managedExclusions(config.migrationsTable)),
    appliedMigrations(knex, config.migrationsTable),
    liveScope(knex, config),
  ]);
  return { snapshot, applied, scope };
}

/** What identifies a difference, for matching one between the live catalogs with one between the replays. */
function sameness(c: SchemaChange): string {
  return JSON.stringify([c.kind, c.name, c.change, c.details]);
}

/**
 * Compares target `a` with target `b`: the changes that would make `b`'s schema like `a`'s (so
 * with `a` = staging and `b` = production, what production lacks or has differently).
 */
export async function compareTargets(config: StrataConfig, a: Target, b: Target, options: { signal?: AbortSignal } = {}): Promise<TargetComparison> {
  const result: TargetComparison = {
    checkedAt: new Date().toISOString(),
    a: targetInfo(a),
    b: targetInfo(b),
    unreadable: null,
    onlyOnA: [],
    onlyOnB: [],
    differences: null,
    shadow: null,
    problem: null,
  };
  const sides = await Promise.allSettled([readSide(a, config), readSide(b, config)]);
  const failed = sides.map((s, i) => (s.status === 'rejected' ? { target: [a, b][i]!, err: s.reason as unknown } : null)).filter((x) => x !== null);
  if (failed.length) {
    result.unreadable = failed.map(({ target, err }) => ({ target: target.name, error: databaseFailure(err)?.reason ?? (err as Error).message }));
    return result;
  }
  const [sa, sb] = sides.map((s) => (s as PromiseFulfilledResult<Side>).value) as [Side, Side];
  const namesA = new Set(sa.applied.map((m) => m.name));
  const namesB = new Set(sb.applied.map((m) => m.name));
  result.onlyOnA = sa.applied.filter((m) => !namesB.has(m.name)).map((m) => m.name);
  result.onlyOnB = sb.applied.filter((m) => !namesA.has(m.name)).map((m) => m.name);
  const live = diffSnapshots(sb.snapshot, sa.snapshot, { concurrently: true });

  // What the migrations explain: the same comparison between the replays of what each has applied.
  let explained: Set<string> | null = null;
  const sameHistory = result.onlyOnA.length === 0 && result.onlyOnB.length === 0 && sa.applied.every((m, i) => sb.applied[i]?.name === m.name);
  if (sameHistory) {
    // The same migrations, in the same order: they explain no difference between the two.
    explained = new Set();
  } else {
    try {
      const exclusions = managedExclusions(config.migrationsTable);
      const ra = await replaySnapshot({ config, scope: sa.scope, applied: sa.applied, signal: options.signal }, exclusions);
      const rb = await replaySnapshot({ config, scope: sb.scope, applied: sb.applied, signal: options.signal }, exclusions);
      result.shadow = ra.info;
      explained = new Set(diffSnapshots(rb.snapshot, ra.snapshot, { concurrently: true }).map(sameness));
    } catch (err) {
      if (err instanceof ShadowStoppedError && err.reason === 'cancelled') throw err;
      result.problem = shadowProblem(err, config);
    }
  }
  result.differences = live.map((c) => ({ ...c, explained: explained === null ? null : explained.has(sameness(c)) }));
  return result;
}

