import 'server-only';
// The dry run on the live database: the migrations that can run in a transaction really run inside
// one that is always rolled back, under the shared run lock, so that a plan never sees a run half
// way. What only live data can tell comes from here: the rows each statement touched (a backfill's
// UPDATE, an INSERT that fills a new table) and a statement that fails on the data as it is.
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { StrataConfig } from '../config';
import type { RunError } from '../schemas/migrations';
import { capture, migratorConfig } from './execute';
import { tryRunLock } from './lock';

/** One captured statement: its SQL, and per statement in it, the command and rows it touched. */
export type RanStatement = { sql: string; results: { command: string | null; rows: number | null }[] };

export type LiveDryRun = {
  statements: Map<string, RanStatement[]>;
  /** Migrations whose up() or down() ran to the end. */
  completed: Set<string>;
  error: RunError | null;
};

class DryRunDone extends Error {}

type QueryEvent = { __knexQueryUid?: string; response?: unknown };
type PgResult = { command?: string | null; rowCount?: number | null };

function resultsOf(response: unknown): RanStatement['results'] {
  const list = (Array.isArray(response) ? response : [response]) as PgResult[];
  return list.map((r) => ({ command: r?.command ?? null, rows: typeof r?.rowCount === 'number' ? r.rowCount : null }));
}

/**
 * Runs the first `count` migrations of the batch in `direction` (all of them when `whole`, as knex
 * would: latest() or rollback()) and rolls everything back.
 */
export async function liveDryRun(knex: Knex, config: StrataConfig, direction: 'up' | 'down', count: number, whole: boolean): Promise<LiveDryRun> {
  const out: LiveDryRun = { statements: new Map(), completed: new Set(), error: null };
  if (count === 0) return out;
  try {
    await knex.transaction(async (trx) => {
      if (!(await tryRunLock(trx, config.migrationsTable, true))) throw new ApiError('conflict', 'A migration run is in progress; plan again when it has finished');
      const { state, hooks } = capture(knex, trx, undefined, (name) => out.completed.add(name));
      // Beside capture's own list, the same statements with what PostgreSQL answered for them.
      const pending = new Map<string, RanStatement['results']>();
      const ran = new Map<string, { uid: string | undefined }[]>();
      type Emitter = { on(event: string, fn: (...args: never[]) => void): void };
      const emitter = trx as unknown as Emitter;
      emitter.on('query', (q: QueryEvent) => {
        if (!state.current || state.failedSql !== null) return;
        const list = ran.get(state.current) ?? [];
        list.push({ uid: q.__knexQueryUid });
        ran.set(state.current, list);
      });
      emitter.on('query-response', (_r: unknown, q: QueryEvent) => {
        if (q.__knexQueryUid) pending.set(q.__knexQueryUid, resultsOf(q.response));
      });
      const cfg = migratorConfig(config, hooks);
      try {
        if (whole) await (direction === 'up' ? trx.migrate.latest(cfg) : trx.migrate.rollback(cfg));
        else for (let i = 0; i < count; i++) await (direction === 'up' ? trx.migrate.up(cfg) : trx.migrate.down(cfg));
      } catch (err) {
        out.error = { message: err instanceof Error ? err.message : String(err), migration: state.current, statement: state.failedSql };
      }
      for (const [name, sqls] of state.statements) {
        const uids = ran.get(name) ?? [];
        out.statements.set(
          name,
          sqls.map((sql, i) => ({ sql, results: pending.get(uids[i]?.uid ?? '') ?? [] })),
        );
      }
      throw new DryRunDone();
    });
  } catch (err) {
    if (!(err instanceof DryRunDone)) throw err;
  }
  return out;
}
