import 'server-only';
// Drift: the live schema against the replay of its applied migrations on a shadow. What exists only
// in the live database (an index added by hand), only in the migrations (a column dropped by hand),
// or in both but differently (a type, vector dimensions, nullability, a default, an index's method,
// operator class or options, a constraint, an extension's version), each with the SQL that makes
// the live database match the migrations. Strata's own schema and knex's tables are left out. The
// live database is only read, and only its catalog.
import type { Knex } from 'knex';
import { diffSnapshots } from '../catalog/diff';
import { managedExclusions, readSnapshot } from '../catalog/snapshot';
import type { StrataConfig } from '../config';
import type { DriftItem, DriftReport } from '../schemas/shadow';
import { shadowProblem } from '../shadow/explain';
import { ShadowStoppedError } from '../shadow/limits';
import { replaySnapshot } from '../shadow/shadow';
import { appliedMigrations } from './plan';
import { liveScope } from '../shadow/scope';
import { migrationStatus } from './status';

const WHERE = { removed: 'live_only', added: 'migrations_only', changed: 'different' } as const;

export async function checkDrift(knex: Knex, config: StrataConfig, options: { signal?: AbortSignal } = {}): Promise<DriftReport> {
  const exclusions = managedExclusions(config.migrationsTable);
  const [applied, live, statuses, scope] = await Promise.all([
    appliedMigrations(knex, config.migrationsTable),
    readSnapshot(knex, exclusions),
    migrationStatus(knex, config),
    liveScope(knex, config),
  ]);
  const report: DriftReport = {
    checkedAt: new Date().toISOString(),
    shadow: null,
    replay: null,
    drift: null,
    problem: null,
    changedFiles: statuses.filter((s) => s.status === 'changed').map((s) => s.name),
  };
  try {
    const replayed = await replaySnapshot({ config, scope, applied, signal: options.signal }, exclusions);
    report.shadow = replayed.info;
    report.replay = replayed.replay;
    // From the live catalog to the replay's: the SQL makes the live database match the migrations.
    report.drift = diffSnapshots(live, replayed.snapshot, { concurrently: true }).map((c): DriftItem => ({ ...c, where: WHERE[c.change] }));
  } catch (err) {
    if (err instanceof ShadowStoppedError && err.reason === 'cancelled') throw err;
    report.problem = shadowProblem(err, config);
  }
  return report;
}
