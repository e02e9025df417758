// The dashboard with its database frozen, then stopped, then back: pages answer 503 with the
// shell and a banner naming the database (host and name only) within 5 s, the API answers 503
// `database_unavailable`, and everything recovers without a restart. The database is reached
// through a TCP proxy the test controls (test/harness/tcp-proxy.ts); the shared server is never
// stopped. Also: a server database without STRATA_AUTH_SECRET refuses to start, saying how to fix it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startTcpProxy } from '../test/harness/tcp-proxy';
import { expectAccessible } from './axe';
import { ADMIN, E2E_PORT, serverEnv } from './env';
import { startServer } from './server';

const CONTRACT_MS = 5_000;

async function timedGet(url: string, headers: Record<string, string> = {}) {
  const t0 = performance.now();
  const res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  // React separates text pieces with empty comments; read the page as a person would.
  const body = (await res.text()).replace(/<!-- -->/g, '');
  return { status: res.status, body, ms: performance.now() - t0 };
}

test('pages and the API answer 503 within 5 s while the database is frozen or stopped, and recover by themselves', async ({ page }) => {
  test.setTimeout(180_000);
  test.skip(!process.env.E2E_DB_NAME, 'needs TEST_DATABASE_URL: the embedded database lives inside the dashboard and cannot be frozen apart from it');
  const env = serverEnv();
  const dbUrl = new URL(env.DATABASE_URL!);
  const proxy = await startTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
  const viaProxy = proxy.urlFor(env.DATABASE_URL!);
  const server = await startServer(Number(E2E_PORT) + 1, { ...env, DATABASE_URL: viaProxy });
  try {
    const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const headers = { cookie };
    expect((await timedGet(`${server.url}/migrations`, headers)).status).toBe(200);
    const where = `127.0.0.1:${proxy.port}/${process.env.E2E_DB_NAME}`;

    for (const [what, sicken] of [
      ['frozen', async () => proxy.freeze()],
      ['stopped', () => proxy.refuse()],
    ] as const) {
      await sicken();
      const pageRes = await timedGet(`${server.url}/migrations`, headers);
      expect(pageRes.status, `page, database ${what}`).toBe(503);
      expect(pageRes.ms, `page, database ${what}`).toBeLessThan(CONTRACT_MS);
      expect(pageRes.body).toContain(`The database ${where} cannot be used`);
      expect(pageRes.body).toContain('Migrations'); // the shell's navigation
      expect(pageRes.body).not.toContain(ADMIN.password);
      const apiRes = await timedGet(`${server.url}/api/auth/session`, headers);
      expect(apiRes.status, `API, database ${what}: ${apiRes.body}`).toBe(503);
      expect(apiRes.ms, `API, database ${what}`).toBeLessThan(CONTRACT_MS);
      expect(JSON.parse(apiRes.body)).toMatchObject({ error: { code: 'database_unavailable', requestId: expect.any(String) } });
      if (what === 'frozen') {
        await page.context().addCookies([{ name: cookie.split('=')[0]!, value: cookie.split('=').slice(1).join('='), url: server.url }]);
        await page.goto(`${server.url}/migrations`);
        await expect(page.getByTestId('database-down')).toContainText(where);
        await expectAccessible(page);
      }
      await proxy.resume();
      const t0 = performance.now();
      await expect.poll(async () => (await timedGet(`${server.url}/migrations`, headers)).status, { timeout: 15_000, intervals: [100] }).toBe(200);
      console.log(`[outage] database ${what}: page 503 in ${Math.round(pageRes.ms)} ms, API 503 in ${Math.round(apiRes.ms)} ms; recovered ${Math.round(performance.now() - t0)} ms after it was back`);
    }
    const back = await timedGet(`${server.url}/migrations`, headers);
    expect(back.body).not.toContain('cannot be used');
  } finally {
    await server.stop();
    await proxy.close();
  }
});

test('a server database without STRATA_AUTH_SECRET: the dashboard refuses to start and says how to make one', async () => {
  test.setTimeout(60_000);
  test.skip(!process.env.E2E_DB_NAME, 'needs TEST_DATABASE_URL: the embedded database may do without the secret');
  const env: NodeJS.ProcessEnv = { ...process.env, ...serverEnv(), STRATA_BASE_URL: `http://127.0.0.1:${Number(E2E_PORT) + 1}` };
  delete env.STRATA_AUTH_SECRET;
  const child = spawn(process.execPath, [path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(Number(E2E_PORT) + 1)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 45_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  expect(code, out).toBe(1);
  expect(out).toContain('STRATA_AUTH_SECRET is required');
  expect(out).toContain("randomBytes(32).toString('base64url')");
});
