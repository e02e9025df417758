import 'server-only';
// The guide's rule "test both migration and rollback", checked: migrations taken through up → down →
// up on a shadow, comparing catalog snapshots. For the pending migrations (on the replay of what the
// live database has applied), for every file (from an empty shadow), or for a range of files (on
// the files before it). The live database is only read, and only for "pending".
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { StrataConfig } from '../config';
import type { RoundTripReport, VerifyBody } from '../schemas/shadow';
import { shadowProblem } from '../shadow/explain';
import { ShadowStoppedError } from '../shadow/limits';
import type { AppliedMigration } from '../shadow/replay';
import { listMigrations } from './execute';
import { appliedMigrations } from './plan';
import { liveScope } from '../shadow/scope';
import { walkUp } from './shadow-walk';
import { StrataMigrationSource } from './source';

type Selection = { names: string[]; applied: AppliedMigration[]; scope: string };

async function select(knex: Knex | null, config: StrataConfig, body: VerifyBody): Promise<Selection> {
  const files = (await new StrataMigrationSource(config.migrationsDir).getMigrations()).map((f) => f.file);
  const files1 = (names: string[]) => names.map((name) => ({ name, batch: 1 }));
  if (body.scope === 'all') return { names: files, applied: [], scope: `files|${config.migrationsDir}` };
  if (body.scope === 'range') {
    const from = body.from ? files.indexOf(body.from) : 0;
    const to = body.to ? files.indexOf(body.to) : files.length - 1;
    if (from === -1) throw new ApiError('bad_request', `from: no migration file is named ${body.from}`);
    if (to === -1) throw new ApiError('bad_request', `to: no migration file is named ${body.to}`);
    if (to < from) throw new ApiError('bad_request', 'to: comes before from');
    return { names: files.slice(from, to + 1), applied: files1(files.slice(0, from)), scope: `files|${config.migrationsDir}` };
  }
  if (!knex) throw new Error('Verifying the pending migrations needs the database they are pending on.');
  const { pending } = await listMigrations(knex, config);
  return { names: pending.map((f) => f.file), applied: await appliedMigrations(knex, config.migrationsTable), scope: await liveScope(knex, config) };
}

/** Takes the chosen migrations through up → down → up on a shadow and reports what it found. */
export async function verifyMigrations(knex: Knex | null, config: StrataConfig, body: VerifyBody, options: { signal?: AbortSignal } = {}): Promise<RoundTripReport> {
  const { names, applied, scope } = await select(knex, config, body);
  const report: RoundTripReport = { shadow: null, replay: null, checked: [], notChecked: [], findings: [], problem: null };
  if (!names.length) return report;
  try {
    const walk = await walkUp({ config, scope, applied, signal: options.signal }, names, { roundTrip: true });
    Object.assign(report, { shadow: walk.shadow, replay: walk.replay, checked: walk.checked, findings: walk.findings });
  } catch (err) {
    if (err instanceof ShadowStoppedError && err.reason === 'cancelled') throw err;
    report.problem = shadowProblem(err, config);
  }
  report.notChecked = names.filter((n) => !report.checked.includes(n) && !report.findings.some((f) => f.migration === n));
  return report;
}
