// The console as operators live in it: every page at phone and desktop widths (no sideways scroll,
// axe on each), the menu below 768 px from the keyboard, 404s inside the shell, times in the
// reader's zone, a refused URL parameter, the distribution charts' controls, a revoked token's box
// and the sign-in throttle's wait. The guide's migrations are applied through the API (so that a
// run exists) with generated data, and rolled back through the API at the end.
import { expect, test, type Browser, type Page } from '@playwright/test';
import type pg from 'pg';
import { generate } from '../lib/generator/load';
import { SCALES, type Scale } from '../lib/generator/scales';
import { expectAccessible } from './axe';
import { ADMIN, BASE_URL } from './env';
import { adminCookie, bareClient, createToken, createUser, discoverPages, overflow, signInContext, withDatabase } from './helpers';

test.describe.configure({ mode: 'serial' });

const scale: Scale = {
  ...SCALES.demo,
  forums: 3,
  topics: 40,
  postsPerTopic: 2,
  evaluations: 200,
  planted: { zeroPostVectors: 1, nullTitleVectors: 1, stalePostVectors: 1, postsWithoutVectors: 1, orphanEvaluations: 2 },
};

let operatorToken = '';
let runId = '';
let evaluationId = 0;

async function operatorCall(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${BASE_URL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const api = await bareClient();
  operatorToken = (await createToken(api, await adminCookie(api), 'operator', 'console-spec')).token;
  await api.dispose();
  const plan = await operatorCall('/api/migrations/plan', { direction: 'up' });
  expect(plan.status).toBe(200);
  const expected = ((plan.json.plan as { confirm: { expected: string[] } }).confirm).expected;
  const run = await operatorCall('/api/migrations/latest?wait=1', { expected });
  expect(run.status, JSON.stringify(run.json)).toBe(200);
  runId = (run.json.run as { id: string }).id;
  evaluationId = await withDatabase(async (db) => {
    const conn = (await db.client.acquireConnection()) as pg.Client;
    try {
      await generate(conn, { scale, seed: 11, replace: true, method: process.env.E2E_DB_NAME ? 'copy' : 'insert' });
    } finally {
      await db.client.releaseConnection(conn);
    }
    return Number((await db('content_evaluations').min({ id: 'id' }).first())!.id);
  });
});

test.afterAll(async () => {
  const back = await operatorCall('/api/migrations/rollback?wait=1', { batch: 1 });
  expect(back.status, JSON.stringify(back.json)).toBe(200);
});

/** Every page in app/(dashboard), with a real id where the route takes one. */
function pagesToVisit(): string[] {
  const samples: Record<string, string> = { '/evaluations/[id]': `/evaluations/${evaluationId}`, '/migrations/runs/[id]': `/migrations/runs/${runId}` };
  return discoverPages().map((p) => {
    if (!p.includes('[')) return p;
    expect(samples[p], `a sample for ${p}: add one to pagesToVisit`).toBeDefined();
    return samples[p]!;
  });
}

async function signedInPage(browser: Browser, options: { width: number; dark?: boolean; timezoneId?: string }): Promise<Page> {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport: { width: options.width, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
    timezoneId: options.timezoneId,
  });
  const page = await context.newPage();
  await signInContext(page, ADMIN.email, ADMIN.password);
  return page;
}

for (const view of [{ width: 390 }, { width: 1280 }, { width: 1440 }, { width: 1280, dark: true }]) {
  test(`every page fits ${view.width} px${view.dark ? ' in dark mode' : ''} without scrolling sideways, and passes axe`, async ({ browser }) => {
    test.setTimeout(240_000);
    const page = await signedInPage(browser, view);
    const problems: string[] = [];
    for (const path of [...pagesToVisit(), '/no-such-page']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      // The page's own requests, and the charts' code, loaded.
      await page.waitForLoadState('networkidle');
      problems.push(...(await overflow(page)).map((p) => `${path}: ${p}`));
      await expectAccessible(page);
    }
    await page.context().clearCookies();
    await page.goto('/sign-in');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Strata' })).toBeVisible();
    problems.push(...(await overflow(page)).map((p) => `/sign-in: ${p}`));
    await expectAccessible(page);
    expect(problems).toEqual([]);
    await page.context().close();
  });
}

test('below 768 px the sidebar is a menu that opens and closes from the keyboard', async ({ browser }) => {
  const page = await signedInPage(browser, { width: 390 });
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(nav).toBeVisible();
  await expect(page.getByRole('button', { name: 'Close menu' })).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Tab');
  await expect(nav.getByRole('link', { name: 'Overview' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  // Following a link closes it.
  await menu.click();
  await nav.getByRole('link', { name: 'Vector health' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Vector health' })).toBeVisible();
  await expect(nav).toBeHidden();
  // At 1280 px there is no menu button: the sidebar is there.
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect(nav).toBeVisible();
  await expect(menu).toBeHidden();
  await page.context().close();
});

test('an evaluation or run that does not exist, or an unknown address, is a 404 inside the shell with a way back', async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
  for (const [path, back] of [
    ['/evaluations/99999999', 'Back to Evaluations'],
    ['/evaluations/not-an-id', 'Back to Evaluations'],
    ['/migrations/runs/00000000-0000-4000-8000-000000000000', 'Back to Migrations'],
    ['/no-such-page', null],
  ] as const) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
    await expect(page.getByRole('main')).toContainText(path);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Go to the overview' })).toBeVisible();
    if (back) await expect(page.getByRole('link', { name: back })).toBeVisible();
  }
  await page.getByRole('link', { name: 'Go to the overview' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
});

test('times are absolute in the reader’s zone, ISO-like, with how long ago beside them', async ({ browser }) => {
  const page = await signedInPage(browser, { width: 1280, timezoneId: 'Asia/Kolkata' });
  await page.goto(`/evaluations/${evaluationId}`);
  const time = page.getByTestId('time').first();
  const iso = (await time.getAttribute('datetime'))!;
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  await expect(time).toHaveText(new RegExp(`^${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} \\((.+ ago|yesterday|last .+)\\)$`));
  // ICU may give the zone its older name.
  await expect(time).toHaveAttribute('title', /Asia\/(Kolkata|Calcutta); \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
  await page.context().close();
});

test('a URL parameter the API would refuse is said once, beside its field, with no export offered', async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
  await page.goto('/evaluations?qmin=abc');
  // Once (the list and the count each said it before), and nothing else went wrong.
  await expect(page.getByText('must be a number such as 0.75')).toHaveCount(1);
  await expect(page.getByText(/^Could not/)).toHaveCount(0);
  await expect(page.getByTestId('query-problem')).toHaveText('Quality from (qmin) “abc”: must be a number such as 0.75.');
  const field = page.getByLabel('Quality from');
  await expect(field).toHaveValue('abc');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('link', { name: 'Export these as CSV' })).toHaveCount(0);
  await expect(page.getByTestId('evaluation-row')).toHaveCount(0);
  await expectAccessible(page);
  // Put right, the list is back.
  await field.fill('0.5');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(page).toHaveURL(/qmin=0\.5/);
  await expect(page.getByTestId('evaluation-row').first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export these as CSV' })).toBeVisible();

  await page.goto('/evaluations/distributions?from=yesterday');
  await expect(page.getByTestId('query-problem')).toContainText('Created from (from) “yesterday”:');
  await expect(page.getByTestId('histogram-quality')).toHaveCount(0);
});

test('the distribution charts: counts or shares, a heatmap legend, weekly counts and a score axis from 0', async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
  await page.goto('/evaluations/distributions');
  const quality = page.getByTestId('histogram-quality');
  await expect(quality.getByTestId('bar').first()).toBeVisible();
  await expect(quality).toContainText('quality score');
  await expect(quality).toContainText('evaluations');
  // click, not check: the choice is the URL's, so the radio turns checked when the URL has changed.
  await page.getByRole('radio', { name: /share/ }).click();
  await expect(page.getByRole('radio', { name: /share/ })).toBeChecked();
  await expect(page).toHaveURL(/view=share/);
  await expect(quality).toContainText('share of the type');
  await expect(quality.locator('text').filter({ hasText: /%$/ }).first()).toBeVisible();
  await expect(page.getByTestId('heatmap-legend')).toHaveText(/^1.*\d$/);
  const weekly = page.getByTestId('weekly-medians');
  await expect(weekly.getByTestId('bar').first()).toBeVisible();
  await page.getByLabel('Start the score axis at 0').click();
  await expect(page.getByLabel('Start the score axis at 0')).toBeChecked();
  await expect(page).toHaveURL(/y=zero/);
  // The score axis (left) starts at 0.
  await expect(weekly.locator('text').filter({ hasText: /^0\.00$/ })).toHaveCount(1);
  // The choices are in the URL: a reload keeps them.
  await page.reload();
  await expect(page.getByRole('radio', { name: /share/ })).toBeChecked();
  await expect(page.getByLabel('Start the score axis at 0')).toBeChecked();
  await expectAccessible(page);
});

test('after revoking the token just made, its box no longer offers it to copy', async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/tokens');
  const name = `short-lived-${Date.now().toString(36)}`;
  await page.getByLabel(/^Name/).fill(name);
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toHaveText(/^strata_/);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('token-row').filter({ hasText: name }).getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  await expect(page.getByTestId('new-token-revoked')).toContainText(name);
});

test('a throttled sign-in says how long to wait', async ({ page }) => {
  const api = await bareClient();
  const user = await createUser(api, await adminCookie(api), 'viewer');
  // From an address of their own, so that these failures leave the per-address count of the other tests alone.
  const headers = { 'x-forwarded-for': '10.14.0.1' };
  for (let i = 0; i < 5; i++) await api.post('/api/auth/sign-in', { headers, data: { email: user.email, password: `wrong-${i}-password` } });
  const refused = await api.post('/api/auth/sign-in', { headers, data: { email: user.email, password: 'wrong-again-password' } });
  expect(refused.status()).toBe(429);
  const wait = Number(refused.headers()['retry-after']);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(`Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minutes`);
  // The browser from the same address: that account and address pair is blocked (from another
  // address the right password still signs in, slowed down; auth.spec.ts checks that).
  await page.setExtraHTTPHeaders(headers);
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Too many' })).toHaveText(/^Too many failed sign-ins; try again in \d+ minutes$/);
  await api.dispose();
});
