// What the environments API answers: the targets of the targets file, their state, the matrix of
// migrations × targets, and the "staging first" rule's verdicts. Types only (no zod at runtime).
import type { SchemaChange } from './catalog';
import type { ShadowInfo, ShadowProblem } from './shadow';

export type TargetInfo = {
  name: string;
  label: string;
  color: string;
  protected: boolean;
  /** This dashboard's own database, the home of its users, sessions and tokens (requests that name no target act on it). */
  current: boolean;
  /** Whether this dashboard connects to it (its own, or its URL variable is set here): its pages open here with `?target=`. */
  served: boolean;
  /** The environment variable that holds its URL (never the URL). */
  urlEnv: string;
  /** The dashboard that manages it, when the file names one. */
  dashboardUrl: string | null;
};

export type TargetState = TargetInfo & {
  reachable: boolean;
  /** Why it could not be read (not configured, refused, timed out, …). */
  error: string | null;
  /** Since when this dashboard has failed to read it, without a success since. */
  unreachableSince: string | null;
  /** How long reading it took. */
  ms: number;
  applied: number | null;
  pending: number | null;
  /** Migrations applied on the previous target in the order and not here; null for the first or when unknown. */
  behindPrevious: number | null;
};

export type MatrixCellStatus = 'applied' | 'pending' | 'changed' | 'missing_file' | 'unknown';

export type MatrixCell = {
  target: string;
  status: MatrixCellStatus;
  batch: number | null;
  appliedAt: string | null;
  /** Who applied it through Strata; null when applied outside Strata. */
  by: string | null;
  /** The SHA-256 of the file as Strata applied it; null when applied outside Strata (contents unknown). */
  checksum: string | null;
};

export type MatrixRow = {
  name: string;
  /** The file's SHA-256 now; null when there is no file. */
  fileChecksum: string | null;
  cells: MatrixCell[];
  /** Two targets recorded different file contents for it. */
  checksumMismatch: boolean;
  /** Not the same on every target that could be read. */
  differs: boolean;
  pendingSomewhere: boolean;
};

export type Matrix = {
  /** The targets file, or null when there is none (one target: this dashboard's database). */
  file: string | null;
  targets: TargetState[];
  rows: MatrixRow[];
  asOf: string;
};

export type PromotionVerdictKind = 'allowed' | 'not_on_previous' | 'checksum_differs' | 'unverified' | 'previous_unreachable';

export type PromotionVerdict = { name: string; verdict: PromotionVerdictKind; message: string };

/** "Test migrations on staging first", for a run of pending migrations on this dashboard's target. */
export type PromotionCheck =
  | { applies: false; why: string }
  | {
      applies: true;
      target: { name: string; label: string };
      previous: { name: string; label: string };
      verdicts: PromotionVerdict[];
      /** Every pending migration passed. */
      allowed: boolean;
    };

/** An admin's written reason to run on a protected target what the rule refused; kept in the run record. */
export type PromotionOverride = { reason: string; by: string; refused: PromotionVerdict[] };

/** "Backup database before migrations" on a target that asks for it: how it is satisfied, and what a configured check found. */
export type BackupRequirement = {
  target: string;
  maxAgeHours: number;
  /** The operator confirms a backup, or Strata asks the team's command or URL. */
  how: 'confirm' | 'command' | 'url';
  check: { latestBackupAt: string | null; checkedAt: string; ok: boolean; problem: string | null } | null;
};

/** What a run's backup rule rested on, kept in the run record and the audit. */
export type BackupEvidence = { source: 'operator' | 'command' | 'url'; id: string | null; takenAt: string; checkedAt: string; maxAgeHours: number; by: string };

/** A rollback on a target that needs a second admin's approval. */
export type RollbackApproval = {
  id: string;
  target: string | null;
  batch: number;
  names: string[];
  undoesRun: string | null;
  requestedBy: string;
  requestedRole: string | null;
  requestedAt: string;
  expiresAt: string;
  /** 'expired' also for a pending request whose time has passed. */
  status: 'pending' | 'approved' | 'refused' | 'expired';
  decidedBy: string | null;
  decidedAt: string | null;
  /** The run the approval started. */
  runId: string | null;
};

/** One object that differs between two targets' schemas, and whether their migrations explain it. */
export type TargetDifference = SchemaChange & {
  /**
   * True: the replays of what each target applied differ the same way (a migration one has and the
   * other not yet). False: they do not (a change by hand, or drift). Null: the replays could not be
   * made (see `problem`).
   */
  explained: boolean | null;
};

/** GET /api/targets/compare: what would make `b`'s schema like `a`'s. */
export type TargetComparison = {
  checkedAt: string;
  a: TargetInfo;
  b: TargetInfo;
  /** The targets that could not be read, and why (then nothing else is filled in). */
  unreadable: { target: string; error: string }[] | null;
  /** Migrations applied on one and not on the other. */
  onlyOnA: string[];
  onlyOnB: string[];
  differences: TargetDifference[] | null;
  shadow: ShadowInfo | null;
  problem: ShadowProblem | null;
};
