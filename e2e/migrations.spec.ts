// The migrations console in the browser and through the API: Run pending and Rollback batch with
// their plans, what a viewer sees, and many simultaneous runs over two dashboard processes.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { E2E_PORT, serverEnv } from './env';
import { adminCookie, bareClient, createToken, createUser, signInContext, withDatabase } from './helpers';
import { startServer } from './server';

const GUIDE = fs.readdirSync(path.join(process.cwd(), 'db', 'migrations')).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();

test.describe.configure({ mode: 'serial' });

test('an operator runs the pending migrations and rolls the batch back, each after reading its plan', async ({ page }) => {
  const api = await bareClient();
  const operator = await createUser(api, await adminCookie(api), 'operator');
  await signInContext(page, operator.email, operator.password);
  await page.goto('/migrations');
  await expect(page.getByTestId('migration-status')).toHaveText(GUIDE.map(() => 'Pending'));

  await page.getByRole('button', { name: `Run pending (${GUIDE.length})` }).click();
  const dialog = page.getByRole('dialog', { name: 'Run pending migrations' });
  // A plan also runs the migrations on a shadow database (with the round trip of each): the
  // first in a dashboard process starts the embedded engine, which takes seconds on a busy machine.
  await expect(dialog.getByTestId('plan-migration')).toHaveCount(GUIDE.length, { timeout: 60_000 });
  await expect(dialog.getByText('All of it runs in one transaction')).toBeVisible();
  // The guide builds ivfflat indexes on empty tables: the plan warns.
  await expect(dialog.getByTestId('plan-findings')).toContainText('ivfflat');
  await dialog.getByText(/SQL statements?/).first().click();
  await expect(dialog.locator('pre').first()).toContainText(/create (table|extension)/i);
  await expectAccessible(page);
  await dialog.getByRole('button', { name: `Run ${GUIDE.length} migrations` }).click();

  await expect(page.getByTestId('run-status')).toHaveText('Succeeded');
  await expect(page).toHaveURL(/\?run=/);
  await expect(page.getByTestId('migration-status')).toHaveText(GUIDE.map(() => 'Applied'));
  await expect(page.getByTestId('migration-batch')).toHaveText(GUIDE.map(() => '1'));
  await expect(page.getByTestId('migration-row').first()).toContainText(operator.email);

  await withDatabase((db) => db('forums').insert({ name: 'e2e forum', url: 'https://forum.example' }));
  await page.getByRole('button', { name: 'Roll back batch 1' }).click();
  const back = page.getByRole('dialog', { name: 'Roll back batch 1' });
  const destroys = back.getByTestId('plan-destroys');
  await expect(destroys).toContainText('table forums with 1 row', { timeout: 60_000 });
  await expect(destroys).toContainText('the extension vector');
  await expect(back.getByTestId('plan-migration').first()).toContainText(GUIDE[GUIDE.length - 1]!);
  // It drops a table holding data and the vector extension: a click is not enough.
  await expect(back.getByTestId('typed-confirmation')).toContainText('This rollback drops');
  await expect(back.getByTestId('typed-confirmation')).toContainText('forums (1 row)');
  await expect(back.getByTestId('typed-confirmation')).toContainText('drops the vector extension');
  await expect(back.getByRole('button', { name: 'Roll back batch 1' })).toBeDisabled();
  await back.getByRole('textbox', { name: /Type the batch number/ }).fill('2');
  await expect(back.getByRole('button', { name: 'Roll back batch 1' })).toBeDisabled();
  await back.getByRole('textbox', { name: /Type the batch number/ }).fill('1');
  await back.getByRole('button', { name: 'Roll back batch 1' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Succeeded');
  await expect(page.getByTestId('migration-status')).toHaveText(GUIDE.map(() => 'Pending'));

  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByTestId('history-row').first()).toContainText('Rollback (batch 1)');
  await expect(page.getByTestId('history-row').nth(1)).toContainText('Run pending');
  await expectAccessible(page);
  await api.dispose();
});

test('a viewer sees the page with the buttons disabled and why', async ({ page }) => {
  const api = await bareClient();
  const viewer = await createUser(api, await adminCookie(api), 'viewer');
  await signInContext(page, viewer.email, viewer.password);
  await page.goto('/migrations');
  await expect(page.getByRole('button', { name: /Run pending/ })).toBeDisabled();
  await expect(page.getByRole('button', { name: /Roll ?back batch/i })).toBeDisabled();
  await expect(page.getByTestId('actions-explanation')).toHaveText(/viewer.*may view migrations but not run/);
  await expectAccessible(page);
  await api.dispose();
});

test('20 simultaneous runs over two dashboard processes make exactly one run and 19 answers of 409', async () => {
  test.setTimeout(180_000);
  const second = await startServer(Number(E2E_PORT) + 1, serverEnv());
  try {
    const api = await bareClient();
    const { token } = await createToken(api, await adminCookie(api), 'operator', 'concurrency');
    const urls = [`http://127.0.0.1:${E2E_PORT}`, second.url];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${urls[i % 2]}/api/migrations/latest?wait=1`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ expected: GUIDE }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code: string } } })),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const rows = await withDatabase((db) => db('knex_migrations').select('name', 'batch'));
    expect(rows.map((r: { name: string }) => r.name).sort()).toEqual(GUIDE);
    expect(new Set(rows.map((r: { batch: number }) => r.batch))).toEqual(new Set([1]));
    const runs = await withDatabase((db) => db('strata.migration_runs').where({ kind: 'latest', actor_label: 'concurrency' }).select('status'));
    expect(runs).toEqual([{ status: 'succeeded' }]);

    // Back to all pending for the other specs.
    const back = await fetch(`${urls[1]}/api/migrations/rollback?wait=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: 1 }),
    });
    expect(back.status).toBe(200);
    await api.dispose();
  } finally {
    await second.stop();
  }
});

test('invalid bodies and queries get 400 naming the field, and change nothing', async () => {
  const api = await bareClient();
  const { token } = await createToken(api, await adminCookie(api), 'admin', 'validation');
  const auth = { authorization: `Bearer ${token}` };
  const cases: [string, string, unknown, RegExp][] = [
    ['/api/migrations/plan', 'POST', { direction: 'sideways' }, /^direction:/],
    ['/api/migrations/plan', 'POST', { direction: 'up', extra: 1 }, /extra|Unrecognized/i],
    ['/api/migrations/latest', 'POST', { expected: [] }, /^expected:/],
    ['/api/migrations/latest', 'POST', { expected: 'all' }, /^expected:/],
    ['/api/migrations/latest?wait=yes', 'POST', { expected: GUIDE }, /^wait:/],
    ['/api/migrations/rollback', 'POST', { batch: 0 }, /^batch:/],
    ['/api/migrations/rollback', 'POST', { batch: '1' }, /^batch:/],
    ['/api/migrations/rollback', 'POST', {}, /^batch: is required$/],
    ['/api/migrations/lock/release', 'POST', {}, /^confirm:/],
    ['/api/migrations/runs?limit=0', 'GET', undefined, /^limit:/],
    ['/api/migrations/runs?before=yesterday', 'GET', undefined, /^before:/],
    ['/api/migrations/runs/not-a-uuid', 'GET', undefined, /^id:/],
  ];
  for (const [url, method, body, message] of cases) {
    const res = await api.fetch(url, { method, headers: { ...auth, 'content-type': 'application/json' }, data: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status(), `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message, url).toMatch(message);
  }
  const applied = await withDatabase(async (db) => ((await db.schema.hasTable('knex_migrations')) ? db('knex_migrations').count<{ n: string }[]>({ n: '*' }) : [{ n: '0' }]));
  expect(applied).toEqual([{ n: '0' }]);
  await api.dispose();
});
