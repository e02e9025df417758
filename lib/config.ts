// Strata's settings, read from the environment in one place.
// This module is loaded by the knex CLI (through knexfile.ts) as well as by the Next.js server,
// so it imports nothing that only one of them can load (no 'server-only', no path aliases).
import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
    }),
  STRATA_MIGRATIONS_DIR: z.string().trim().min(1).default('db/migrations'),
  STRATA_MIGRATIONS_TABLE: z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain SQL identifier')
    .default('knex_migrations'),
  STRATA_DATA_DIR: z.string().trim().min(1).default('.strata/embedded'),
  STRATA_EMBEDDED_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  STRATA_EXPECTED_DIMENSIONS: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? Number(v) : undefined))
    .refine((v) => v === undefined || (Number.isInteger(v) && v >= 1 && v <= 64_000), {
      message: 'STRATA_EXPECTED_DIMENSIONS must be a whole number of dimensions (1 to 64000)',
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // The shadow database (lib/shadow): a server where Strata may CREATE DATABASE, or unset for the embedded engine.
  STRATA_SHADOW_DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: 'STRATA_SHADOW_DATABASE_URL must be a postgres:// or postgresql:// URL',
    }),
  STRATA_SHADOW_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  STRATA_SHADOW_MAX_CONCURRENT: z.coerce.number().int().min(1).max(16).default(2),
  // A background job whose process has not written its heartbeat for this long is marked failed.
  STRATA_JOB_STALE_SECONDS: z.coerce.number().int().min(3).max(600).default(30),
});

export type StrataConfig = {
  databaseUrl: string | undefined;
  migrationsDir: string;
  migrationsTable: string;
  dataDir: string;
  embeddedPort: number;
  /** The embedding dimension vector columns should have (e.g. 1536); other columns are flagged. */
  expectedDimensions: number | null;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** A background job whose process has not written its heartbeat for this long is marked failed (lib/jobs). */
  jobStaleMs: number;
  shadow: {
    /** A server where Strata creates and drops scratch databases; undefined: the embedded engine. */
    databaseUrl: string | undefined;
    /** How long one use of a shadow may last, queueing included. */
    timeoutMs: number;
    /** How many shadows this process runs at once. */
    maxConcurrent: number;
  };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment; paths are made absolute against the working directory. */
export function readConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): StrataConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    migrationsDir: path.resolve(cwd, e.STRATA_MIGRATIONS_DIR),
    migrationsTable: e.STRATA_MIGRATIONS_TABLE,
    dataDir: path.resolve(cwd, e.STRATA_DATA_DIR),
    embeddedPort: e.STRATA_EMBEDDED_PORT,
    expectedDimensions: e.STRATA_EXPECTED_DIMENSIONS ?? null,
    logLevel: e.LOG_LEVEL,
    jobStaleMs: e.STRATA_JOB_STALE_SECONDS * 1000,
    shadow: {
      databaseUrl: e.STRATA_SHADOW_DATABASE_URL,
      timeoutMs: e.STRATA_SHADOW_TIMEOUT_SECONDS * 1000,
      maxConcurrent: e.STRATA_SHADOW_MAX_CONCURRENT,
    },
  };
}
