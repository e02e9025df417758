// What the production server answers to hostile or broken requests, and the headers it sends:
// on a page, an API answer and a static file; a same-site page cannot frame the dashboard; a
// 256 MB body is refused without the server's memory growing; the audit trail records refused
// changes and verifies its own chain from the audit page.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { ADMIN, BASE_URL, E2E_PORT, SERVER_PID_FILE } from './env';
import { adminCookie, bareClient, createToken, createUser, fromDashboard, signInContext } from './helpers';

/** A raw request, for what an HTTP client library will not send (TRACE, a path that is not UTF-8). */
function raw(text: string): Promise<{ status: number; head: string; body: string }> {
  const { port } = new URL(BASE_URL);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => {
      const [head, ...rest] = out.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head!)?.[1]), head: head!, body: rest.join('\r\n\r\n') });
    });
    socket.on('error', reject);
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

test('a page, an API answer and a static file carry the security headers; API answers are never cached', async () => {
  const api = await bareClient();
  const cookie = await adminCookie(api);
  const page = await api.get('/', { headers: { cookie } });
  expect(page.status()).toBe(200);
  const ph = page.headers();
  expect(ph['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(ph['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(ph['content-security-policy']).not.toContain('unsafe-eval');
  const nonce = /'nonce-([^']+)'/.exec(ph['content-security-policy']!)![1]!;
  expect(await page.text()).toContain(`nonce="${nonce}"`);
  expect(ph).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'x-frame-options': 'DENY' });
  // The test server runs on http: no HSTS (the front door's test covers https).
  expect(ph['strict-transport-security']).toBeUndefined();

  const created = await api.post('/api/users', { headers: fromDashboard(cookie), data: { email: `h-${Date.now()}@e2e.test`, name: 'H', role: 'viewer' } });
  expect(created.status()).toBe(201);
  // The answer carries a one-time password: never stored by a cache.
  expect(created.headers()).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" });
  expect((await api.get('/api/health')).headers()['cache-control']).toBe('no-store');

  const html = await page.text();
  const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)![1]!;
  for (const file of [script, '/icon.svg']) {
    const res = await api.get(file);
    expect(res.status(), file).toBe(200);
    expect(res.headers(), file).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' });
  }
  await api.dispose();
});

test('a same-site page cannot frame the signed-in dashboard', async ({ page }) => {
  await signInContext(page, ADMIN.email, ADMIN.password);
  // 127.0.0.1 on another port: same site, another origin.
  const port = Number(E2E_PORT) + 1;
  const framer = http.createServer((_, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>framer</title><iframe id="f" src="${BASE_URL}/admin/users" width="800" height="600"></iframe>`);
  });
  await new Promise<void>((r) => framer.listen(port, '127.0.0.1', r));
  try {
    const blocked = page.waitForEvent('console', { predicate: (m) => /frame-ancestors|X-Frame-Options|Refused to (frame|display)/i.test(m.text()), timeout: 10_000 }).catch(() => null);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForTimeout(1_000);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const content = frame ? await frame.content().catch(() => '') : '';
    expect(content).not.toContain('signed-in-email');
    expect(await blocked, 'the browser says it refused to frame the page').not.toBeNull();
  } finally {
    await new Promise((r) => framer.close(r));
  }
});

test('TRACE, a path that is not UTF-8, and the prefetch header get clean answers with a request id', async () => {
  const trace = await raw('TRACE /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(trace.status).toBe(405);
  expect(JSON.parse(trace.body)).toMatchObject({ error: { code: 'method_not_allowed', requestId: expect.any(String) } });
  const tracePage = await raw('TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(tracePage.status).toBe(405);
  const path = await raw('GET /api/evaluations/%ED%A0%80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(path.status).toBe(400);
  expect(JSON.parse(path.body)).toMatchObject({ error: { code: 'bad_request', requestId: expect.any(String) } });
  const api = await bareClient();
  const prefetch = await api.get('/api/auth/session', { headers: { 'x-middleware-prefetch': '1' } });
  expect(prefetch.status()).toBe(401);
  const jsonx = await api.post('/api/auth/sign-in', { headers: { 'content-type': 'application/jsonx' }, data: JSON.stringify({ email: ADMIN.email, password: 'x' }) });
  expect(jsonx.status()).toBe(400);
  await api.dispose();
});

test('a signed-in visit to the sign-in page with a non-Latin-1 `next` is redirected, not a 500', async () => {
  const api = await bareClient();
  const cookie = await adminCookie(api);
  const res = await api.get('/sign-in?next=%2F%E6%97%A5', { headers: { cookie }, maxRedirects: 0 });
  expect(res.status()).toBe(307);
  expect(res.headers().location).toBe('/%E6%97%A5');
  await api.dispose();
});

test('a 256 MB anonymous body is refused early and the server does not hold it', async () => {
  test.setTimeout(120_000);
  const pid = Number(fs.readFileSync(SERVER_PID_FILE(), 'utf8'));
  const before = rssMb(pid);
  const { port } = new URL(BASE_URL);
  // Sent without a length (chunked), so the front door cannot refuse it up front: the route
  // wrapper stops reading at 1 MB.
  let sentMb = 0;
  const status = await new Promise<number>((resolve) => {
    let answer = 0;
    const req = http.request({ host: '127.0.0.1', port, path: '/api/auth/sign-in', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      answer = res.statusCode!;
      res.resume();
    });
    // Settled when the whole body went out or the server closed the connection on it.
    req.on('close', () => resolve(answer));
    req.on('error', () => undefined);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const pump = () => {
      let more = true;
      while (sentMb < 256 && !req.destroyed && more) {
        sentMb++;
        more = req.write(chunk);
      }
      if (req.destroyed) return;
      if (sentMb < 256) req.once('drain', pump);
      else req.end();
    };
    req.write('{"email":"');
    pump();
  });
  expect(status).toBe(413);
  // With a declared length, refused before a byte of it is read.
  const declared = await raw(`POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${256 * 1024 * 1024}\r\n\r\n{`);
  expect(declared.status).toBe(413);
  const after = rssMb(pid);
  // A whole body read would add 256 MB or more; a generous bound for allocator noise.
  expect(after - before, `server memory went from ${before.toFixed(0)} MB to ${after.toFixed(0)} MB (${sentMb} MB written before the server answered and closed)`).toBeLessThan(64);
  console.log(`[body limit] server memory ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after; ${sentMb} MB of the 256 MB written before the server closed the connection`);
});

test('refused changes are in the audit trail, and the audit page verifies the chain', async ({ page }) => {
  const api = await bareClient();
  const requestId = `e2e-refused-${Date.now()}`;
  const refused = await api.post('/api/tokens', { headers: { 'content-type': 'application/json', 'x-request-id': requestId }, data: { name: 'x', role: 'admin' } });
  expect(refused.status()).toBe(401);
  const cookie = await adminCookie(api);
  await expect
    .poll(async () => {
      const audit = await api.get('/api/audit?action=request.refused&limit=200', { headers: { cookie } });
      return ((await audit.json()) as { events: { requestId: string; details: { status: number } }[] }).events.find((e) => e.requestId === requestId)?.details.status;
    })
    .toBe(401);

  await signInContext(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/audit');
  await page.getByRole('button', { name: 'Verify the audit trail' }).click();
  await expect(page.getByTestId('audit-verify-result')).toHaveText(/^Intact: [\d,]+ events checked in [\d,]+ ms\.$/);
  await expectAccessible(page);
  await api.dispose();
});

test("a token stops working when its maker is disabled, and the token list says why", async () => {
  const api = await bareClient();
  const admin = await adminCookie(api);
  const maker = await createUser(api, admin, 'admin');
  const makerCookie = await (async () => {
    const res = await api.post('/api/auth/sign-in', { data: { email: maker.email, password: maker.password } });
    return res.headersArray().find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.includes('session_token='))!.value.split(';')[0]!;
  })();
  const { token, id } = await createToken(api, makerCookie, 'operator', 'maker token');
  expect((await api.get('/api/auth/session', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);
  expect((await api.patch(`/api/users/${maker.id}`, { headers: fromDashboard(admin), data: { disabled: true } })).status()).toBe(200);
  expect((await api.get('/api/auth/session', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);
  const tokens = (await (await api.get('/api/tokens', { headers: { cookie: admin } })).json()) as { tokens: { id: string; suspended: string | null }[] };
  expect(tokens.tokens.find((t) => t.id === id)?.suspended).toBe('its maker is disabled');
  await api.dispose();
});
