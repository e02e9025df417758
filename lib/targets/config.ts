// The team's databases, described once in a file committed with its migrations
// (strata.targets.json, or STRATA_TARGETS_FILE): a name, a label and colour, the name of the
// environment variable that holds the URL (never the URL itself), the knex environment, whether
// it is protected, and the order of promotion (the order of the list). Without the file there is
// one target, from DATABASE_URL or the embedded database, as before.
// Loaded by the CLI too, so no 'server-only' here.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

const targetSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be lower-case letters, digits and dashes (up to 32), starting with a letter'),
  label: z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters'),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour like #dc2626'),
  urlEnv: z.string().regex(ENV_NAME, 'must be the name of an environment variable (A_Z and digits), not a URL'),
  knexEnvironment: z.enum(['development', 'test', 'production']).optional(),
  protected: z.boolean().default(false),
  /** The address of the dashboard that manages this target (one per target): the switcher links there. */
  dashboardUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  /** "Backup database before migrations": how recent a backup a run on this target needs. */
  backup: z
    .strictObject({
      maxAgeHours: z.number().positive().max(24 * 30),
      /** A command whose standard output is the latest backup's time (ISO 8601), run by Strata to check it. */
      checkCommand: z.string().min(1).optional(),
      /** A URL answering JSON {"latestBackupAt": "<ISO time>"}, asked by Strata to check it. */
      checkUrl: z.url().optional(),
    })
    .optional(),
  /** A rollback needs a second admin's approval within this many minutes. */
  rollbackApproval: z.strictObject({ expiresMinutes: z.number().int().min(1).max(24 * 60) }).optional(),
});

const fileSchema = z.strictObject({
  $schema: z.string().optional(),
  targets: z
    .array(targetSchema)
    .min(1, 'must list at least one target')
    .max(20, 'may list at most 20 targets')
    .superRefine((targets, ctx) => {
      const seen = new Map<string, number>();
      targets.forEach((t, i) => {
        const first = seen.get(t.name);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${t.name}" is already the name of targets[${first}]` });
        else seen.set(t.name, i);
      });
    }),
});

export type TargetSpec = z.infer<typeof targetSchema>;
export type TargetsFile = z.infer<typeof fileSchema>;

export class TargetsFileError extends Error {
  override name = 'TargetsFileError';
}

/** The file's targets, in promotion order; null when there is no file. Throws TargetsFileError naming what is wrong. */
export function readTargetsFile(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): { file: string; targets: TargetSpec[] } | null {
  const file = path.resolve(cwd, env.STRATA_TARGETS_FILE || 'strata.targets.json');
  let text: string;
  try {
    // The team's file, read at run time wherever it is: not part of the build.
    text = fs.readFileSync(/*turbopackIgnore: true*/ file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !env.STRATA_TARGETS_FILE) return null;
    throw new TargetsFileError(`${file}: cannot be read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TargetsFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(the file)'}: ${i.message}`);
    throw new TargetsFileError(`${file} is not a valid targets file:\n${lines.join('\n')}`);
  }
  return { file, targets: parsed.data.targets };
}

/**
 * The home database, where the dashboard keeps its users, sessions, tokens and the gathered audit
 * trail: STRATA_HOME_DATABASE_URL, else DATABASE_URL, else (with a targets file) the first target
 * whose URL variable is set; undefined for the embedded database. The knex command line is not
 * concerned: it migrates DATABASE_URL.
 */
export function homeDatabaseUrl(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string | undefined {
  const home = env.STRATA_HOME_DATABASE_URL?.trim();
  if (home) return home;
  const db = env.DATABASE_URL?.trim();
  if (db) return db;
  let read: ReturnType<typeof readTargetsFile> = null;
  try {
    read = readTargetsFile(env, cwd);
  } catch {
    // An invalid file is said where targets are read; the home falls back to the embedded database.
    return undefined;
  }
  // A target whose variable is DATABASE_URL (unset here) is the embedded database: the home.
  if (!read || read.targets.some((t) => t.urlEnv === 'DATABASE_URL')) return undefined;
  for (const t of read.targets) {
    const url = env[t.urlEnv]?.trim();
    if (url) return url;
  }
  return undefined;
}
