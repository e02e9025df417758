import 'server-only';
// Running knex's migrator the way Strata does for plans and runs: with an instrumented source
// that says which migration is running, and every statement captured from knex's query events.
import type { Knex } from 'knex';
import type { StrataConfig } from '../config';
import { InstrumentedSource, type Hooks } from './files';
import { renderSql } from './render-sql';
import { StrataMigrationSource, type MigrationFile } from './source';

/**
 * knex's migrator configuration for plans and runs. `only`: the files knex may see (a run offers
 * knex exactly the applied files and the pending ones the operator confirmed, so a file that
 * appears after the confirmation is not run with them).
 */
export function migratorConfig(config: StrataConfig, hooks: Hooks = {}, only?: ReadonlySet<string>): Knex.MigratorConfig {
  return { tableName: config.migrationsTable, migrationSource: new InstrumentedSource(config.migrationsDir, hooks, only) };
}

export type Capture = {
  current: string | null;
  statements: Map<string, string[]>;
  failedSql: string | null;
  /** knex's id of the connection each migration's first statement ran on. */
  connections: Map<string, string>;
};

type QueryEvent = { sql: string; bindings?: readonly unknown[]; __knexUid?: string };

// The statement as it ran, with its bound values inlined (see render-sql.ts).
function render(_knex: Knex, q: QueryEvent): string {
  return renderSql(q.sql, q.bindings);
}

/** Hooks plus listeners on a transaction that file each statement under the migration running it. */
export function capture(
  knex: Knex,
  source: Knex | Knex.Transaction,
  onStart?: Hooks['onStart'],
  onEnd?: Hooks['onEnd'],
): { state: Capture; hooks: Hooks; stop: () => void } {
  const state: Capture = { current: null, statements: new Map(), failedSql: null, connections: new Map() };
  type Emitter = { on(event: string, fn: (...args: never[]) => void): void; off(event: string, fn: (...args: never[]) => void): void };
  const emitter = source as unknown as Emitter;
  // After the first error the transaction is aborted; what knex does next is cleanup, not the migration.
  const onQuery = (q: QueryEvent) => {
    if (!state.current || state.failedSql !== null) return;
    state.statements.get(state.current)!.push(render(knex, q));
    if (q.__knexUid && !state.connections.has(state.current)) state.connections.set(state.current, q.__knexUid);
  };
  const onError = (_err: unknown, q: QueryEvent) => {
    if (state.current && state.failedSql === null) state.failedSql = render(knex, q);
  };
  emitter.on('query', onQuery);
  emitter.on('query-error', onError);
  const stop = () => {
    emitter.off('query', onQuery);
    emitter.off('query-error', onError);
  };
  const hooks: Hooks = {
    onStart: (name, direction) => {
      state.current = name;
      state.statements.set(name, []);
      state.failedSql = null;
      onStart?.(name, direction);
    },
    onEnd: (name, direction, ms) => {
      state.current = null;
      onEnd?.(name, direction, ms);
    },
  };
  return { state, hooks, stop };
}

export type Listed = { completed: string[]; pending: MigrationFile[] };

/**
 * What is applied and pending, read without knex's list(), which creates the migrations table
 * as a side effect (a plan must change nothing).
 */
export async function listMigrations(knex: Knex, config: StrataConfig): Promise<Listed> {
  const files = await new StrataMigrationSource(config.migrationsDir).getMigrations();
  const completed: string[] = (await knex.schema.hasTable(config.migrationsTable)) ? await knex(config.migrationsTable).orderBy('id').pluck('name') : [];
  const done = new Set(completed);
  return { completed, pending: files.filter((f) => !done.has(f.file)) };
}

/** The last batch and its migrations in the order a rollback reverts them. */
export async function lastBatch(knex: Knex, table: string): Promise<{ batch: number | null; names: string[] }> {
  if (!(await knex.schema.hasTable(table))) return { batch: null, names: [] };
  const row = await knex(table).max<{ b: number | null }>({ b: 'batch' }).first();
  const batch = row?.b ?? null;
  if (batch === null) return { batch: null, names: [] };
  // knex reverts a batch in the reverse order in which it was applied.
  const names = await knex(table).where({ batch }).orderBy('id', 'desc').pluck('name');
  return { batch: Number(batch), names };
}
