// The migrations in db/migrations as knex sees them: tests that mean "every migration" count
// these rather than a number written down when there were four.
import fs from 'node:fs';
import path from 'node:path';
import { isMigrationFile } from '../../lib/migrations/source';

export function migrationFiles(dir = path.join(process.cwd(), 'db', 'migrations')): string[] {
  return fs.readdirSync(dir).filter(isMigrationFile).sort();
}

/** The guide's four, which later migrations build on and which stay as the guide has them. */
export const GUIDE_MIGRATIONS = [
  '20240211000001_initial_setup.ts',
  '20240211000002_create_content_tables.ts',
  '20240211000003_create_vector_tables.ts',
  '20240211000004_create_evaluation_tables.ts',
] as const;
