// What the shadow database features answer: which shadow was used, drift and the round trip.
// Shared by route handlers, the CLIs and the pages (no server imports).
import { z } from 'zod';
import type { SchemaChange } from './catalog';
import { migrationNameSchema } from './migrations';

export type ShadowInfo = {
  kind: 'server' | 'embedded';
  /** The shadow's PostgreSQL version (server_version). */
  version: string;
  /** For reading, e.g. "the embedded engine (PGlite 0.5.14, PostgreSQL 18.6)". */
  label: string;
};

export type ReplayInfo = {
  /** Applied migrations replayed from their files, in the order they were applied. */
  migrations: number;
  /** True when a saved replay of the same files was reused instead of running them again. */
  reused: boolean;
};

/** Why the shadow could not be used, and what would fix it. */
export type ShadowProblem = { message: string; fix: string | null };

export type DriftItem = SchemaChange & {
  /** Where the object is: only in the live database, only in the migrations, or in both but different. */
  where: 'live_only' | 'migrations_only' | 'different';
};

export type DriftReport = {
  checkedAt: string;
  shadow: ShadowInfo | null;
  replay: ReplayInfo | null;
  /** Null when the comparison could not be made (see problem). */
  drift: DriftItem[] | null;
  problem: ShadowProblem | null;
  /** Applied migrations whose file changed since Strata applied them: the replay uses the files as they are now. */
  changedFiles: string[];
};

export type RoundTripFinding = {
  migration: string;
  rule: 'up-fails' | 'down-fails' | 'down-incomplete' | 'up-fails-again' | 'up-differs-again';
  message: string;
  /** For down-incomplete and up-differs-again: what differs. */
  changes: SchemaChange[];
};

export type RoundTripReport = {
  shadow: ShadowInfo | null;
  replay: ReplayInfo | null;
  /** Migrations taken through up → down → up, in order. */
  checked: string[];
  /** Migrations not checked because an earlier one failed (the shadow cannot go past it). */
  notChecked: string[];
  findings: RoundTripFinding[];
  problem: ShadowProblem | null;
};

/** Which migrations to take through the round trip. */
export const verifyBodySchema = z.strictObject({
  scope: z.enum(['pending', 'all', 'range']),
  /** With scope "range": the first and last migration (file names), inclusive. */
  from: migrationNameSchema.optional(),
  to: migrationNameSchema.optional(),
});
export type VerifyBody = z.infer<typeof verifyBodySchema>;
