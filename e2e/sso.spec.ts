// Single sign-on against a real OpenID Connect provider: the role comes from the groups claim,
// and an account in no mapped group is refused.
import { expect, test } from '@playwright/test';
import { E2E_PORT, serverEnv } from './env';
import { startIdp } from './oidc-idp';
import { startServer } from './server';

test('SSO signs in with the role its groups map to, and refuses an account in no group', async ({ page }) => {
  test.setTimeout(180_000);
  const strataPort = Number(E2E_PORT) + 3;
  const strataUrl = `http://127.0.0.1:${strataPort}`;
  const idp = await startIdp(Number(E2E_PORT) + 4, `${strataUrl}/api/auth/callback/oidc`, {
    alice: ['staff', 'strata-ops'],
    mallory: ['marketing'],
  });
  const strata = await startServer(strataPort, {
    ...serverEnv(),
    STRATA_OIDC_ISSUER: idp.issuer,
    STRATA_OIDC_CLIENT_ID: 'strata',
    STRATA_OIDC_CLIENT_SECRET: 'strata-test-secret',
    STRATA_OIDC_NAME: 'Test IdP',
    STRATA_OIDC_ROLE_MAP: 'strata-ops=operator,strata-admins=admin',
  });
  const loginAt = async (login: string) => {
    await page.goto(`${strataUrl}/sign-in`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL(new RegExp(`^${idp.issuer}/`));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    // The provider's consent page, when it asks.
    const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
    if (await consent.isVisible({ timeout: 5_000 }).catch(() => false)) await consent.click();
  };
  try {
    await loginAt('alice');
    await expect(page.getByTestId('signed-in-email')).toHaveText('alice@sso.example');
    await expect(page.getByTestId('signed-in-role')).toHaveText('operator');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    // Forget alice's session at the identity provider too.
    await page.context().clearCookies();
    await loginAt('mallory');
    await expect(page).toHaveURL(/\/sign-in\?error=/);
    await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toContainText('Single sign-on did not sign you in');
    expect((await page.request.get(`${strataUrl}/api/auth/session`)).status()).toBe(401);
  } finally {
    await strata.stop();
    await idp.close();
  }
});
