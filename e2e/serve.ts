// Starts the production build for the browser tests on a database of its own (chosen in
// e2e/env.ts): a fresh database on TEST_DATABASE_URL's server, or a fresh embedded database in a
// temporary folder. The server's output goes to the console and to E2E_LOG_FILE, which the
// tests read to check that no secret reaches the log.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import knex from 'knex';

const port = process.env.E2E_PORT ?? '3210';

async function createDatabase(adminUrl: string, name: string): Promise<() => Promise<void>> {
  const admin = () => knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const a = admin();
  try {
    // Databases of earlier runs whose server process is gone (killed before it could clean up).
    const old = await a.raw<{ rows: { datname: string }[] }>("SELECT datname FROM pg_database WHERE datname LIKE 'strata_e2e_%'");
    for (const { datname } of old.rows) {
      const pid = Number(datname.slice('strata_e2e_'.length));
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        // no such process
      }
      if (!alive) await a.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    }
    await a.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await a.raw('CREATE DATABASE ??', [name]);
  } finally {
    await a.destroy();
  }
  return async () => {
    const b = admin();
    await b.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]).finally(() => b.destroy());
  };
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  let cleanup = async () => {};
  if (env.DATABASE_URL && env.E2E_DB_NAME) {
    cleanup = await createDatabase(process.env.TEST_DATABASE_URL!, env.E2E_DB_NAME);
    console.log(`[e2e] database: ${env.E2E_DB_NAME}, a fresh database on TEST_DATABASE_URL's server`);
  } else {
    delete env.DATABASE_URL;
    const dir = env.STRATA_DATA_DIR!;
    console.log(`[e2e] database: embedded, in ${dir}`);
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const logFile = env.E2E_LOG_FILE ? fs.createWriteStream(env.E2E_LOG_FILE, { flags: 'a' }) : null;
  // Next.js's own entry, run by this Node: the child is the server itself, whose memory a test
  // reads (its pid is written beside the log).
  const nextBin = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const next = spawn(process.execPath, [nextBin, 'start', '-p', port], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (env.E2E_LOG_FILE && next.pid) fs.writeFileSync(`${env.E2E_LOG_FILE}.pid`, String(next.pid));
  for (const stream of [next.stdout, next.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      logFile?.write(chunk);
    });
  }
  const stop = () => next.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  next.on('exit', (code) => {
    logFile?.end();
    cleanup()
      .catch((err: unknown) => console.error('[e2e] cleanup failed:', err))
      .finally(() => process.exit(code ?? 0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
