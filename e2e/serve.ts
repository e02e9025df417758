// Starts the production build for the browser tests on a database of its own: a fresh database
// on TEST_DATABASE_URL's server when set, otherwise a fresh embedded database in a temporary folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';

const port = process.env.E2E_PORT ?? '3210';

async function freshPostgres(adminUrl: string): Promise<string> {
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    // Databases left by earlier runs that were killed before they could clean up.
    const old = await admin.raw<{ rows: { datname: string }[] }>("SELECT datname FROM pg_database WHERE datname LIKE 'strata_e2e_%'");
    for (const { datname } of old.rows) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    const name = `strata_e2e_${process.pid}`;
    await admin.raw('CREATE DATABASE ??', [name]);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  } finally {
    await admin.destroy();
  }
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  if (process.env.TEST_DATABASE_URL && process.env.STRATA_TEST_DB !== 'embedded') {
    env.DATABASE_URL = await freshPostgres(process.env.TEST_DATABASE_URL);
    console.log(`[e2e] database: a fresh database on TEST_DATABASE_URL's server`);
  } else {
    delete env.DATABASE_URL;
    env.STRATA_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-e2e-'));
    console.log(`[e2e] database: embedded, in ${env.STRATA_DATA_DIR}`);
  }
  const next = spawn('npx', ['next', 'start', '-p', port], { env, stdio: 'inherit' });
  const stop = () => next.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  next.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
