// What the browser tests and the server they start share: the database (decided once, in the
// Playwright main process, and inherited by the workers), the first admin, and the server log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const E2E_PORT = process.env.E2E_PORT ?? '3210';
export const BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const ADMIN = { email: 'admin@e2e.test', password: process.env.E2E_ADMIN_PASSWORD ?? 'e2e-admin-password-1' };

function decide(): void {
  if (process.env.E2E_STATE === 'decided') return;
  process.env.E2E_STATE = 'decided';
  const postgres = process.env.TEST_DATABASE_URL && process.env.STRATA_TEST_DB !== 'embedded';
  if (postgres) {
    process.env.E2E_DB_NAME = `strata_e2e_${process.pid}`;
  } else {
    process.env.E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-e2e-'));
  }
  process.env.E2E_LOG_FILE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'strata-e2e-log-')), 'server.log');
  // A random admin password per run, so that finding it in a log or bundle means a real leak.
  process.env.E2E_ADMIN_PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  // The signing secret a server database requires; random per run for the same reason.
  process.env.E2E_AUTH_SECRET = randomBytes(32).toString('base64url');
}
decide();
ADMIN.password = process.env.E2E_ADMIN_PASSWORD!;

/** Where e2e/serve.ts writes the process id of the server under test (its memory is measured). */
export const SERVER_PID_FILE = () => `${process.env.E2E_LOG_FILE}.pid`;

/** The environment of the dashboard under test, as far as the tests need it. */
export function serverEnv(): Record<string, string> {
  const env: Record<string, string> = {
    E2E_PORT,
    E2E_LOG_FILE: process.env.E2E_LOG_FILE!,
    STRATA_ADMIN_EMAIL: ADMIN.email,
    STRATA_ADMIN_PASSWORD: ADMIN.password,
    STRATA_BASE_URL: BASE_URL,
    STRATA_AUTH_SECRET: process.env.E2E_AUTH_SECRET!,
  };
  if (process.env.E2E_DB_NAME) {
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${process.env.E2E_DB_NAME}`;
    env.DATABASE_URL = u.toString();
  } else {
    env.STRATA_DATA_DIR = process.env.E2E_DATA_DIR!;
  }
  return env;
}
