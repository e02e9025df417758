// The shadow database in the browser: the rollback confirmation of a batch with migrations that
// cannot run in a transaction lists everything it destroys and says how each migration was
// previewed; the drift card shows a hand-made change on the migrations page and the overview.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { StrataMigrationSource } from '../lib/migrations/source';
import { dropShadowTemplates } from '../test/harness/shadow-templates';
import { expectAccessible } from './axe';
import { E2E_PORT, serverEnv } from './env';
import { adminCookie, bareClient, createUser, signInContext, withDatabase } from './helpers';
import { startServer } from './server';

test.describe.configure({ mode: 'serial' });

const MESSY = path.join(process.cwd(), 'test', 'fixtures', 'messy-migrations');
const MESSY_TABLE = 'messy_migrations';

test('the rollback confirmation of a batch with non-transactional migrations lists everything it destroys, and how each was previewed', async ({ page }) => {
  test.setTimeout(180_000);
  // A second dashboard on the same database, managing the fixture folder with a migrations table of its own.
  const env: Record<string, string | undefined> = { ...serverEnv(), STRATA_MIGRATIONS_DIR: MESSY, STRATA_MIGRATIONS_TABLE: MESSY_TABLE };
  if (process.env.TEST_DATABASE_URL && process.env.STRATA_TEST_DB !== 'embedded') env.STRATA_SHADOW_DATABASE_URL = process.env.TEST_DATABASE_URL;
  const messy = await startServer(Number(E2E_PORT) + 2, env);
  try {
    await withDatabase(async (db) => {
      await db.migrate.latest({ tableName: MESSY_TABLE, migrationSource: new StrataMigrationSource(MESSY) });
      await db.raw(`INSERT INTO items (title, embedding) SELECT 'item ' || g, '[1,2,3]' FROM generate_series(1, 300) AS g`);
    });
    const api = await bareClient();
    const operator = await createUser(api, await adminCookie(api), 'operator');
    await signInContext(page, operator.email, operator.password);
    await page.goto(`${messy.url}/migrations`);
    await page.getByRole('button', { name: 'Roll back batch 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back batch 1' });
    const destroys = dialog.getByTestId('plan-destroys');
    await expect(destroys).toBeVisible({ timeout: 60_000 });
    const items = destroys.getByRole('listitem');
    await expect(items).toHaveCount(8);
    for (const text of [
      'table items with 300 rows',
      'table docs with 2,000 rows',
      'column items.embedding in 300 rows',
      'column docs.embedding in 2,000 rows',
      'the extension vector — by 20250101000006_items_hnsw_concurrently.js',
      'index docs_embedding_ivfflat on docs',
      'index items_embedding_hnsw on items',
      'rows deleted from docs',
    ]) {
      await expect(destroys, text).toContainText(text);
    }
    await expect(dialog.getByTestId('plan-unseen')).toHaveCount(0);
    await expect(dialog.getByTestId('plan-preview-label')).toHaveText(['On the live database, rolled back', ...Array<string>(6).fill('On the shadow')]);
    await expect(dialog.getByTestId('plan-migration').nth(1)).toContainText('Not on the live database: It runs outside a transaction (config.transaction = false)');
    await expect(dialog.getByTestId('plan-how')).toContainText('1 migration ran on the live database inside a transaction that was rolled back');
    await expect(dialog.getByTestId('plan-how')).toContainText('7 migrations ran on a shadow database');
    // Tables holding data and the vector extension go: the batch number must be typed first.
    await expect(dialog.getByTestId('typed-confirmation')).toContainText('drops 2 tables holding data');
    await expect(dialog.getByRole('button', { name: 'Roll back batch 1' })).toBeDisabled();
    await dialog.getByRole('textbox', { name: /Type the batch number/ }).fill('1');
    await expect(dialog.getByRole('button', { name: 'Roll back batch 1' })).toBeEnabled();
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await api.dispose();
  } finally {
    await withDatabase(async (db) => {
      await db.migrate.rollback({ tableName: MESSY_TABLE, migrationSource: new StrataMigrationSource(MESSY) }, true);
      // knex's own tables for this folder: to the other dashboard they would be drift.
      await db.schema.dropTableIfExists(`${MESSY_TABLE}_lock`).dropTableIfExists(MESSY_TABLE);
      if (env.STRATA_SHADOW_DATABASE_URL) await dropShadowTemplates(env.STRATA_SHADOW_DATABASE_URL, db, [{ migrationsTable: MESSY_TABLE, migrationsDir: MESSY }]);
    });
    await messy.stop();
  }
});

test('the drift card shows a hand-made change, with the SQL that undoes it, on the migrations page and the overview', async ({ page }) => {
  test.setTimeout(120_000);
  const guide = new StrataMigrationSource(path.join(process.cwd(), 'db', 'migrations'));
  await withDatabase((db) => db.migrate.latest({ migrationSource: guide }));
  try {
    const api = await bareClient();
    const viewer = await createUser(api, await adminCookie(api), 'viewer');
    await signInContext(page, viewer.email, viewer.password);
    await page.goto('/migrations');
    const card = page.getByTestId('drift-card');
    await expect(card.getByTestId('drift-none')).toBeVisible({ timeout: 60_000 });

    await withDatabase((db) => db.raw('CREATE INDEX forums_by_hand ON forums (url)'));
    await card.getByRole('button', { name: 'Check again' }).click();
    const item = card.getByTestId('drift-item');
    await expect(item).toHaveCount(1, { timeout: 60_000 });
    await expect(item).toContainText('Only in the live database: index forums_by_hand on forums');
    await expect(item).toContainText('DROP INDEX CONCURRENTLY forums_by_hand;');
    await expectAccessible(page);

    await page.goto('/');
    await expect(page.getByTestId('drift-card').getByTestId('drift-item')).toContainText('index forums_by_hand on forums', { timeout: 60_000 });
    await api.dispose();
  } finally {
    await withDatabase(async (db) => {
      await db.raw('DROP INDEX IF EXISTS forums_by_hand');
      await db.migrate.rollback({ migrationSource: guide }, true);
    });
  }
});
