import 'server-only';
// The plan behind the confirmation: a dry run of the pending migrations (or of the last batch's
// down()), really executed inside a transaction that is always rolled back, with every statement
// captured, reviewed for unsafe operations, and what it would destroy.
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { StrataConfig } from '../config';
import type { Plan, PlanMigration, RunError } from '../schemas/migrations';
import { capture, lastBatch, listMigrations, migratorConfig } from './execute';
import { fileFacts, readSource, type FileFacts } from './files';
import { review } from './lint';
import { tryRunLock } from './lock';
import { StrataMigrationSource, type MigrationFile } from './source';

class DryRunDone extends Error {}

export class MissingFilesError extends ApiError {
  constructor(names: string[]) {
    super('conflict', `knex refuses to migrate: ${names.length} applied migration(s) have no file on disk (${names.join(', ')}). Restore the files first.`, { missing: names });
  }
}

/** The migration files of `names`, in that order; throws when a name has no file. */
async function filesFor(config: StrataConfig, names: string[]): Promise<MigrationFile[]> {
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

export async function makePlan(knex: Knex, config: StrataConfig, direction: 'up' | 'down'): Promise<Plan> {
  const { batch, files } = await currentWork(knex, config, direction);
  if (files.length === 0) {
    return { direction, batch: direction === 'down' ? null : batch, migrations: [], findings: [], destroys: [], atomic: true, error: null, confirm: null };
  }
  // A migration that cannot run in a transaction cannot be previewed, nor can what follows it.
  const firstBare = files.findIndex((f) => f.transaction === false);
  const previewable = firstBare === -1 ? files : files.slice(0, firstBare);
  let error: RunError | null = null;
  let captured: Map<string, string[]> = new Map();
  try {
    await knex.transaction(async (trx) => {
      if (!(await tryRunLock(trx, config.migrationsTable, true))) throw new ApiError('conflict', 'A migration run is in progress; plan again when it has finished');
      const { state, hooks } = capture(knex, trx);
      captured = state.statements;
      const cfg = migratorConfig(config, hooks);
      try {
        if (previewable.length === files.length) {
          await (direction === 'up' ? trx.migrate.latest(cfg) : trx.migrate.rollback(cfg));
        } else {
          for (let i = 0; i < previewable.length; i++) await (direction === 'up' ? trx.migrate.up(cfg) : trx.migrate.down(cfg));
        }
      } catch (err) {
        error = { message: err instanceof Error ? err.message : String(err), migration: state.current, statement: state.failedSql };
      }
      throw new DryRunDone();
    });
  } catch (err) {
    if (!(err instanceof DryRunDone)) throw err;
  }
  const migrations: PlanMigration[] = await Promise.all(
    files.map(async (f, i) => {
      const inPreview = i < previewable.length;
      const statements = captured.get(f.name) ?? [];
      const ran = captured.has(f.name);
      return {
        name: f.name,
        transaction: f.transaction !== false,
        previewable: inPreview && ran,
        statements,
        source: inPreview && ran ? null : await readSource({ file: f.name, path: f.path }),
        reason: inPreview
          ? ran
            ? null
            : 'Not reached: an earlier migration in the dry run failed.'
          : f.transaction === false
            ? 'Runs outside a transaction (config.transaction = false), so a dry run could not be undone; its source is shown instead.'
            : 'Follows a migration that cannot be previewed; its source is shown instead.',
      };
    }),
  );
  const { findings, destroys } = await review(knex, migrations.filter((m) => m.previewable));
  return {
    direction,
    batch,
    migrations,
    findings,
    destroys,
    atomic: firstBare === -1,
    error,
    confirm: direction === 'up' ? { expected: files.map((f) => f.name) } : { batch: batch! },
  };
}
