import 'server-only';
// The plan behind the confirmation. Two previews, each for what it does best: a dry run on the live
// database, inside a transaction that is always rolled back, for the migrations that can run in one
// (what only live data can tell: rows touched, a statement that fails on the data); and a run of
// every migration on a shadow holding the replay of the applied ones, transactional or not, for the
// statements and the schema effect of each (catalog snapshots before and after it). Then the review
// of everything that ran, what will be destroyed with live row counts, and going up, the round trip
// of each pending migration. Each migration says how it was previewed.
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { StrataConfig } from '../config';
import type { Plan, RunError } from '../schemas/migrations';
import type { ShadowProblem } from '../schemas/shadow';
import { shadowProblem } from '../shadow/explain';
import { ShadowStoppedError } from '../shadow/limits';
import type { AppliedMigration } from '../shadow/replay';
import { liveScope } from '../shadow/scope';
import { liveDryRun } from './dry-run';
import { lastBatch, listMigrations } from './execute';
import { fileFacts, type FileFacts } from './files';
import { review } from './lint';
import { planMigrations, reviewInputs } from './plan-migrations';
import { walkDown, walkUp, type Walk } from './shadow-walk';
import { StrataMigrationSource, type MigrationFile } from './source';

export class MissingFilesError extends ApiError {
  constructor(names: string[]) {
    super('conflict', `knex refuses to migrate: ${names.length} applied migration(s) have no file on disk (${names.join(', ')}). Restore the files first.`, { missing: names });
  }
}

/** The migration files of `names`, in that order; throws when a name has no file. */
export async function filesFor(config: StrataConfig, names: string[]): Promise<MigrationFile[]> {
  const all = await new StrataMigrationSource(config.migrationsDir).getMigrations();
  const byName = new Map(all.map((f) => [f.file, f]));
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) throw new MissingFilesError(missing);
  return names.map((n) => byName.get(n)!);
}

export async function missingFiles(knex: Knex, config: StrataConfig): Promise<string[]> {
  if (!(await knex.schema.hasTable(config.migrationsTable))) return [];
  const applied: string[] = await knex(config.migrationsTable).pluck('name');
  const onDisk = new Set((await new StrataMigrationSource(config.migrationsDir).getMigrations()).map((f) => f.file));
  return applied.filter((n) => !onDisk.has(n));
}

/** What a plan or a run in `direction` would touch now, in order. */
export async function currentWork(knex: Knex, config: StrataConfig, direction: 'up' | 'down'): Promise<{ batch: number | null; files: FileFacts[] }> {
  const missing = await missingFiles(knex, config);
  if (missing.length) throw new MissingFilesError(missing);
  if (direction === 'up') {
    const { pending } = await listMigrations(knex, config);
    const last = await lastBatch(knex, config.migrationsTable);
    return { batch: (last.batch ?? 0) + 1, files: await Promise.all(pending.map(fileFacts)) };
  }
  const last = await lastBatch(knex, config.migrationsTable);
  return { batch: last.batch, files: await Promise.all((await filesFor(config, last.names)).map(fileFacts)) };
}

/** The applied migrations in the order they were applied, with their batches: what a shadow replays. */
export async function appliedMigrations(knex: Knex, table: string): Promise<AppliedMigration[]> {
  if (!(await knex.schema.hasTable(table))) return [];
  return (await knex(table).orderBy('id').select('name', 'batch')).map((r: { name: string; batch: number }) => ({ name: r.name, batch: Number(r.batch) }));
}

export type PlanOptions = { signal?: AbortSignal; exactCounts?: boolean };

export async function makePlan(knex: Knex, config: StrataConfig, direction: 'up' | 'down', options: PlanOptions = {}): Promise<Plan> {
  const { batch, files } = await currentWork(knex, config, direction);
  const atomic = files.every((f) => f.transaction !== false);
  const exactCounts = !!options.exactCounts;
  const empty = { findings: [], destroys: [], unseen: [], shadow: { info: null, replay: null, problem: null }, roundTrip: null, exactCounts };
  if (files.length === 0) return { direction, batch: direction === 'down' ? null : batch, migrations: [], atomic: true, error: null, confirm: null, ...empty };
  const confirm = direction === 'up' ? { expected: files.map((f) => f.name) } : { batch: batch! };

  // knex loads every file of the batch before it runs any: one that does not load stops them all.
  const broken = files.find((f) => f.loadError !== null);
  if (broken) {
    const error: RunError = { message: `${broken.name} could not be loaded: ${broken.loadError}`, migration: broken.name, statement: null };
    const migrations = await planMigrations({ files, live: null, walk: null, problem: null, broken: broken.name });
    return { direction, batch, migrations, atomic, error, confirm, ...empty };
  }

  // The two previews run side by side: the live dry run as far as the first migration that cannot
  // run in a transaction, and the shadow (which stops if the live side fails or the caller goes).
  const firstBare = files.findIndex((f) => f.transaction === false);
  const names = files.map((f) => f.name);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const req = { config, scope: await liveScope(knex, config), applied: await appliedMigrations(knex, config.migrationsTable), signal };
  const shadowRun = (direction === 'up' ? walkUp(req, names, { roundTrip: true }) : walkDown(req, names)).then(
    (walk): { walk: Walk | null; problem: ShadowProblem | null } => ({ walk, problem: null }),
    (err: unknown) => {
      // Nobody is waiting for a plan whose request went away.
      if (err instanceof ShadowStoppedError && err.reason === 'cancelled') throw err;
      return { walk: null, problem: shadowProblem(err, config) };
    },
  );
  const live = await liveDryRun(knex, config, direction, firstBare === -1 ? files.length : firstBare, firstBare === -1).catch((err: unknown) => {
    stop.abort();
    shadowRun.catch(() => undefined);
    throw err;
  });
  const { walk, problem } = await shadowRun;

  const migrations = await planMigrations({ files, live, walk, problem, broken: null });
  const { findings, destroys, unseen } = await review(knex, reviewInputs(migrations, live), { exact: exactCounts });
  const roundTrip =
    direction === 'up'
      ? {
          shadow: walk?.shadow ?? null,
          replay: walk?.replay ?? null,
          checked: walk?.checked ?? [],
          notChecked: names.filter((n) => !walk?.checked.includes(n) && !walk?.findings.some((f) => f.migration === n)),
          findings: walk?.findings ?? [],
          problem,
        }
      : null;
  return {
    direction,
    batch,
    migrations,
    findings,
    destroys,
    unseen,
    atomic,
    error: live.error,
    shadow: { info: walk?.shadow ?? null, replay: walk?.replay ?? null, problem },
    roundTrip,
    exactCounts,
    confirm,
  };
}
