import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { ADMIN } from './env';
import { migrationFiles } from '../test/harness/migration-files';
import { signInContext } from './helpers';

test.beforeEach(async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
});

test('the overview shows the connected database and the pending migrations', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('database-name')).not.toBeEmpty();
  await expect(page.getByTestId('database-kind')).toHaveText(/Embedded \(PGlite\)|External \(DATABASE_URL\)/);
  await expect(page.getByTestId('server-version')).toHaveText(/^\d+(\.\d+)?/);
  await expect(page.getByTestId('vector-available')).toHaveText(/^\d+\.\d+\.\d+$/);
  await expect(page.getByTestId('migrations-pending')).toHaveText(String(migrationFiles().length));
  await expect(page.getByTestId('migrations-applied')).toHaveText('0');
  const html = await page.content();
  expect(html).not.toMatch(/postgres(ql)?:\/\/[^@\s"]*:[^@\s"]*@/);
  await expectAccessible(page);
});

test('every area in the navigation opens and passes axe', async ({ page }) => {
  await page.goto('/');
  for (const name of ['Migrations', 'Vector health', 'Evaluations', 'Users', 'API tokens', 'Audit trail', 'Overview']) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expectAccessible(page);
  }
  await page.goto('/migrations');
  await expect(page.getByTestId('migration-row')).toHaveCount(migrationFiles().length);
});
