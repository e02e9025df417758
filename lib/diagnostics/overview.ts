import 'server-only';
// What the overview page says about the connected database.
import { readConfig } from '../config';
import type { Db } from '../db/knex';
import { vectorExtensionState, VECTOR_CHECK_SQL } from '../db/preflight';
import { describeTarget } from '../db/target';
import { migrationStatus } from '../migrations/status';

export type Overview = {
  kind: 'external' | 'embedded';
  host: string;
  database: string;
  dataDir: string | null;
  serverVersion: string;
  vector: { installedVersion: string | null; availableVersion: string | null; checkSql: string };
  migrations: { applied: number; pending: number; missingFiles: number; table: string; directory: string };
};

export async function getOverview({ knex, target }: Db): Promise<Overview> {
  const config = readConfig();
  const [versionRes, vector, migrations] = await Promise.all([
    knex.raw<{ rows: { server_version: string }[] }>('SHOW server_version'),
    vectorExtensionState(knex),
    migrationStatus(knex, config),
  ]);
  const where = describeTarget(target);
  return {
    kind: where.kind,
    host: where.host,
    database: where.database,
    dataDir: target.kind === 'embedded' ? target.dataDir : null,
    serverVersion: versionRes.rows[0]?.server_version ?? 'unknown',
    vector: { ...vector, checkSql: VECTOR_CHECK_SQL },
    migrations: {
      // Everything knex has recorded, whether or not its file is still there.
      applied: migrations.filter((m) => m.status !== 'pending').length,
      pending: migrations.filter((m) => m.status === 'pending').length,
      missingFiles: migrations.filter((m) => m.status === 'missing_file').length,
      table: config.migrationsTable,
      directory: config.migrationsDir,
    },
  };
}
