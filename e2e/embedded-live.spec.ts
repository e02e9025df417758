// A run on the embedded database, the default, as a new user sees it: the run holds the embedded
// database's only connection, and yet the page shows the Running panel, the current migration and
// disabled buttons with the reason, in every tab, and the run endpoint answers while the migration
// still runs (from the memory of the process running it). A dashboard of its own on an embedded
// database in a temporary folder, whatever database the rest of the suite uses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { startServer, type ExtraServer } from './server';

const SLEEP_S = 8;

test('during an 8 s migration on the embedded database, every tab shows the run and why the buttons are off', async ({ page, context }) => {
  test.setTimeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-live-'));
  fs.writeFileSync(
    path.join(dir, '001_slow.js'),
    `exports.up = async (knex) => { await knex.raw('CREATE TABLE live_t (id int)'); await knex.raw('SELECT pg_sleep(${SLEEP_S})'); };
exports.down = async (knex) => { await knex.raw('DROP TABLE live_t'); };`,
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-live-db-'));
  let server: ExtraServer | undefined;
  try {
    server = await startServer(Number(E2E_PORT) + 6, { ...serverEnv(), DATABASE_URL: '', STRATA_DATA_DIR: dataDir, STRATA_MIGRATIONS_DIR: dir });
    const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    const cookie = signIn.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
    await context.addCookies([{ name: cookie.slice(0, cookie.indexOf('=')), value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);

    await page.goto(`${server.url}/migrations`);
    const second = await context.newPage();
    await second.goto(`${server.url}/migrations`);
    await expect(second.getByRole('button', { name: 'Run pending (1)' })).toBeEnabled();

    await page.getByRole('button', { name: 'Run pending (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run pending migrations' });
    const confirm = dialog.getByRole('button', { name: 'Run 1 migration' });
    await expect(confirm).toBeEnabled({ timeout: 60_000 });
    // Timed in the page (Playwright's own waiting polls too coarsely for this figure): from the
    // click on Confirm to the Running panel in the document, before it is painted.
    await page.evaluate(`(() => {
      window.__confirmAt = null; window.__panelAt = null;
      document.addEventListener('click', () => { if (window.__confirmAt === null) window.__confirmAt = performance.now(); }, true);
      const seen = () => {
        const s = document.querySelector('[data-testid="run-panel"] [data-testid="run-status"]');
        if (window.__panelAt === null && s && s.textContent === 'Running') window.__panelAt = performance.now();
      };
      new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
    })()`);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname + new URL(r.url()).search));
    await confirm.click();

    // The Running panel with the current migration, and the buttons off with the reason.
    const panel = page.getByTestId('run-panel');
    await expect(panel.getByTestId('run-status')).toHaveText('Running');
    const panelAfterMs = Math.round(await page.evaluate<number>('window.__panelAt - window.__confirmAt'));
    await expect(panel.getByTestId('run-headline')).toHaveText('Running: 0 of 1 migration applied; now running 001_slow.js.');
    await expect(page.getByRole('button', { name: /Run pending/ })).toBeDisabled();
    await expect(page.getByTestId('actions-explanation')).toContainText('A run is in progress (by admin@e2e.test)');
    const runId = new URL(page.url()).searchParams.get('run')!;

    // The run endpoint answers while the migration still sleeps: from the memory of this process.
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const res = await fetch(`${server.url}/api/migrations/runs/${runId}`, { headers: { cookie } });
      latencies.push(Math.round(performance.now() - t));
      expect(res.status).toBe(200);
      const { run } = (await res.json()) as { run: { status: string; currentMigration: string | null } };
      expect(run).toMatchObject({ status: 'running', currentMigration: '001_slow.js' });
      await new Promise((r) => setTimeout(r, 200));
    }
    // The other tab learns of the run too, and a page opened now loads without waiting for it.
    await expect(second.getByRole('button', { name: /Run pending/ })).toBeDisabled({ timeout: 10_000 });
    const third = await context.newPage();
    const t0 = Date.now();
    await third.goto(`${server.url}/migrations`);
    await expect(third.getByTestId('run-status')).toHaveText('Running');
    const pageLoadMs = Date.now() - t0;
    await expect(third.getByTestId('migrations-busy')).toContainText("Busy: a migration run holds the embedded database's only connection");
    await expect(third.getByTestId('busy-banner')).toContainText('When this page was loaded: Busy: a migration run');
    // Anything else that needs the database says it is busy instead of waiting.
    const other = await fetch(`${server.url}/api/users`, { headers: { cookie } });
    expect(other.status).toBe(503);
    expect(((await other.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'database_busy', message: expect.stringMatching(/^Busy: a migration run/) });
    console.log(`[embedded live] panel ${panelAfterMs} ms after the confirmation; run endpoint ${latencies.join(', ')} ms; a page opened mid-run ${pageLoadMs} ms`);
    await expectAccessible(third);

    await expect(panel.getByTestId('run-status')).toHaveText('Succeeded', { timeout: 60_000 });
    // The panel was pushed the run's states (GET /api/live), not polling every second through 8 s.
    expect(requests).toContain(`/api/live?run=${runId}`);
    const polls = requests.filter((r) => r === `/api/migrations/runs/${runId}`).length;
    console.log(`[embedded live] the panel's requests for the run: 1 stream, ${polls} polls`);
    expect(polls).toBeLessThanOrEqual(2);
    const done = (await (await fetch(`${server.url}/api/migrations/runs/${runId}`, { headers: { cookie } })).json()) as { run: { durationMs: number } };
    expect(done.run.durationMs).toBeGreaterThanOrEqual(SLEEP_S * 1000);
    await expect(page.getByRole('button', { name: 'Roll back batch 1' })).toBeEnabled();
    await expect(page.getByRole('button', { name: /Run pending/ })).toBeDisabled();
    await expect(page.getByTestId('actions-explanation')).toHaveText('Run pending: Nothing is pending.');
  } finally {
    // Pages that keep polling would hold the server's graceful shutdown open.
    for (const p of context.pages()) await p.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
