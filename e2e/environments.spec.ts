// Environments as an operator sees them: one dashboard whose own database is "production"
// (protected), serving "development" and "staging" beside it from a targets file, three databases
// of the test server. The protected colour on every page, the matrix, and in the plan the "staging
// first" rule's verdict, then an admin's override with a reason, kept in the run's record; a
// rollback that waits for a second admin; then switching to staging in the same dashboard, running
// there, and coming back to production, where the rule now allows the migration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { startServer, type ExtraServer } from './server';

const postgres = !!process.env.TEST_DATABASE_URL && process.env.STRATA_TEST_DB !== 'embedded';

test('a protected target shows its colour, the matrix, the rule in the plan, and takes an admin override with a reason', async ({ page, context }) => {
  test.skip(!postgres, 'targets are server databases: this run uses the embedded database (set TEST_DATABASE_URL)');
  test.setTimeout(180_000);
  const admin = knexFactory({ client: 'pg', connection: process.env.TEST_DATABASE_URL, pool: { min: 0, max: 1 } });
  const names = ['dev', 'stg', 'prd'].map((n) => `strata_e2e_env_${n}_${process.pid}`);
  const url = (name: string) => {
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-env-'));
  const migrations = path.join(dir, 'migrations');
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(migrations, '001_env_t.js'), "exports.up = (knex) => knex.raw('CREATE TABLE env_t (id int)');\nexports.down = (knex) => knex.raw('DROP TABLE env_t');\n");
  const writeTargets = (production: Record<string, unknown> = {}) =>
    fs.writeFileSync(
      path.join(dir, 'strata.targets.json'),
      JSON.stringify({
        targets: [
          { name: 'development', label: 'Development', color: '#0369a1', urlEnv: 'E2E_DEV_URL' },
          { name: 'staging', label: 'Staging', color: '#b45309', urlEnv: 'E2E_STAGING_URL', dashboardUrl: 'https://staging.strata.example' },
          { name: 'production', label: 'Production', color: '#b91c1c', urlEnv: 'DATABASE_URL', protected: true, ...production },
        ],
      }),
    );
  writeTargets();
  let server: ExtraServer | undefined;
  try {
    for (const n of names) await admin.raw('CREATE DATABASE ??', [n]);
    // Development has it, applied with plain knex (so without a recorded checksum).
    const dev = knexFactory({ client: 'pg', connection: url(names[0]!), migrations: { directory: migrations } });
    await dev.migrate.latest();
    await dev.destroy();

    server = await startServer(Number(E2E_PORT) + 7, {
      ...serverEnv(),
      DATABASE_URL: url(names[2]!),
      E2E_DEV_URL: url(names[0]!),
      E2E_STAGING_URL: url(names[1]!),
      STRATA_TARGETS_FILE: path.join(dir, 'strata.targets.json'),
      STRATA_MIGRATIONS_DIR: migrations,
    });
    const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    expect(signIn.status, await signIn.clone().text()).toBe(200);
    const cookie = signIn.headers.getSetCookie().find((c) => c.includes('session_token='))!.split(';')[0]!;
    await context.addCookies([{ name: cookie.slice(0, cookie.indexOf('=')), value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);

    await page.goto(`${server.url}/environments`);
    const bar = page.getByTestId('target-bar');
    await expect(bar).toContainText('Production · protected');
    await expect(bar).toHaveCSS('background-color', 'rgb(185, 28, 28)');
    // The switcher opens the same page on the other targets, in this dashboard (their URLs are set here).
    await expect(page.getByTestId('switch-target')).toHaveCount(2);
    await expect(page.locator('[data-testid="switch-target"][data-target="development"]')).toHaveAttribute('href', '/environments?target=development');
    await expect(page.locator('[data-testid="switch-target"][data-target="staging"]')).toHaveAttribute('href', '/environments?target=staging');
    await expect(page.getByTestId('target-card')).toHaveCount(3);
    await expect(page.locator('[data-testid="target-card"][data-target="production"]')).toContainText('0 applied, 1 pending');
    await expect(page.locator('[data-testid="target-card"][data-target="staging"] [data-testid="behind"]')).toHaveText('1 behind Development');
    const row = page.locator('[data-testid="matrix-row"][data-name="001_env_t.js"]');
    await expect(row.getByTestId('matrix-cell')).toHaveText([/^Applied.*Outside Strata/, /^Pending$/, /^Pending$/]);
    await page.getByLabel('Only differences').check();
    await expect(page).toHaveURL(/[?&]differences=1/);
    await expect(page.getByTestId('matrix-row')).toHaveCount(1);
    // Schemas compared: staging and production are alike; development has the table its migration made.
    const compare = page.getByTestId('compare-card');
    await compare.getByRole('button', { name: 'Compare' }).click();
    await expect(compare.getByTestId('compare-none')).toBeVisible({ timeout: 60_000 });
    await compare.getByLabel('Compare').selectOption('development');
    await compare.getByRole('button', { name: 'Compare' }).click();
    await expect(compare.getByTestId('compare-applied')).toContainText('Applied on Development and not on Production: 001_env_t.js.', { timeout: 60_000 });
    const item = compare.getByTestId('compare-item');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Only on Development: table env_t');
    await expect(item).toContainText('Explained by migrations: Yes: the migration 001_env_t.js');
    await expectAccessible(page);

    // The colour stays on every page while this target is the one managed.
    await page.goto(`${server.url}/migrations`);
    await expect(page.getByTestId('target-bar')).toContainText('Production · protected');
    await page.getByRole('button', { name: 'Run pending (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run pending migrations' });
    const verdict = dialog.getByTestId('promotion-verdict');
    await expect(verdict).toHaveAttribute('data-verdict', 'not_on_previous', { timeout: 60_000 });
    await expect(verdict).toContainText('001_env_t.js has not been applied on Staging: apply it there first.');
    await expect(dialog.getByTestId('promotion')).toContainText('Production refuses this run');
    const go = dialog.getByRole('button', { name: 'Run 1 migration, overriding the rule' });
    await expect(go).toBeDisabled();
    await expectAccessible(page);
    const reason = 'Staging is being rebuilt; this table is additive and was reviewed';
    await dialog.getByLabel(/say why/).fill(reason);
    await go.click();
    await expect(page.getByTestId('run-panel').getByTestId('run-status')).toHaveText('Succeeded', { timeout: 60_000 });
    const runId = new URL(page.url()).searchParams.get('run')!;
    await page.goto(`${server.url}/migrations/runs/${runId}`);
    await expect(page.getByTestId('run-promotion')).toHaveText(`Overridden by ${ADMIN.email}: “${reason}” (refused: 001_env_t.js)`);
    // The run's rows of the audit trail, and only those.
    await page.getByTestId('run-audit-link').click();
    await expect(page.getByTestId('audit-run-filter')).toContainText(runId);
    await expect(page.getByTestId('audit-row')).toHaveCount(1);
    await expect(page.getByTestId('audit-row')).toContainText('migrations.latest');

    // Production now asks for a second admin before a rollback: the request waits, its author cannot decide it.
    writeTargets({ rollbackApproval: { expiresMinutes: 30 } });
    await page.goto(`${server.url}/migrations`);
    await page.getByRole('button', { name: 'Roll back batch 1' }).click();
    const back = page.getByRole('dialog', { name: 'Roll back batch 1' });
    await expect(back.getByTestId('approval-rule')).toContainText('Production asks for a second admin', { timeout: 60_000 });
    await back.getByTestId('typed-confirmation').getByRole('textbox').fill('1');
    await back.getByRole('button', { name: 'Request approval to roll back batch 1' }).click();
    const waiting = page.getByTestId('approval');
    await expect(waiting).toContainText(`${ADMIN.email} asks to roll back batch 1 (001_env_t.js)`);
    await expect(waiting.getByRole('button', { name: 'Approve and roll back batch 1' })).toBeDisabled();
    await expect(waiting).toContainText('Another admin must decide on your own request.');
    await expectAccessible(page);

    // A second admin approves it in their own browser; the rollback runs.
    const email = `second-admin-${process.pid}@e2e.test`;
    const password = `pw-second-${Math.random().toString(36).slice(2)}-x`;
    const created = await fetch(`${server.url}/api/users`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Second admin', role: 'admin', password }),
    });
    expect(created.status, await created.text()).toBe(201);
    const other = await context.browser()!.newContext({ baseURL: server.url });
    const otherPage = await other.newPage();
    await otherPage.goto(`${server.url}/sign-in`);
    await otherPage.getByLabel('Email').fill(email);
    await otherPage.getByLabel('Password').fill(password);
    await otherPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await otherPage.waitForURL(`${server.url}/`);
    await otherPage.goto(`${server.url}/migrations`);
    await otherPage.getByTestId('approval').getByRole('button', { name: 'Approve and roll back batch 1' }).click();
    await expect(otherPage.getByTestId('run-panel').getByTestId('run-status')).toHaveText('Succeeded', { timeout: 60_000 });
    await otherPage.close();
    await other.close();
    const rolled = await page.request.get(`${server.url}/api/migrations/approvals`);
    expect(((await rolled.json()) as { approvals: { status: string; decidedBy: string }[] }).approvals[0]).toMatchObject({ status: 'approved', decidedBy: email });

    // Switch to staging in this same dashboard: the strip, the URL and the data are staging's.
    await page.goto(`${server.url}/migrations`);
    await expect(page.getByRole('button', { name: 'Run pending (1)' })).toBeVisible();
    await page.locator('[data-testid="switch-target"][data-target="staging"]').click();
    await expect(page).toHaveURL(`${server.url}/migrations?target=staging`);
    const stagingBar = page.getByTestId('target-bar');
    await expect(stagingBar).toHaveAttribute('data-target', 'staging');
    await expect(stagingBar.getByTestId('target-label')).toHaveText('Staging');
    await page.getByRole('button', { name: 'Run pending (1)' }).click();
    const onStaging = page.getByRole('dialog', { name: 'Run pending migrations' });
    // Staging is not protected: no rule to show, and the plan says which target it is for.
    await expect(onStaging.getByTestId('plan-target')).toHaveText('On Staging', { timeout: 60_000 });
    await expect(onStaging.getByTestId('promotion-verdict')).toHaveCount(0);
    await onStaging.getByRole('button', { name: 'Run 1 migration' }).click();
    await expect(page.getByTestId('run-panel').getByTestId('run-status')).toHaveText('Succeeded', { timeout: 60_000 });
    // The run's id joins the URL beside the target, and the page stays on staging.
    await expect(page).toHaveURL(/\/migrations\?target=staging&run=[0-9a-f-]{36}$/);
    await expect(page.getByTestId('target-bar')).toHaveAttribute('data-target', 'staging');
    const stagingDb = knexFactory({ client: 'pg', connection: url(names[1]!), pool: { min: 0, max: 1 } });
    const prodDb = knexFactory({ client: 'pg', connection: url(names[2]!), pool: { min: 0, max: 1 } });
    try {
      expect(await stagingDb('knex_migrations').pluck('name')).toEqual(['001_env_t.js']);
      expect(await prodDb('knex_migrations').pluck('name')).toEqual([]);
      expect(await stagingDb('strata.migration_runs').pluck('target_name')).toEqual(['staging']);
    } finally {
      await stagingDb.destroy();
      await prodDb.destroy();
    }
    // The history link keeps the target.
    await page.getByRole('link', { name: 'History' }).click();
    await expect(page).toHaveURL(`${server.url}/migrations/history?target=staging`);
    await expect(page.getByTestId('target-bar')).toHaveAttribute('data-target', 'staging');

    // Back to production: the rule's verdict in the plan now allows the migration, applied on staging from this file.
    await page.locator('[data-testid="switch-target"][data-target="production"]').click();
    await expect(page).toHaveURL(`${server.url}/migrations/history?target=production`);
    await expect(page.getByTestId('target-bar')).toContainText('Production · protected');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Migrations', exact: true }).click();
    await page.getByRole('button', { name: 'Run pending (1)' }).click();
    await expect(page.getByRole('dialog', { name: 'Run pending migrations' }).getByTestId('plan-target')).toHaveText('On Production (protected)', { timeout: 60_000 });
    const allowed = page.getByRole('dialog', { name: 'Run pending migrations' }).getByTestId('promotion-verdict');
    await expect(allowed).toHaveAttribute('data-verdict', 'allowed', { timeout: 60_000 });
    await expect(allowed).toContainText('001_env_t.js was applied on Staging from this same file');
    await expectAccessible(page);

    // The overview of staging: its own database, where its URL comes from, and every target's card.
    await page.goto(`${server.url}/?target=staging`);
    await expect(page.getByTestId('database-name')).toHaveText(names[1]!);
    await expect(page.getByTestId('database-kind')).toHaveText('External (E2E_STAGING_URL)');
    await expect(page.getByTestId('overview-targets').getByTestId('target-card')).toHaveCount(3);
    await expect(page.locator('[data-testid="overview-targets"] [data-target="production"] [data-testid="behind"]')).toHaveText('1 behind Staging');

    // The home trail gathers staging's rows; a rewritten staging trail stops the copy until an admin resumes it.
    await page.goto(`${server.url}/admin/audit`);
    await expect(page.getByTestId('audit-gathered')).toContainText('This trail gathers those of Development, Staging');
    await expect(page.getByTestId('audit-target').filter({ hasText: 'staging' }).first()).toBeVisible();
    const stagingTrail = knexFactory({ client: 'pg', connection: url(names[1]!), pool: { min: 0, max: 1 } });
    try {
      const lastRow = (await stagingTrail('strata.audit_events').orderBy('seq', 'desc').first('seq')) as { seq: string };
      await stagingTrail.raw('ALTER TABLE strata.audit_events DISABLE TRIGGER USER');
      await stagingTrail('strata.audit_events').where({ seq: lastRow.seq }).update({ hash: 'f'.repeat(64) });
      await stagingTrail.raw('ALTER TABLE strata.audit_events ENABLE TRIGGER USER');
    } finally {
      await stagingTrail.destroy();
    }
    await page.reload();
    const gathered = page.getByTestId('audit-gathered');
    await expect(gathered).toContainText(/Not copied from Staging: the trail on Staging \(.+\) no longer holds the row copied as number \d+/);
    page.once('dialog', (d) => void d.accept());
    await gathered.getByRole('button', { name: 'Resume copying from Staging' }).click();
    await expect(gathered).toContainText(/Copying from Staging goes on after its row \d+; 1 row copied before and no longer there as it was stays here\./);
    await expect(page.getByTestId('audit-row').filter({ hasText: 'audit.copy_resumed' })).toHaveCount(1);

    // A target the file does not name: said, and no page of another database shown in its place.
    await page.goto(`${server.url}/migrations?target=nowhere`);
    await expect(page.getByText(/there is no target named "nowhere"/)).toBeVisible();
    await expect(page.getByRole('button', { name: /Run pending/ })).toHaveCount(0);
  } finally {
    await page.close();
    await server?.stop();
    for (const n of names) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [n]).catch(() => undefined);
    await admin.destroy();
  }
});
