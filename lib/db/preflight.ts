// Checks a PostgreSQL can hold the guide's schema before anything runs on it.
import type { Knex } from 'knex';

export type VectorExtensionState = {
  installedVersion: string | null;
  availableVersion: string | null;
};

/** The guide's troubleshooting check (item 1), shown to the user when pgvector is missing. */
export const VECTOR_CHECK_SQL = "SELECT * FROM pg_available_extensions WHERE name = 'vector';";

export async function vectorExtensionState(db: Knex): Promise<VectorExtensionState> {
  const res = await db.raw<{ rows: { default_version: string | null; installed_version: string | null }[] }>(
    'SELECT default_version, installed_version FROM pg_available_extensions WHERE name = ?',
    ['vector'],
  );
  const row = res.rows[0];
  return { installedVersion: row?.installed_version ?? null, availableVersion: row?.default_version ?? null };
}

export function missingVectorMessage(where: string): string {
  return [
    `The pgvector extension is not available on ${where}.`,
    'The migrations need it (CREATE EXTENSION vector). Check with:',
    '',
    `  ${VECTOR_CHECK_SQL}`,
    '',
    'If that returns no row, install pgvector on the database server (for example the',
    'postgresql-<version>-pgvector package, or build it from source), then run the migrations again.',
  ].join('\n');
}
