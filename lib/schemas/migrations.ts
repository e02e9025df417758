// Shapes of the migrations API, shared by route handlers and the migrations page.
import { z } from 'zod';
import type { ObjectKind, SchemaChange } from './catalog';
import type { ReplayInfo, RoundTripReport, ShadowInfo, ShadowProblem } from './shadow';
import type { BackupEvidence, BackupRequirement, PromotionCheck, PromotionOverride, TargetInfo } from './targets';

export const migrationNameSchema = z.string().min(1).max(255);

export const planBodySchema = z.strictObject({
  direction: z.enum(['up', 'down']),
  /** Count every table the plan destroys or rewrites exactly, also those above a million rows (slower). */
  exactCounts: z.boolean().optional(),
});

/** Run pending: the names the operator saw in the plan, in order. */
/** The backup an operator confirms on a target that requires one: its identifier and when it was taken. */
const backupClaimSchema = z.strictObject({
  id: z.string().trim().min(1, 'must name the backup').max(200),
  takenAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with its offset' }),
});

export const latestBodySchema = z.strictObject({
  expected: z.array(migrationNameSchema).min(1, 'must list the pending migrations you confirmed').max(10_000),
  /** An admin's written reason to run on a protected target what the "staging first" rule refuses. */
  override: z.strictObject({ reason: z.string().trim().min(10, 'must say why, in at least 10 characters').max(2_000) }).optional(),
  backup: backupClaimSchema.optional(),
});

/** Roll back: the batch number the operator saw; with `run`, only if that batch is exactly what that run applied. */
export const rollbackBodySchema = z.strictObject({ batch: z.number().int().positive(), run: z.uuid('is not a run id').optional(), backup: backupClaimSchema.optional() });

export const lockReleaseBodySchema = z.strictObject({ confirm: z.literal(true, 'must be true') });

/** End a database session that the lock release listed (an admin's separate, confirmed action). */
export const terminateBodySchema = z.strictObject({ pid: z.number().int().positive().max(2_147_483_647), confirm: z.literal(true, 'must be true') });

export const waitQuerySchema = z.strictObject({ wait: z.enum(['0', '1']).optional() });

export const runsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true, message: 'must be an ISO timestamp' }).optional(),
});

export const runIdParamSchema = z.strictObject({ id: z.uuid('is not a run id') });

export const approvalIdParamSchema = z.strictObject({ id: z.uuid('is not a request id') });
export const approvalDecisionSchema = z.strictObject({ decision: z.enum(['approve', 'refuse']) });

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

/**
 * What became of one migration of a run. `committed`: its up() (or down()) is committed and knex
 * recorded it. `unrecorded`: its changes are committed but knex's table does not say so (the
 * process or the database stopped between the two), so knex would run it again. `rolled_back`: it
 * ran in a transaction that was rolled back, so nothing of it stayed. `partial`: it ran outside a
 * transaction and did not finish, so whatever it did before it stopped stayed. `not_started`: the
 * run ended before it. `pending`, `running` and `done` (its up() or down() returned; whether it
 * committed is settled when the run ends) only while the run goes on.
 */
export type MigrationOutcome = 'pending' | 'running' | 'done' | 'committed' | 'unrecorded' | 'rolled_back' | 'partial' | 'not_started';

export type RunMigration = {
  name: string;
  /** Whether knex runs it in a transaction (its own, or the batch's when the batch is atomic). */
  transaction: boolean;
  status: MigrationOutcome;
  startedAt: string | null;
  finishedAt: string | null;
  ms: number | null;
  /** The database session it ran on (the one that holds its transaction), when known. */
  backendPid: number | null;
};

export type RunKind = 'latest' | 'rollback' | 'lock_release' | 'terminate_backend';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';

/**
 * Why a run stopped early. `migration`: a migration threw. `connection_lost`: the database went
 * away mid-run. `process_stopped`: the dashboard process running it stopped (found at a later
 * start). `lock_lost`: the process is alive but no longer holds the run's lock.
 */
export type RunErrorCause = 'migration' | 'connection_lost' | 'process_stopped' | 'lock_lost';

export type RunError = { message: string; migration: string | null; statement: string | null; cause?: RunErrorCause };

/** What a later start found of a run that did not finish: its sessions and knex's lock flag. */
export type RunAftermath = {
  checkedAt: string;
  /** Database sessions still carrying the run's tag. */
  sessions: { pid: number; state: string | null; query: string }[];
  knexLocked: boolean;
};

export type RunSummary = {
  id: string;
  kind: RunKind;
  status: RunStatus;
  actorLabel: string;
  role: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** From the run's first statement to the end of its last; null while it runs. */
  durationMs: number | null;
  batch: number | null;
  /** Whether the whole batch ran in one transaction (null for lock releases and terminations). */
  atomic: boolean | null;
  expected: unknown;
  migrations: RunMigration[];
  currentMigration: string | null;
  error: RunError | null;
  /** For a rollback of what a failed run applied: that run. */
  undoesRun: string | null;
  aftermath: RunAftermath | null;
  /**
   * False between the end of the migrations and the moment Strata has read from the database what
   * became of each (which waits for the database when it went away).
   */
  outcomeKnown: boolean;
  /** The target of the targets file it ran on (null without a file, or for runs recorded before targets). */
  target: string | null;
  /** The "staging first" rule's verdicts for a run of pending migrations on a protected target, and an admin's override. */
  promotion: RunPromotion | null;
  /** The backup the run rested on, on a target that requires one. */
  backup: BackupEvidence | null;
  /** A rollback that a second admin approved: the request and the decision. */
  approval: RunApproval | null;
};

export type RunApproval = { id: string; requestedBy: string; approvedBy: string; approvedAt: string };

export type RunPromotion = { check: PromotionCheck; override: PromotionOverride | null };

export type IndexProgress = {
  phase: string;
  percent: number | null;
  relation: string | null;
  blocksDone: number | null;
  blocksTotal: number | null;
  tuplesDone: number | null;
  tuplesTotal: number | null;
};

export type RunDetail = RunSummary & {
  progress: IndexProgress | null;
  /** The SQL each migration ran, by name, as far as it got (null for runs recorded before this was kept). */
  statements: Record<string, string[]> | null;
};

/** A database session that could be migrating, as the lock release and 409s list it. */
export type SuspectSession = {
  pid: number;
  user: string | null;
  application: string;
  clientAddress: string | null;
  transactionStart: string | null;
  state: string | null;
  query: string;
  /** Why Strata counts it, in words. */
  reasons: string[];
};

export type LockState = {
  /** knex's own flag in the migrations lock table. */
  knexLocked: boolean;
  /** When Strata first saw knex's flag set (knex keeps no time); null when clear. */
  knexLockedSince: string | null;
  /** A run through Strata holds the database lock right now. */
  running: RunSummary | null;
  /** With knex's flag set and no Strata run: sessions that could be the migrator holding it. */
  suspects: SuspectSession[];
  explanation: string;
};

export type MigrationsStatus = {
  migrations: MigrationRow[];
  lastBatch: number | null;
  lock: LockState;
  /** Why knex would refuse to run now (e.g. applied migrations whose files are missing). */
  blocked: string | null;
  migrationsTable: string;
  /** When the migrations list was read from the database. */
  asOf: string;
  /**
   * Set while a run or a job holds the embedded database's only connection: the list is the last
   * one read (at `asOf`), and the lock comes from this process's memory.
   */
  busy: { message: string; what: string; by: string; startedAt: string } | null;
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
  /** Going up, through the API: the "staging first" rule's verdict on each pending migration. */
  promotion?: PromotionCheck | null;
  /** Through the API: the target of the targets file the plan is for (null without a file). */
  target?: TargetInfo | null;
  /** Through the API: the target's backup rule, and what its check found. */
  backup?: BackupRequirement | null;
  /** Through the API, rolling back: the target asks for a second admin's approval, within this many minutes. */
  approval?: { expiresMinutes: number } | null;
};
