// The evaluations area in the browser: browse, sort, filter by forum, open a row, page 2 and
// back, the orphans, the CSV download and the distributions page with its charts drawn. The
// guide's tables are migrated and filled with generated data here and rolled back afterwards,
// so the other specs find the fresh database they expect.
import { expect, test, type Page } from '@playwright/test';
import type { Knex } from 'knex';
import type pg from 'pg';
import { generate } from '../lib/generator/load';
import { SCALES, type Scale } from '../lib/generator/scales';
import { expectAccessible } from './axe';
import { ADMIN } from './env';
import { signInContext, withDatabase } from './helpers';

const scale: Scale = {
  ...SCALES.demo,
  forums: 4,
  topics: 60,
  postsPerTopic: 3,
  evaluations: 400,
  planted: { zeroPostVectors: 1, nullTitleVectors: 1, stalePostVectors: 1, postsWithoutVectors: 1, orphanEvaluations: 5 },
};

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await withDatabase(async (db) => {
    await db.migrate.latest();
    // knex's pooled connection is a pg client; the generator loads through it.
    const client = (await db.client.acquireConnection()) as pg.Client;
    try {
      const embedded = !process.env.E2E_DB_NAME;
      await generate(client, { scale, seed: 5, replace: true, method: embedded ? 'insert' : 'copy' });
    } finally {
      await db.client.releaseConnection(client);
    }
  });
});

test.afterAll(async () => {
  await withDatabase((db) => db.migrate.rollback(undefined, true));
});

test.beforeEach(async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
});

const dbCount = (fn: (db: Knex) => Knex.QueryBuilder) =>
  withDatabase(async (db) => Number(((await fn(db).count({ n: '*' })) as { n: string }[])[0]!.n));

async function rowIds(page: Page): Promise<string[]> {
  await expect(page.getByTestId('evaluation-row').first()).toBeVisible();
  return page.getByTestId('evaluation-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')!));
}

async function column(page: Page, testId: string): Promise<number[]> {
  await expect(page.getByTestId('evaluation-row').first()).toBeVisible();
  return (await page.getByTestId(testId).allTextContents()).map(Number);
}

test('browse, sort by quality both ways, filter by forum, and open a row', async ({ page }) => {
  await page.goto('/evaluations');
  await expect(page.getByRole('heading', { level: 1, name: 'Evaluations' })).toBeVisible();
  await expect(page.getByTestId('evaluation-row')).toHaveCount(50);
  await expect(page.getByTestId('match-count')).toHaveText(/^400 evaluations match/);
  await expect(page.getByTestId('orphan-count')).toContainText('5 evaluations name a topic or post that no longer exists');
  await expectAccessible(page);

  const table = page.getByRole('table');
  await table.getByRole('link', { name: /^Quality/ }).click();
  await expect(page).toHaveURL(/sort=quality&dir=desc/);
  await expect(table.getByRole('columnheader', { name: /Quality/ })).toHaveAttribute('aria-sort', 'descending');
  const desc = await column(page, 'quality');
  expect(desc).toEqual([...desc].sort((a, b) => b - a));
  await table.getByRole('link', { name: /^Quality/ }).click();
  await expect(page).toHaveURL(/sort=quality&dir=asc/);
  await expect(table.getByRole('columnheader', { name: /Quality/ })).toHaveAttribute('aria-sort', 'ascending');
  const asc = await column(page, 'quality');
  expect(asc).toEqual([...asc].sort((a, b) => a - b));
  expect(asc[0]).toBeLessThan(desc[0]!);

  const forumRows = await dbCount((db) => db('content_evaluations').where({ forum_id: 2 }));
  await page.getByLabel('Forum').selectOption({ label: 'forum-2' });
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(page).toHaveURL(/forum=2/);
  await expect(page).toHaveURL(/sort=quality&dir=asc/);
  await expect(page.getByTestId('match-count')).toHaveText(new RegExp(`^${forumRows} evaluations match`));
  await expect(page.getByTestId('evaluation-row').locator('td:first-child')).toHaveText(Array(Math.min(50, forumRows)).fill('forum-2'));
  // The filter and sort are in the URL: a reload (or a shared link) shows the same list.
  const before = await rowIds(page);
  await page.reload();
  expect(await rowIds(page)).toEqual(before);

  const first = page.getByTestId('evaluation-row').first();
  const id = await first.getAttribute('data-id');
  await first.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/evaluations/${id}$`));
  await expect(page.getByTestId('evaluation-title')).toHaveText(new RegExp(`^Evaluation ${id} of (topic|post) \\d+$`));
  await expect(page.getByTestId('metadata-json')).toContainText('"model"');
  await expect(page.getByTestId('content-body')).not.toBeEmpty();
  await expectAccessible(page);
  await page.goBack();
  await expect(page).toHaveURL(/forum=2/);
  expect(await rowIds(page)).toEqual(before);
});

test('page 2 and back again, by the links and by the browser', async ({ page }) => {
  await page.goto('/evaluations?sort=relevance&dir=desc');
  const one = await rowIds(page);
  await expect(page.getByTestId('page-number')).toHaveText('Page 1');
  await page.getByRole('link', { name: 'Next page →' }).click();
  await expect(page).toHaveURL(/after=.*page=2/);
  await expect(page.getByTestId('page-number')).toHaveText('Page 2');
  const two = await rowIds(page);
  expect(two).toHaveLength(50);
  expect(two.filter((x) => one.includes(x))).toEqual([]);
  const rel = await column(page, 'relevance');
  expect(rel).toEqual([...rel].sort((a, b) => b - a));

  await page.getByRole('link', { name: '← Previous page' }).click();
  await expect(page).toHaveURL(/before=/);
  await expect(page.getByTestId('page-number')).toHaveText('Page 1');
  expect(await rowIds(page)).toEqual(one);

  await page.goBack();
  await expect(page.getByTestId('page-number')).toHaveText('Page 2');
  expect(await rowIds(page)).toEqual(two);
  await page.goBack();
  await expect(page.getByTestId('page-number')).toHaveText('Page 1');
  expect(await rowIds(page)).toEqual(one);
});

test('the orphans are listed after their topic is deleted, and export as CSV', async ({ page }) => {
  // Deleting a topic (its posts go with it) leaves its evaluations and its posts' behind.
  const topic = await withDatabase(async (db) => {
    const t = await db('topics').orderBy('id').first('id');
    await db('topics').where({ id: t.id }).del();
    return t.id as number;
  });
  const orphans =
    5 +
    (await dbCount((db) =>
      db('content_evaluations')
        .where({ content_type: 'topic', content_id: topic })
        .orWhere((w) => w.where({ content_type: 'post' }).whereIn('content_id', [1, 2, 3].map((j) => (topic - 1) * scale.postsPerTopic + j))),
    ));
  expect(orphans).toBeGreaterThan(5);
  await page.goto('/evaluations');
  await page.getByRole('link', { name: 'Browse the orphans' }).click();
  await expect(page).toHaveURL(/orphans=only/);
  await expect(page.getByTestId('match-count')).toHaveText(new RegExp(`^${orphans} evaluations match`));
  await expect(page.getByTestId('evaluation-row')).toHaveCount(orphans);
  await expect(page.getByTestId('evaluation-row').filter({ hasText: 'no longer exists' })).toHaveCount(orphans);

  const csv = await page.request.get('/api/evaluations/export?orphans=only&sort=quality&dir=asc');
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trimEnd().split('\r\n');
  expect(lines[0]).toBe('id,forum_id,forum,content_type,content_id,content,orphan,quality_score,relevance_score,summary,created_at');
  expect(lines).toHaveLength(orphans + 1);

  const bad = await page.request.get('/api/evaluations?sort=summary');
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^sort: /);
});

test('the distributions page draws its charts', async ({ page }) => {
  await page.goto('/evaluations');
  await page.getByRole('navigation', { name: 'Evaluations views' }).getByRole('link', { name: 'Distributions' }).click();
  await expect(page).toHaveURL(/\/evaluations\/distributions$/);
  await expect(page.getByTestId('distribution-total')).toHaveText('400 evaluations.');
  for (const metric of ['quality', 'relevance']) {
    await expect(page.getByTestId(`histogram-${metric}`).getByTestId('bar').first()).toBeVisible();
    await expect(page.getByTestId(`stats-${metric}`).getByRole('row', { name: /^all/ })).toContainText('400');
  }
  await expect(page.getByTestId('heatmap').locator('rect')).toHaveCount(20 * 20);
  await expect(page.getByTestId('weekly-medians').getByTestId('median-line')).toHaveCount(2);
  await expectAccessible(page);

  await page.getByRole('combobox', { name: 'Bins' }).selectOption('10');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/bins=10/);
  await expect(page.getByTestId('heatmap').locator('rect')).toHaveCount(10 * 10);
});
