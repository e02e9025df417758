// The one migration source that both the knex CLI (via knexfile.ts) and the dashboard use,
// so they always agree on what is applied and pending. The directory is read on every call:
// a file deployed beside a running server shows up as pending without a rebuild.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/** The file types knex itself loads for migrations; `.d.ts` files are declarations, not migrations. */
export const MIGRATION_EXTENSIONS = ['.ts', '.js', '.cjs', '.mjs'] as const;

// `file` is the bare name because knex's CLI prints it for pending migrations.
export type MigrationFile = { file: string; path: string };

export type MigrationModule = Knex.Migration & { config?: { transaction?: boolean } };

export function isMigrationFile(name: string): boolean {
  if (name.endsWith('.d.ts')) return false;
  return (MIGRATION_EXTENSIONS as readonly string[]).includes(path.extname(name));
}

// Node's own require, not a bundler's: migrations live outside the build and change at run time.
const nodeRequire = createRequire(path.join(process.cwd(), 'package.json'));
const nativeImport = nodeRequire(path.join(process.cwd(), 'lib/migrations/native-import.cjs')) as (
  specifier: string,
) => Promise<unknown>;

function ensureTypeScriptLoader(): void {
  // The knex CLI has registered a loader for .ts already (it needed one for knexfile.ts);
  // the Next.js server has not.
  if (!nodeRequire.extensions['.ts']) nodeRequire('sucrase/register/ts');
}

async function isEsm(file: string): Promise<boolean> {
  // knex's own rule: .mjs, or a .js/.ts file under a package.json with "type": "module".
  const isModuleType = nodeRequire('knex/lib/migrations/util/is-module-type') as (f: string) => Promise<boolean>;
  return isModuleType(file);
}

/** Loads a migration module fresh from disk (a changed file is never served from a cache). */
export async function loadMigrationModule(file: string): Promise<MigrationModule> {
  const ext = path.extname(file);
  if (ext === '.ts') ensureTypeScriptLoader();
  if (ext !== '.ts' && (await isEsm(file))) {
    const { mtimeMs } = await fs.stat(file);
    const mod = (await nativeImport(`${pathToFileURL(file).href}?v=${mtimeMs}`)) as MigrationModule & {
      default?: MigrationModule;
    };
    return mod.default && typeof mod.default.up === 'function' ? mod.default : mod;
  }
  const resolved = nodeRequire.resolve(file);
  delete nodeRequire.cache[resolved];
  const mod = nodeRequire(resolved) as MigrationModule & { default?: MigrationModule };
  return mod.default && typeof mod.default.up === 'function' ? mod.default : mod;
}

export class StrataMigrationSource implements Knex.MigrationSource<MigrationFile> {
  constructor(readonly directory: string) {}

  async getMigrations(): Promise<MigrationFile[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.directory);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter(isMigrationFile)
      .sort()
      .map((name) => ({ file: name, path: path.join(this.directory, name) }));
  }

  getMigrationName(migration: MigrationFile): string {
    return migration.file;
  }

  getMigration(migration: MigrationFile): Promise<Knex.Migration> {
    return loadMigrationModule(migration.path);
  }
}
