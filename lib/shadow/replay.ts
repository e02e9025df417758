import 'server-only';
// The shadow's starting point: the applied migrations replayed from their files, batch by batch in
// the order they were applied, through knex's own migrator (so transactions, config.transaction =
// false and the migrations table are as knex makes them). A replay is known by a key made of the
// files' checksums, so an unchanged history is reused rather than run again.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Knex } from 'knex';
import type { StrataConfig } from '../config';
import { capture, migratorConfig } from '../migrations/execute';
import { StrataMigrationSource, type MigrationFile } from '../migrations/source';

export type AppliedMigration = { name: string; batch: number };

export class ReplayUnavailableError extends Error {
  override name = 'ReplayUnavailableError';
  constructor(readonly missing: string[]) {
    super(`The applied migrations cannot be replayed: ${missing.length} have no file on disk (${missing.join(', ')}).`);
  }
}

export class ReplayFailedError extends Error {
  override name = 'ReplayFailedError';
  constructor(
    readonly migration: string | null,
    readonly error: unknown,
  ) {
    super(`Replaying the applied migrations on the shadow failed${migration ? ` at ${migration}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A migration source that lists only some of the files (knex runs what it lists and has not run). */
class SubsetSource implements Knex.MigrationSource<MigrationFile> {
  constructor(
    private readonly inner: Knex.MigrationSource<MigrationFile>,
    private readonly names: ReadonlySet<string>,
  ) {}
  async getMigrations(loadExtensions: readonly string[]): Promise<MigrationFile[]> {
    return (await this.inner.getMigrations(loadExtensions)).filter((m) => this.names.has(m.file));
  }
  getMigrationName(m: MigrationFile): string {
    return this.inner.getMigrationName(m);
  }
  getMigration(m: MigrationFile): Promise<Knex.Migration> {
    return this.inner.getMigration(m) as Promise<Knex.Migration>;
  }
}

export type ReplayPlan = { files: MigrationFile[]; key: string };

/** The files of `applied` and the key of their replay; throws when a file is missing. */
export async function replayPlan(config: StrataConfig, applied: AppliedMigration[], engine: string): Promise<ReplayPlan> {
  const all = new Map((await new StrataMigrationSource(config.migrationsDir).getMigrations()).map((f) => [f.file, f]));
  const missing = applied.filter((a) => !all.has(a.name)).map((a) => a.name);
  if (missing.length) throw new ReplayUnavailableError(missing);
  const files = applied.map((a) => all.get(a.name)!);
  const hash = createHash('sha256').update(JSON.stringify({ engine, table: config.migrationsTable }));
  for (const [i, f] of files.entries()) hash.update(`\n${applied[i]!.batch}\t${f.file}\t`).update(await fs.readFile(f.path));
  return { files, key: hash.digest('hex') };
}

/** Runs `applied` on the shadow, one knex batch per live batch. */
export async function replay(k: Knex, config: StrataConfig, applied: AppliedMigration[]): Promise<void> {
  const groups: string[][] = [];
  let last: number | null = null;
  for (const a of applied) {
    if (a.batch !== last) groups.push([]);
    groups[groups.length - 1]!.push(a.name);
    last = a.batch;
  }
  const done = new Set<string>();
  for (const group of groups) {
    for (const n of group) done.add(n);
    const { state, hooks, stop } = capture(k, k);
    const cfg = migratorConfig(config, hooks);
    try {
      await k.migrate.latest({ ...cfg, migrationSource: new SubsetSource(cfg.migrationSource as Knex.MigrationSource<MigrationFile>, new Set(done)) });
    } catch (err) {
      throw new ReplayFailedError(state.current, err);
    } finally {
      stop();
    }
  }
}

const EXTENSION = /create\s+extension\s+(?:if\s+not\s+exists\s+)?["'`]?([A-Za-z0-9_-]+)/gi;

/** The extensions the migration files create (the embedded engine loads only those it is asked for). */
export async function extensionsNamed(config: StrataConfig): Promise<string[]> {
  const names = new Set<string>();
  for (const f of await new StrataMigrationSource(config.migrationsDir).getMigrations()) {
    for (const m of (await fs.readFile(f.path, 'utf8')).matchAll(EXTENSION)) names.add(m[1]!.toLowerCase());
  }
  return [...names].sort();
}
