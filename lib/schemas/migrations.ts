// Shapes of the migrations API, shared by route handlers and the migrations page.
import { z } from 'zod';
import type { ObjectKind, SchemaChange } from './catalog';
import type { ReplayInfo, RoundTripReport, ShadowInfo, ShadowProblem } from './shadow';

export const migrationNameSchema = z.string().min(1).max(255);

export const planBodySchema = z.strictObject({
  direction: z.enum(['up', 'down']),
  /** Count every table the plan destroys or rewrites exactly, also those above a million rows (slower). */
  exactCounts: z.boolean().optional(),
});

/** Run pending: the names the operator saw in the plan, in order. */
export const latestBodySchema = z.strictObject({ expected: z.array(migrationNameSchema).min(1, 'must list the pending migrations you confirmed').max(10_000) });

/** Roll back: the batch number the operator saw. */
export const rollbackBodySchema = z.strictObject({ batch: z.number().int().positive() });

export const lockReleaseBodySchema = z.strictObject({ confirm: z.literal(true, 'must be true') });

export const waitQuerySchema = z.strictObject({ wait: z.enum(['0', '1']).optional() });

export const runsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true, message: 'must be an ISO timestamp' }).optional(),
});

export const runIdParamSchema = z.strictObject({ id: z.uuid('is not a run id') });

export type MigrationState = 'applied' | 'pending' | 'missing_file' | 'changed';

export type MigrationRow = {
  name: string;
  status: MigrationState;
  batch: number | null;
  appliedAt: string | null;
  /** Set when Strata applied it. */
  durationMs: number | null;
  appliedBy: string | null;
  /** knex's per-migration `config.transaction`; null when the file is missing or cannot load. */
  transaction: boolean | null;
  loadError: string | null;
};

export type RunSummary = {
  id: string;
  kind: 'latest' | 'rollback' | 'lock_release';
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  actorLabel: string;
  role: string | null;
  startedAt: string;
  finishedAt: string | null;
  batch: number | null;
  expected: unknown;
  migrations: { name: string; status: 'running' | 'done' | 'failed'; startedAt: string; ms: number | null }[];
  currentMigration: string | null;
  error: RunError | null;
};

export type RunError = { message: string; migration: string | null; statement: string | null };

export type IndexProgress = { phase: string; percent: number | null; relation: string | null };

export type RunDetail = RunSummary & { progress: IndexProgress | null };

export type LockState = {
  /** knex's own flag in the migrations lock table. */
  knexLocked: boolean;
  /** A run through Strata holds the database lock right now. */
  running: RunSummary | null;
  explanation: string;
};

export type MigrationsStatus = {
  migrations: MigrationRow[];
  lastBatch: number | null;
  lock: LockState;
  /** Why knex would refuse to run now (e.g. applied migrations whose files are missing). */
  blocked: string | null;
  migrationsTable: string;
};

/** How a migration of a plan was previewed. */
export type PreviewedOn = 'live' | 'shadow';

export type PlanMigration = {
  name: string;
  transaction: boolean;
  /** Whether it was executed for the plan (on the live database rolled back, or on the shadow). */
  previewable: boolean;
  /** Where it was executed: 'live' (the live database, in a transaction rolled back), 'shadow', or null (not previewed). */
  previewedOn: PreviewedOn | null;
  statements: string[];
  /** The file's source, for a migration that could not be previewed. */
  source: string | null;
  /** Why it was not previewed on the live database (for 'shadow'), or at all (for null). */
  reason: string | null;
  /** Its schema effect, from catalog snapshots of the shadow before and after it; null when the shadow did not run it. */
  effects: SchemaChange[] | null;
  /** The error it raised on the shadow, when it failed there. */
  shadowError: string | null;
  /** Set when the file cannot be loaded. */
  loadError: string | null;
};

export type Finding = {
  rule: string;
  migration: string;
  statement: string;
  message: string;
  why: string;
  safer: string;
};

export type Destruction = {
  /** An object, or 'rows': rows a DELETE or TRUNCATE removes from a table that stays. */
  kind: ObjectKind | 'rows';
  name: string;
  table: string | null;
  /** Rows in the table (or column's table) when the migration runs; null when not known (see rowsNote) or not a table. */
  rows: number | null;
  rowsEstimated: boolean;
  /** Why rows is null, or where the count comes from when not the live table as it is now. */
  rowsNote: string | null;
  /** The migration that destroys it. */
  migration: string | null;
};

/** A migration whose effect is not in "what will be destroyed", and why. */
export type Unseen = { migration: string; reason: string };

export type Plan = {
  direction: 'up' | 'down';
  /** The batch to be rolled back, or the batch a run would create. */
  batch: number | null;
  migrations: PlanMigration[];
  findings: Finding[];
  destroys: Destruction[];
  /** Migrations whose effect "what will be destroyed" could not include; empty when it is complete. */
  unseen: Unseen[];
  /** Whether the whole plan runs in one transaction (all or nothing). */
  atomic: boolean;
  /** The live dry run's failure (the run would fail the same way); confirming is not offered. */
  error: RunError | null;
  /** The shadow used for the plan, or why none could be. */
  shadow: { info: ShadowInfo | null; replay: ReplayInfo | null; problem: ShadowProblem | null };
  /** Going up: each pending migration taken through up → down → up on the shadow. */
  roundTrip: RoundTripReport | null;
  /** Whether every row count was counted exactly (asked for), rather than estimated above a million rows. */
  exactCounts: boolean;
  /** What to send back to confirm exactly this plan. */
  confirm: { expected: string[] } | { batch: number } | null;
};
