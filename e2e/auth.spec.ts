// Signing in and out in the browser, what each role sees, and the admin pages for tokens and audit.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { ADMIN } from './env';
import { adminCookie, bareClient, createUser, signInContext, signInWithBrowser } from './helpers';

test('a signed-out visit to any page lands on the sign-in page', async ({ page }) => {
  for (const path of ['/', '/migrations', '/vector-health', '/evaluations', '/admin/users', '/admin/audit']) {
    await page.goto(path);
    await expect(page).toHaveURL(new RegExp(`/sign-in\\?next=${encodeURIComponent(path).replace(/[/]/g, '%2F')}$`));
    await expect(page.getByRole('heading', { name: 'Sign in to Strata' })).toBeVisible();
  }
  await expectAccessible(page);
});

test('sign in, see the overview, sign out, land on the sign-in page', async ({ page }) => {
  await signInWithBrowser(page, ADMIN.email, ADMIN.password, '/migrations');
  // Back where the visit started.
  await expect(page).toHaveURL(/\/migrations$/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('signed-in-role')).toHaveText('admin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
  // The session is gone on the server too, not only the cookie.
  const session = await page.request.get('/api/auth/session');
  expect(session.status()).toBe(401);
});

test('a wrong password is refused with a message and no session', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toHaveText(/Wrong email or password/);
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await page.request.get('/api/auth/session')).status()).toBe(401);
});

test('before the page scripts load, the sign-in form posts itself: no password in a URL, failures said, success lands where the visit began', async ({ browser }) => {
  const api = await bareClient();
  const user = await createUser(api, await adminCookie(api), 'viewer');
  const post = (form: Record<string, string>) => api.post('/api/auth/sign-in', { form, maxRedirects: 0 });
  const tooLong = await post({ email: user.email, password: 'x'.repeat(200), next: '/evaluations' });
  expect(tooLong.status()).toBe(303);
  expect(tooLong.headers().location).toMatch(/\/sign-in\?next=%2Fevaluations&failed=bad_request$/);
  // Only a path of the dashboard's own is followed after sign-in.
  const offsite = await post({ email: user.email, password: user.password, next: 'https://elsewhere.example/' });
  expect(offsite.status()).toBe(303);
  expect(new URL(offsite.headers().location!).pathname).toBe('/');
  expect(offsite.headers()['set-cookie']).toBeTruthy();
  await api.dispose();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  await page.goto('/migrations');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fmigrations$/);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fmigrations&failed=unauthorized$/);
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toHaveText(/Wrong email or password/);
  expect((await page.request.get('/api/auth/session')).status()).toBe(401);

  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/migrations$/);
  // The dashboard's shell, rendered on the server for the new session (the pages themselves stream in with scripts).
  await expect(page.getByTestId('signed-in-role')).toHaveText('viewer');
  expect((await page.request.get('/api/auth/session')).status()).toBe(200);
  for (const secret of [user.password, 'not-the-password']) {
    expect(urls.filter((u) => u.includes(secret) || u.includes(encodeURIComponent(secret)))).toEqual([]);
  }
  await context.close();
});

test('before the page scripts load, the add-user form keeps its password out of the URL and adds nobody', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  await page.goto('/admin/users');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  const email = `nojs-${Date.now().toString(36)}@e2e.test`;
  const password = `nojs-password-${Date.now().toString(36)}`;
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill('No scripts');
  await form.getByLabel(/^Password/).fill(password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  expect(urls.filter((u) => u.includes(password))).toEqual([]);
  const api = await bareClient();
  const users = await api.get('/api/users', { headers: { cookie: await adminCookie(api) } });
  expect(JSON.stringify(await users.json())).not.toContain(email);
  await api.dispose();
  await context.close();
});

test('the N+1th failed sign-in for an account from one address gets 429; the right password from another address still signs in; all in the audit trail', async () => {
  const api = await bareClient();
  const admin = await adminCookie(api);
  const user = await createUser(api, admin, 'viewer');
  const limit = 5; // STRATA_SIGNIN_MAX_FAILURES, default
  for (let i = 0; i < limit; i++) {
    const res = await api.post('/api/auth/sign-in', { data: { email: user.email, password: `wrong-${i}-password` } });
    expect(res.status(), `attempt ${i + 1}`).toBe(401);
  }
  const throttled = await api.post('/api/auth/sign-in', { data: { email: user.email, password: `wrong-${limit}-password` } });
  expect(throttled.status()).toBe(429);
  expect(Number(throttled.headers()['retry-after'])).toBeGreaterThan(0);
  // From that address, even the right password is refused...
  expect((await api.post('/api/auth/sign-in', { data: { email: user.email, password: user.password } })).status()).toBe(429);
  // ...but the account is not locked out: from another address (as a proxy Strata trusts says) it signs in.
  const elsewhere = await api.post('/api/auth/sign-in', { data: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': '203.0.113.50' } });
  expect(elsewhere.status(), await elsewhere.text()).toBe(200);
  const audit = await api.get(`/api/audit?actor=${encodeURIComponent(user.email)}`, { headers: { cookie: admin } });
  const actions = ((await audit.json()) as { events: { action: string }[] }).events.map((e) => e.action);
  expect(actions.filter((a) => a === 'auth.sign_in_failed')).toHaveLength(limit);
  expect(actions.filter((a) => a === 'auth.sign_in_throttled')).toHaveLength(2);
  await api.dispose();
});

test('a viewer sees no admin pages; the admin pages refuse them', async ({ page }) => {
  const api = await bareClient();
  const viewer = await createUser(api, await adminCookie(api), 'viewer');
  await signInContext(page, viewer.email, viewer.password);
  await page.goto('/');
  await expect(page.getByTestId('signed-in-role')).toHaveText('viewer');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto('/admin/tokens');
  await expect(page.getByText('Only admins can manage API tokens')).toBeVisible();
  await api.dispose();
});

test('an admin creates a token, sees it once, uses it, revokes it, and reads both in the audit trail', async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/tokens');
  const name = `deploy-${Date.now().toString(36)}`;
  await page.getByLabel(/^Name/).fill(name);
  await page.getByLabel('Role').selectOption('operator');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  expect(token).toMatch(/^strata_/);
  await expectAccessible(page);

  const api = await bareClient();
  const me = await api.get('/api/auth/session', { headers: { authorization: `Bearer ${token}` } });
  expect(await me.json()).toMatchObject({ actor: { kind: 'token', label: name, role: 'operator' } });

  await page.reload();
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  const row = page.getByTestId('token-row').filter({ hasText: name });
  await expect(row).toContainText('Active');
  await expect(row).not.toContainText(token);
  page.once('dialog', (d) => {
    expect(d.message()).toContain(name);
    void d.accept();
  });
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(row).toContainText('Revoked');
  expect((await api.get('/api/auth/session', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);

  await page.goto('/admin/audit?action=token.revoke');
  await expect(page.getByTestId('audit-row').first()).toContainText(name);
  await page.getByLabel('Action').selectOption('token.create');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=token.create/);
  // The revoke rows also name the token and the admin: wait until the list shows the new filter's rows
  // only, so that nothing below (axe included) reads the page while it is still changing.
  await expect(page.getByTestId('audit-row').first()).toContainText('token.create');
  await expect(page.getByTestId('audit-row').filter({ hasNotText: 'token.create' })).toHaveCount(0);
  await expect(page.getByTestId('audit-row').first()).toContainText(name);
  await expect(page.getByTestId('audit-row').first()).toContainText(ADMIN.email);
  await expectAccessible(page);
  await api.dispose();
});
