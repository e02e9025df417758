// What the migrations console says about a batch that is not one transaction and fails half-way,
// in the browser: the run panel, the history and the run page agree with the API and the
// database, and the way back ("Roll back what this run applied") returns the database to where it
// was. A dashboard of its own, on a database of its own, with the messy fixture folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import knex from 'knex';
import { expectAccessible } from './axe';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { startServer, type ExtraServer } from './server';

const MESSY = path.join(process.cwd(), 'test', 'fixtures', 'migrations', 'messy');
const FILES = fs.readdirSync(MESSY).filter((f) => !f.endsWith('.md')).sort();

test('a non-atomic batch that fails at its fifth migration says what stayed, everywhere, and can be undone', async ({ page, context }) => {
  test.setTimeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-truth-'));
  for (const f of FILES) fs.copyFileSync(path.join(MESSY, f), path.join(dir, f));
  const env: Record<string, string | undefined> = { ...serverEnv(), STRATA_MIGRATIONS_DIR: dir };
  let dropDb = async () => {};
  if (process.env.E2E_DB_NAME) {
    const name = `strata_e2e_truth_${process.pid}`;
    const admin = knex({ client: 'pg', connection: process.env.TEST_DATABASE_URL!, pool: { min: 0, max: 1 } });
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.raw('CREATE DATABASE ??', [name]);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDb = async () => {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    };
  } else {
    env.STRATA_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-truth-db-'));
  }
  let server: ExtraServer | undefined;
  try {
    server = await startServer(Number(E2E_PORT) + 5, env);
    const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    const cookie = signIn.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
    const [cookieName, cookieValue] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
    await context.addCookies([{ name: cookieName, value: cookieValue, url: server.url }]);
    const headers = { cookie, origin: server.url, 'content-type': 'application/json' };

    // The API: a failed run (422) whose entries say what became of each migration.
    const res = await fetch(`${server.url}/api/migrations/latest?wait=1`, { method: 'POST', headers, body: JSON.stringify({ expected: FILES }) });
    expect(res.status).toBe(422);
    const { run } = ((await res.json()) as { error: { details: { run: { id: string; atomic: boolean; migrations: { status: string }[] } } } }).error.details;
    expect(run.atomic).toBe(false);
    expect(run.migrations.map((m) => m.status)).toEqual(['committed', 'committed', 'committed', 'committed', 'rolled_back']);

    // The run panel.
    await page.goto(`${server.url}/migrations?run=${run.id}`);
    const panel = page.getByTestId('run-panel');
    await expect(panel.getByTestId('run-status')).toHaveText('Failed');
    await expect(panel.getByTestId('run-atomic')).toContainText('not one transaction');
    await expect(panel.getByTestId('run-headline')).toHaveText(`${FILES[4]} failed.`);
    await expect(panel.getByTestId('run-outcome')).toContainText(`4 of 5 migrations stayed applied (${FILES.slice(0, 4).join(', ')})`);
    await expect(panel.getByTestId('run-outcome')).toContainText('so the database is not as it was before the run');
    await expect(panel.getByTestId('run-outcome')).not.toContainText('the database is as it was');
    await expect(panel.getByTestId('run-migration-outcome')).toHaveText(['applied', 'applied', 'applied', 'applied', 'rolled back (nothing of it stayed)']);
    // The migrations below: four applied by the admin, through Strata.
    await expect(page.getByTestId('migration-status')).toHaveText(['Applied', 'Applied', 'Applied', 'Applied', 'Pending']);
    await expect(page.getByTestId('migration-row').filter({ hasText: 'outside Strata' })).toHaveCount(0);
    await expectAccessible(page);

    // The history and the run page say the same.
    await page.goto(`${server.url}/migrations/history`);
    const row = page.getByTestId('history-row').first();
    await expect(row.getByTestId('history-outcome')).toContainText('Failed · not one transaction');
    await expect(row.getByTestId('history-outcome')).toContainText(`${FILES[4]} failed.`);
    await expect(row.getByTestId('history-outcome')).toContainText('4 of 5 migrations stayed applied');
    await row.getByRole('link', { name: /Open/ }).click();
    await expect(page).toHaveURL(new RegExp(`/migrations/runs/${run.id}$`));
    await expect(page.getByTestId('run-migration-outcome')).toHaveText(['applied', 'applied', 'applied', 'applied', 'rolled back (nothing of it stayed)']);
    await expect(page.getByTestId('run-error')).toContainText('widget_archive');
    await expectAccessible(page);

    // The way back.
    await page.goto(`${server.url}/migrations?run=${run.id}`);
    await page.getByRole('button', { name: 'Roll back what this run applied (4)' }).click();
    const dialog = page.getByRole('dialog', { name: /Roll back what run .* applied \(batch 1\)/ });
    await expect(dialog).toContainText(`This reverts the 4 migrations that run left applied`);
    await expect(dialog.getByTestId('typed-confirmation')).toContainText('This rollback deletes 300 rows from widgets.', { timeout: 60_000 });
    await dialog.getByRole('textbox', { name: /Type the batch number/ }).fill('1');
    await dialog.getByRole('button', { name: 'Roll back batch 1' }).click();
    await expect(page.getByTestId('run-status')).toHaveText('Succeeded');
    await expect(page.getByTestId('run-headline')).toHaveText(`Rolled back batch 1 (what run ${run.id.slice(0, 8)} applied): 4 migrations reverted.`);
    await expect(page.getByTestId('migration-status')).toHaveText(FILES.map(() => 'Pending'));
  } finally {
    // Pages that keep polling would hold the server's graceful shutdown open.
    for (const p of context.pages()) await p.close();
    await server?.stop();
    await dropDb();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
