import 'server-only';
// Facts about migration files on disk: checksum, whether knex runs them in a transaction, source.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Knex } from 'knex';
import { loadMigrationModule, StrataMigrationSource, type MigrationFile } from './source';

export type FileFacts = { name: string; path: string; checksum: string; transaction: boolean | null; loadError: string | null };

export function checksumOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

// Facts per file, kept while the file's size and modification time stay the same: the status
// page reads hundreds of files, and loading each module every time would dominate it.
const factsCache = new Map<string, { key: string; facts: FileFacts }>();

export async function fileFacts(file: MigrationFile): Promise<FileFacts> {
  const stat = await fs.stat(file.path);
  const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  const hit = factsCache.get(file.path);
  if (hit?.key === key && hit.facts.name === file.file) return hit.facts;
  const facts = await readFacts(file);
  factsCache.set(file.path, { key, facts });
  return facts;
}

async function readFacts(file: MigrationFile): Promise<FileFacts> {
  const content = await fs.readFile(file.path);
  let transaction: boolean | null = null;
  let loadError: string | null = null;
  try {
    const mod = await loadMigrationModule(file.path);
    transaction = mod.config?.transaction !== false;
  } catch (err) {
    loadError = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
  return { name: file.file, path: file.path, checksum: checksumOf(content), transaction, loadError };
}

export async function readSource(file: MigrationFile): Promise<string> {
  return fs.readFile(file.path, 'utf8');
}

export type Hooks = {
  onStart?: (name: string, direction: 'up' | 'down') => void;
  onEnd?: (name: string, direction: 'up' | 'down', ms: number) => void;
  /**
   * After up() or down() returned, with the knex it ran on: the migration's transaction when it
   * has one, so that what is written here commits (or rolls back) together with its work.
   */
  afterMigration?: (k: Knex, name: string, direction: 'up' | 'down', ms: number, checksum: string) => Promise<void>;
};

/**
 * The migration source knex runs with in the dashboard: the same files as the CLI's, with each
 * migration's up/down wrapped so that Strata knows which one is running and how long it took.
 */
export class InstrumentedSource implements Knex.MigrationSource<MigrationFile> {
  private readonly inner: StrataMigrationSource;
  constructor(
    directory: string,
    private readonly hooks: Hooks,
    private readonly only?: ReadonlySet<string>,
  ) {
    this.inner = new StrataMigrationSource(directory);
  }

  async getMigrations(): Promise<MigrationFile[]> {
    const all = await this.inner.getMigrations();
    return this.only ? all.filter((f) => this.only!.has(f.file)) : all;
  }

  getMigrationName(m: MigrationFile): string {
    return this.inner.getMigrationName(m);
  }

  async getMigration(m: MigrationFile): Promise<Knex.Migration> {
    // The checksum of the file as it is loaded now: what runs is what gets recorded.
    const checksum = checksumOf(await fs.readFile(m.path));
    const mod = (await this.inner.getMigration(m)) as Knex.Migration & { config?: object };
    const wrap = (direction: 'up' | 'down', fn: ((k: Knex) => PromiseLike<unknown>) | undefined) =>
      fn &&
      (async (k: Knex) => {
        this.hooks.onStart?.(m.file, direction);
        const started = performance.now();
        await fn(k);
        const ms = Math.round(performance.now() - started);
        this.hooks.onEnd?.(m.file, direction, ms);
        await this.hooks.afterMigration?.(k, m.file, direction, ms, checksum);
      });
    return { ...mod, up: wrap('up', mod.up)!, down: wrap('down', mod.down) } as Knex.Migration;
  }
}
