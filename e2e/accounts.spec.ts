// Passwords in the browser: an admin resets a user's password on the Users page (at phone width),
// copies it from the box that shows it once, and the user signs in with it and chooses their own
// on the Account page, reached from the sidebar's user box; the admin's box then stops offering it.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { ADMIN } from './env';
import { adminCookie, bareClient, createUser, overflow, sessionCookie, signInContext, signInWithBrowser } from './helpers';

test('an admin resets a password, sees it once, and the user signs in with it and then chooses their own', async ({ browser }) => {
  test.setTimeout(120_000);
  const api = await bareClient();
  const user = await createUser(api, await adminCookie(api), 'operator');
  const oldSession = await sessionCookie(api, user.email, user.password);
  const sessionStatus = async (cookie: string) => (await api.get('/api/auth/session', { headers: { cookie } })).status();
  expect(await sessionStatus(oldSession)).toBe(200);

  const adminContext = await browser.newContext({ viewport: { width: 390, height: 900 } });
  await adminContext.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await adminContext.newPage();
  await signInContext(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/users');
  const row = page.getByTestId('user-row').filter({ hasText: user.email });
  await expect(row).toContainText('Active');

  // The confirmation says what will happen; dismissing it changes nothing.
  const messages: string[] = [];
  page.once('dialog', (d) => {
    messages.push(d.message());
    void d.dismiss();
  });
  await row.getByRole('button', { name: `Reset password of ${user.email}` }).click();
  await expect.poll(() => messages.length).toBe(1);
  expect(messages[0]).toContain(`Reset the password of ${user.email}?`);
  expect(messages[0]).toContain('generates a new password and shows it to you only once');
  expect(messages[0]).toContain('all their sessions end now (1 session active)');
  await expect(page.getByTestId('reset-password')).toHaveCount(0);
  expect(await sessionStatus(oldSession)).toBe(200);

  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: `Reset password of ${user.email}` }).click();
  const shown = page.getByTestId('reset-password');
  await expect(shown).toHaveText(/^[A-Za-z0-9_-]{20,}$/);
  const password = (await shown.textContent())!;
  const box = page.getByRole('status').filter({ has: shown });
  await expect(box).toContainText(`The new password of ${user.email}`);
  await expect(box).toContainText('1 session ended');
  await box.getByRole('button', { name: 'Copy password' }).click();
  await expect(box.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
  expect(await overflow(page)).toEqual([]);
  await expectAccessible(page);

  // Their session ended; the old password no longer signs in.
  expect(await sessionStatus(oldSession)).toBe(401);
  expect((await api.post('/api/auth/sign-in', { data: { email: user.email, password: user.password } })).status()).toBe(401);

  // The user signs in with the new one, then opens Account from the sidebar and chooses their own.
  const userContext = await browser.newContext({ viewport: { width: 390, height: 900 } });
  const userPage = await userContext.newPage();
  await signInWithBrowser(userPage, user.email, password);
  await userPage.getByRole('button', { name: 'Menu' }).click();
  await userPage.getByRole('link', { name: 'Account' }).click();
  await expect(userPage.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  const form = userPage.getByRole('form', { name: 'Change your password' });
  const own = `my-own-password-${Date.now().toString(36)}`;
  await form.getByLabel('Current password').fill('not-the-current-password');
  await form.getByLabel(/^New password/).fill(own);
  await form.getByLabel('Repeat the new password').fill(own);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(userPage.getByRole('main').getByRole('alert')).toHaveText('Current password: is not your current password');
  await form.getByLabel('Current password').fill(password);
  await form.getByLabel(/^New password/).fill(own);
  await form.getByLabel('Repeat the new password').fill(own);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(userPage.getByTestId('password-changed')).toContainText('Your password is changed');
  // This browser's session was re-issued and goes on.
  expect((await userPage.request.get('/api/auth/session')).status()).toBe(200);
  expect(await overflow(userPage)).toEqual([]);
  await expectAccessible(userPage);
  expect((await api.post('/api/auth/sign-in', { data: { email: user.email, password } })).status()).toBe(401);
  expect((await api.post('/api/auth/sign-in', { data: { email: user.email, password: own } })).status()).toBe(200);

  // The admin's box no longer offers the password that stopped working; a reload never shows it again.
  await expect(page.getByTestId('reset-password-changed')).toContainText(user.email, { timeout: 15_000 });
  await expect(page.getByTestId('reset-password')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('user-row').first()).toBeVisible();
  await expect(page.getByText(password)).toHaveCount(0);

  // The reset and the change are in the audit trail, the admin as the actor of the reset.
  await page.goto('/admin/audit?action=user.password_reset');
  await expect(page.getByTestId('audit-row').first()).toContainText(ADMIN.email);
  await expect(page.getByTestId('audit-row').first()).toContainText(user.email);
  await page.goto('/admin/audit?action=user.password_change');
  await expect(page.getByTestId('audit-row').first()).toContainText(user.email);

  await userContext.close();
  await adminContext.close();
  await api.dispose();
});

test('the admin is sent to the Account page for their own password, and Done puts a reset password away', async ({ page }) => {
  const api = await bareClient();
  const user = await createUser(api, await adminCookie(api), 'viewer');
  await signInContext(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/users');
  const self = page.getByTestId('user-row').filter({ hasText: ADMIN.email });
  await expect(self.getByRole('link', { name: 'Change your password' })).toHaveAttribute('href', '/account');
  await expect(self.getByRole('button', { name: /^Reset password/ })).toHaveCount(0);

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('user-row').filter({ hasText: user.email }).getByRole('button', { name: `Reset password of ${user.email}` }).click();
  await expect(page.getByTestId('reset-password')).toBeVisible();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('reset-password')).toHaveCount(0);
  await api.dispose();
});
