import 'server-only';
// Every migration with its state: applied, pending, missing file (recorded, no file on disk) or
// changed since applied (the file's checksum differs from the one recorded when Strata ran it).
import type { Knex } from 'knex';
import type { AuditDb } from '../auth/audit';
import type { StrataConfig } from '../config';
import type { MigrationRow, MigrationsStatus } from '../schemas/migrations';
import { missingFiles } from './plan';
import { databaseKeyOf } from '../db/database-key';
import { busyMessage, embeddedBusy, type EmbeddedHolder } from '../db/embedded-busy';
import { heldByRun, lockState } from './lock-state';
import { reconcileRuns } from './reconcile';
import { liveRun } from './runs';
import { fileFacts } from './files';
import { StrataMigrationSource } from './source';

type AppliedRow = { name: string; batch: number; migration_time: Date | string };
type Recorded = { name: string; checksum: string; actor_label: string; duration_ms: number };

export async function migrationStatus(db: Knex, config: StrataConfig): Promise<MigrationRow[]> {
  const files = await new StrataMigrationSource(config.migrationsDir).getMigrations();
  const hasTable = await db.schema.hasTable(config.migrationsTable);
  const applied: AppliedRow[] = hasTable ? await db(config.migrationsTable).select('name', 'batch', 'migration_time').orderBy('id') : [];
  const recorded: Recorded[] = (await db.schema.withSchema('strata').hasTable('applied_migrations'))
    ? await db('strata.applied_migrations').where({ migrations_table: config.migrationsTable }).select('name', 'checksum', 'actor_label', 'duration_ms')
    : [];
  const appliedByName = new Map(applied.map((r) => [r.name, r]));
  const recordedByName = new Map(recorded.map((r) => [r.name, r]));
  const facts = await Promise.all(files.map(fileFacts));
  const out: MigrationRow[] = facts.map((f) => {
    const row = appliedByName.get(f.name);
    const rec = row ? recordedByName.get(f.name) : undefined;
    return {
      name: f.name,
      status: !row ? 'pending' : rec && rec.checksum !== f.checksum ? 'changed' : 'applied',
      batch: row?.batch ?? null,
      appliedAt: row ? new Date(row.migration_time).toISOString() : null,
      durationMs: rec?.duration_ms ?? null,
      appliedBy: rec?.actor_label ?? null,
      transaction: f.transaction,
      loadError: f.loadError,
    };
  });
  const onDisk = new Set(files.map((f) => f.file));
  for (const r of applied) {
    if (onDisk.has(r.name)) continue;
    const rec = recordedByName.get(r.name);
    out.push({
      name: r.name,
      status: 'missing_file',
      batch: r.batch,
      appliedAt: new Date(r.migration_time).toISOString(),
      durationMs: rec?.duration_ms ?? null,
      appliedBy: rec?.actor_label ?? null,
      transaction: null,
      loadError: null,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// The last overview read per database and migrations table, for the moments the embedded database is busy.
const lastRead: Map<string, MigrationsStatus> = ((globalThis as Record<string, unknown>).__strataLastMigrationsStatus ??= new Map<string, MigrationsStatus>()) as Map<
  string,
  MigrationsStatus
>;

const readKey = (knex: Knex, config: StrataConfig) => `${databaseKeyOf(knex)}|${config.migrationsTable}`;

/** While a run or a job holds the embedded database: the last list read, and the lock from memory. */
function busyOverview(knex: Knex, config: StrataConfig, busy: EmbeddedHolder): MigrationsStatus {
  const running = liveRun(knex, config.migrationsTable);
  const last = lastRead.get(readKey(knex, config));
  const message = busyMessage(busy);
  return {
    migrations: last?.migrations ?? [],
    lastBatch: last?.lastBatch ?? null,
    blocked: last?.blocked ?? null,
    migrationsTable: config.migrationsTable,
    asOf: last?.asOf ?? new Date(0).toISOString(),
    lock: running
      ? { knexLocked: last?.lock.knexLocked ?? false, knexLockedSince: last?.lock.knexLockedSince ?? null, running, suspects: [], explanation: heldByRun(running) }
      : { knexLocked: last?.lock.knexLocked ?? false, knexLockedSince: last?.lock.knexLockedSince ?? null, running: null, suspects: [], explanation: message },
    busy: { message, what: busy.what, by: busy.by, startedAt: new Date(busy.startedAt).toISOString() },
  };
}

/** Everything the migrations page shows, after marking runs whose process died as interrupted. */
export async function migrationsOverview(db: AuditDb, config: StrataConfig): Promise<MigrationsStatus> {
  const busy = embeddedBusy(db.target);
  if (busy) return busyOverview(db.knex, config, busy);
  const { knex } = db;
  const asOf = new Date().toISOString();
  await reconcileRuns(db, config);
  const [migrations, lock, missing] = await Promise.all([
    migrationStatus(knex, config),
    lockState(knex, config.migrationsTable),
    missingFiles(knex, config),
  ]);
  const batches = migrations.map((m) => m.batch).filter((b): b is number => b !== null);
  const status: MigrationsStatus = {
    migrations,
    lastBatch: batches.length ? Math.max(...batches) : null,
    lock,
    blocked: missing.length
      ? `${missing.length} applied migration(s) have no file on disk (${missing.join(', ')}): knex refuses to run or roll back until the files are restored.`
      : null,
    migrationsTable: config.migrationsTable,
    asOf,
    busy: null,
  };
  lastRead.set(readKey(knex, config), status);
  return status;
}
