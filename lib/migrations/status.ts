import 'server-only';
// Applied and pending migrations, from the migrations table and the same source the CLI uses.
import type { Knex } from 'knex';
import type { StrataConfig } from '../config';
import { StrataMigrationSource } from './source';

export type MigrationStatus = {
  name: string;
  status: 'applied' | 'pending' | 'missing_file';
  batch: number | null;
  appliedAt: string | null;
};

type AppliedRow = { name: string; batch: number; migration_time: Date | string };

export async function migrationStatus(db: Knex, config: StrataConfig): Promise<MigrationStatus[]> {
  const files = await new StrataMigrationSource(config.migrationsDir).getMigrations();
  const hasTable = await db.schema.hasTable(config.migrationsTable);
  const applied: AppliedRow[] = hasTable
    ? await db(config.migrationsTable).select('name', 'batch', 'migration_time').orderBy('id')
    : [];
  const appliedByName = new Map(applied.map((r) => [r.name, r]));
  const onDisk = new Set(files.map((f) => f.file));
  const out: MigrationStatus[] = files.map((f) => {
    const row = appliedByName.get(f.file);
    return {
      name: f.file,
      status: row ? 'applied' : 'pending',
      batch: row?.batch ?? null,
      appliedAt: row ? new Date(row.migration_time).toISOString() : null,
    };
  });
  for (const r of applied) {
    if (!onDisk.has(r.name)) {
      out.push({ name: r.name, status: 'missing_file', batch: r.batch, appliedAt: new Date(r.migration_time).toISOString() });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
