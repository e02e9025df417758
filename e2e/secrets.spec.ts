// No password, token or signing secret reaches the server log, an API response or the client bundle.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ADMIN } from './env';
import { adminCookie, bareClient, createToken, createUser, fromDashboard, sessionCookie, withDatabase } from './helpers';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('passwords, tokens and the auth secret appear in no log line, API response or static file', async () => {
  const api = await bareClient();
  const admin = await adminCookie(api);
  const user = await createUser(api, admin, 'operator');
  const wrongPassword = `wrong-${Math.random().toString(36).slice(2)}-canary`;
  expect((await api.post('/api/auth/sign-in', { data: { email: user.email, password: wrongPassword } })).status()).toBe(401);
  await sessionCookie(api, user.email, user.password);
  const { token } = await createToken(api, admin, 'viewer', 'canary token');
  expect((await api.get('/api/auth/session', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);
  // A request that fails with a token in it, too.
  expect((await api.get('/api/users', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(403);

  const { secret, hash } = await withDatabase(async (db) => ({
    secret: (await db('strata.settings').where({ key: 'auth_secret' }).first<{ value: string }>('value'))?.value,
    hash: (await db('strata.api_tokens').where({ name: 'canary token' }).first<{ token_hash: string }>('token_hash'))!.token_hash,
  }));
  const secrets: Record<string, string> = {
    'the admin password': ADMIN.password,
    "a user's password": user.password,
    'a wrong password': wrongPassword,
    'an API token': token,
    "an API token's hash": hash,
    ...(secret ? { 'the auth secret (generated)': secret } : {}),
    ...(process.env.E2E_AUTH_SECRET ? { 'the auth secret (STRATA_AUTH_SECRET)': process.env.E2E_AUTH_SECRET } : {}),
  };

  const responses: string[] = [];
  for (const url of ['/api/users', '/api/tokens', '/api/audit?limit=200', '/api/auth/session']) {
    const res = await api.get(url, { headers: fromDashboard(admin) });
    expect(res.status(), url).toBe(200);
    responses.push(await res.text());
  }
  // Let the server's last log lines reach the file.
  await new Promise((r) => setTimeout(r, 500));
  const log = fs.readFileSync(process.env.E2E_LOG_FILE!, 'utf8');
  expect(log.length, 'the server log was captured').toBeGreaterThan(0);
  const staticFiles = filesUnder(path.join(process.cwd(), '.next', 'static'));
  expect(staticFiles.length).toBeGreaterThan(0);

  const leaks: string[] = [];
  for (const [what, value] of Object.entries(secrets)) {
    if (log.includes(value)) leaks.push(`${what} is in the server log`);
    responses.forEach((r, i) => r.includes(value) && leaks.push(`${what} is in API response ${i}`));
    for (const f of staticFiles) if (fs.readFileSync(f, 'utf8').includes(value)) leaks.push(`${what} is in ${f}`);
  }
  expect(leaks).toEqual([]);
  await api.dispose();
});
