// Knex configuration for the CLI (`npm run migrate`, `npx knex migrate:list`, ...).
// It shares lib/db/knex-config.ts with the dashboard, so both see the same migrations.
// Without DATABASE_URL it uses the embedded database: through the dashboard that owns it when
// one is running, or by owning the data folder for the length of the command.
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { readConfig } from './lib/config';
import { KNEX_CLI_APPLICATION, knexConfig } from './lib/db/knex-config';
import { missingVectorMessage, vectorExtensionState } from './lib/db/preflight';
import { closeOwnedEmbedded, describeTarget, resolveTarget } from './lib/db/target';

const command = process.argv.find((a) => /^(migrate|seed):/.test(a)) ?? '';

async function preflight(config: Knex.Config, label: string): Promise<void> {
  const db = knex({ ...config, pool: { min: 0, max: 1 } });
  try {
    const state = await vectorExtensionState(db);
    if (!state.installedVersion && !state.availableVersion) {
      console.error(missingVectorMessage(label));
      process.exit(1);
    }
  } finally {
    await db.destroy();
  }
}

/** knex's CLI ends with process.exit(); an owned embedded database must be closed first. */
function closeEmbeddedBeforeExit(): void {
  const exit = process.exit.bind(process);
  let exiting = false;
  process.exit = ((code?: number) => {
    // knex carries on after its exit call returns: the first call wins, the rest is muted.
    if (exiting) return undefined as never;
    exiting = true;
    console.log = () => undefined;
    console.error = () => undefined;
    closeOwnedEmbedded().finally(() => exit(code));
    return undefined as never;
  }) as typeof process.exit;
}

export default async function knexfile(): Promise<Record<'development' | 'test' | 'production', Knex.Config>> {
  const config = readConfig();
  if (command === 'migrate:make') {
    // The generator only needs the folder; it never reads the database.
    const make: Knex.Config = {
      client: 'pg',
      migrations: {
        directory: config.migrationsDir,
        extension: 'ts',
        stub: path.join(process.cwd(), 'db', 'migration.stub'),
      },
    };
    return { development: make, test: make, production: make };
  }

  const target = await resolveTarget(config);
  const where = describeTarget(target);
  if (target.kind === 'embedded') {
    const via = target.owner === 'self' ? 'opened by this command' : `through the dashboard (pid ${target.owner})`;
    console.error(`Using the embedded database in ${path.relative(process.cwd(), target.dataDir) || '.'}, ${via}.`);
    if (target.owner === 'self') closeEmbeddedBeforeExit();
  }
  // Named so that Strata's lock release can tell a running knex CLI from other sessions; without
  // the dashboard's read timeouts, since a migration may run for hours.
  const base = knexConfig(target, config, { applicationName: KNEX_CLI_APPLICATION, readTimeouts: false });
  if (command === 'migrate:latest' || command === 'migrate:up') {
    await preflight(base, `${where.host}/${where.database}`);
  }
  return {
    development: base,
    test: base,
    production: { ...base, pool: target.kind === 'embedded' ? base.pool : { min: 0, max: 4 } },
  };
}
