// The vector health page on the guide's schema with generated data: a viewer sees the two ivfflat
// indexes and measures recall; an operator rebuilds an index after the confirmation. The guide's
// migrations are rolled back at the end, since other specs expect them pending.
import { expect, test } from '@playwright/test';
import type pg from 'pg';
import { generate } from '../lib/generator/load';
import { SCALES, type Scale } from '../lib/generator/scales';
import { expectAccessible } from './axe';
import { adminCookie, bareClient, createUser, signInContext, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

const scale: Scale = {
  ...SCALES.demo,
  topics: 120,
  postsPerTopic: 3,
  evaluations: 50,
  planted: { zeroPostVectors: 2, nullTitleVectors: 3, stalePostVectors: 4, postsWithoutVectors: 5, orphanEvaluations: 1 },
};
const POST_INDEX = 'post_vectors_content_vector_idx';
const TOPIC_INDEX = 'topic_vectors_combined_vector_idx';

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await withDatabase(async (db) => {
    await db.migrate.latest();
    const conn = (await db.client.acquireConnection()) as pg.Client;
    try {
      await generate(conn, { scale, seed: 42, replace: false, method: process.env.E2E_DB_NAME ? 'copy' : 'insert' });
    } finally {
      await db.client.releaseConnection(conn);
    }
  });
});

test.afterAll(async () => {
  await withDatabase((db) => db.migrate.rollback(undefined, true));
});

test('a viewer sees the two ivfflat indexes with their lists and health, and measures recall', async ({ page }) => {
  test.setTimeout(120_000);
  const api = await bareClient();
  const viewer = await createUser(api, await adminCookie(api), 'viewer');
  await signInContext(page, viewer.email, viewer.password);

  await page.goto('/vector-health');
  await expect(page.getByRole('heading', { level: 1, name: 'Vector health' })).toBeVisible();
  const rows = page.getByTestId('ann-index-row');
  await expect(rows).toHaveCount(2);
  for (const name of [POST_INDEX, TOPIC_INDEX]) {
    const row = page.locator(`[data-testid="ann-index-row"][data-index="${name}"]`);
    await expect(row.getByTestId('ann-lists')).toHaveText('lists = 100');
    // 120 topics and 355 posts: far fewer rows than lists = 100 suits.
    await expect(row.getByTestId('ann-health')).toHaveText('Needs attention');
  }
  await expect(page.getByText(/more than twice the recommendation for 355 rows/)).toBeVisible();
  await expect(page.locator('[data-testid="vector-column"][data-column="post_vectors.content_vector"]').getByTestId('column-zeros')).toHaveText(/^2/);
  await expect(page.locator('[data-testid="coverage-row"][data-content="posts"]').getByTestId('coverage-missing')).toContainText('5');
  await expect(page.getByRole('button', { name: /^Rebuild/ })).toHaveCount(0);
  await expectAccessible(page);

  const form = page.getByRole('form', { name: 'Measure recall' });
  await form.getByLabel('Index').selectOption({ label: `${POST_INDEX} (ivfflat)` });
  await form.getByLabel('Queries').fill('10');
  await form.getByLabel(/Values to try/).fill('1, 10, 100');
  await form.getByRole('button', { name: 'Measure recall' }).click();
  await expect(page).toHaveURL(/[?&]recall=[0-9a-f-]{36}/);
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const result = page.getByTestId('recall-result');
  await expect(result.getByTestId('recall-point')).toHaveCount(3);
  await expect(result.getByTestId('recall-point').last()).toContainText('1.000');
  await expect(result.getByTestId('recall-current')).toHaveText(/^[01]\.\d{3}$/);
  await expect(page.getByTestId('recall-chart').locator('svg').first()).toBeVisible();
  // On PostgreSQL the sweep was timed on a second connection beside the exact pass, and the card says so.
  await expect(result.getByTestId('recall-timing')).toContainText('on a second connection beside the exact pass');
  await expectAccessible(page);

  // The measurement lives on the server: a reload finds it again.
  await page.reload();
  await expect(page.getByTestId('recall-result').getByTestId('recall-point')).toHaveCount(3);
  await api.dispose();
});

test('an operator rebuilds an index after a confirmation that names the lock, and the rebuild is audited', async ({ page }) => {
  test.setTimeout(120_000);
  const api = await bareClient();
  const admin = await adminCookie(api);
  const operator = await createUser(api, admin, 'operator');
  await signInContext(page, operator.email, operator.password);

  // A rebuild mends an invalid index (what a failed CREATE INDEX CONCURRENTLY leaves), not a
  // lists that does not fit the table (REINDEX keeps lists): the button is offered only for the first.
  await withDatabase((db) => db.raw("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'topic_vectors_combined_vector_idx'::regclass"));
  await page.goto('/vector-health');
  const post = page.locator(`[data-testid="ann-index-row"][data-index="${POST_INDEX}"] + tr`);
  await expect(post.getByTestId('finding').filter({ hasText: 'more than twice the recommendation' }).getByTestId('fix-sql')).toContainText(
    /CREATE INDEX (CONCURRENTLY )?post_vectors_content_vector_idx_new ON public\.post_vectors USING ivfflat \(content_vector vector_cosine_ops\) WITH \(lists = \d+\);/,
  );
  await expect(page.getByRole('button', { name: `Rebuild ${POST_INDEX}…` })).toHaveCount(0);
  await expect(page.locator(`[data-testid="ann-index-row"][data-index="${TOPIC_INDEX}"]`).getByTestId('ann-health')).toHaveText('Problem');
  await page.getByRole('button', { name: `Rebuild ${TOPIC_INDEX}…` }).click();
  const dialog = page.getByRole('dialog', { name: `Rebuild ${TOPIC_INDEX}?` });
  await expect(dialog).toContainText('topic_vectors');
  await expect(dialog).toContainText(/SHARE (UPDATE EXCLUSIVE|lock)/);
  await expect(dialog).toContainText(/about (a second|\d+ (s|min) to \d+ (s|min))/);
  const confirm = dialog.getByRole('button', { name: `Rebuild ${TOPIC_INDEX}` });
  await expect(confirm).toBeDisabled();
  await expectAccessible(page);
  await dialog.getByLabel(/Type .* to confirm/).fill(TOPIC_INDEX);
  await confirm.click();
  await expect(page).toHaveURL(/[?&]reindex=[0-9a-f-]{36}/);
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  // Rebuilt, the index is valid again, and there is nothing a rebuild would mend.
  await expect(page.getByRole('button', { name: `Rebuild ${TOPIC_INDEX}…` })).toHaveCount(0);

  const audit = await api.get(`/api/audit?action=vector.reindex`, { headers: { cookie: admin } });
  const events = ((await audit.json()) as { events: { actorLabel: string; outcome: string; details: { index?: string } }[] }).events;
  expect(events[0]).toMatchObject({ actorLabel: operator.email, outcome: 'success', details: { index: TOPIC_INDEX } });
  await api.dispose();
});
