// Strata's own migrations, in order. They are compiled into the app (not read from a folder), and
// run into the `strata` schema with a migrations table of their own, so the user's migrations,
// `knex migrate:list` and the migrations page never see them.
import type { Knex } from 'knex';
import * as auth from './0001_auth';
import * as migrationRuns from './0002_migration_runs';
import * as runOutcomes from './0003_run_outcomes';
import * as hardening from './0004_hardening';
import * as targets from './0005_targets';
import * as jobs from './0006_jobs';
import * as targetRoles from './0007_target_roles';
import * as auditForwarding from './0008_audit_forwarding';

export const STRATA_SCHEMA = 'strata';
export const STRATA_MIGRATIONS_TABLE = 'strata_migrations';

const migrations: Record<string, Knex.Migration> = {
  '0001_auth': auth,
  '0002_migration_runs': migrationRuns,
  '0003_run_outcomes': runOutcomes,
  '0004_hardening': hardening,
  '0005_targets': targets,
  '0006_jobs': jobs,
  '0007_target_roles': targetRoles,
  '0008_audit_forwarding': auditForwarding,
};

export const strataMigrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
