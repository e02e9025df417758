// GET /api/health through the real route handler: no session needed, only {"ok": ...} in the
// body, and a request id in the response header.
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();
let GET: (req: NextRequest, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>;

beforeAll(async () => {
  // The route reads its target from the environment, as in production.
  process.env.DATABASE_URL = db.url;
  ({ GET } = await import('../app/api/health/route'));
});

const ctx = { params: Promise.resolve({}) };

describe('GET /api/health', () => {
  it('answers ok with a fresh request id', async () => {
    const res = await GET(new NextRequest('http://localhost/api/health'), ctx);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a caller’s request id and replaces an unsafe one', async () => {
    const mine = await GET(new NextRequest('http://localhost/api/health', { headers: { 'x-request-id': 'deploy-1234abcd' } }), ctx);
    expect(mine.headers.get('x-request-id')).toBe('deploy-1234abcd');
    const bad = await GET(new NextRequest('http://localhost/api/health', { headers: { 'x-request-id': '<script>alert(1)</script>' } }), ctx);
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
