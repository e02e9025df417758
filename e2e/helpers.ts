// Sign-in and set-up helpers for the browser and API tests.
import fs from 'node:fs';
import path from 'node:path';
import { expect, request as playwrightRequest, type APIRequestContext, type Page } from '@playwright/test';
import knex, { type Knex } from 'knex';
import { readConfig } from '../lib/config';
import { knexConfig } from '../lib/db/knex-config';
import { resolveTarget } from '../lib/db/target';
import { ADMIN, BASE_URL } from './env';

export type Role = 'viewer' | 'operator' | 'admin';

/** An API client with no cookie jar: each request carries exactly the headers a test gives it. */
export async function bareClient(): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL: BASE_URL, storageState: { cookies: [], origins: [] } });
}

/**
 * Signs in through the API; returns the Cookie header value of the new session. The sign-in runs
 * in a context of its own, so that the session cookie lands in no other client's cookie jar.
 */
export async function sessionCookie(_api: APIRequestContext, email: string, password: string): Promise<string> {
  const own = await bareClient();
  try {
    const res = await own.post('/api/auth/sign-in', { data: { email, password } });
    expect(res.status(), await res.text()).toBe(200);
    const setCookie = res.headersArray().find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.includes('session_token='));
    expect(setCookie, 'sign-in sets the session cookie').toBeTruthy();
    return setCookie!.value.split(';')[0]!;
  } finally {
    await own.dispose();
  }
}

/** Headers of a same-origin request from the dashboard's own pages. */
export function fromDashboard(cookie: string): Record<string, string> {
  return { cookie, origin: BASE_URL, 'sec-fetch-site': 'same-origin' };
}

let counter = 0;
export function uniqueEmail(role: string): string {
  return `${role}-${process.pid}-${Date.now().toString(36)}-${++counter}@e2e.test`;
}

export async function createUser(api: APIRequestContext, adminCookie: string, role: Role): Promise<{ email: string; password: string; id: string }> {
  const email = uniqueEmail(role);
  const password = `pw-${role}-${Math.random().toString(36).slice(2)}-x`;
  const res = await api.post('/api/users', { headers: fromDashboard(adminCookie), data: { email, name: `${role} user`, role, password } });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { user: { id: string } };
  return { email, password, id: body.user.id };
}

export async function createToken(api: APIRequestContext, adminCookie: string, role: Role, name = `${role} token`): Promise<{ token: string; id: string }> {
  const res = await api.post('/api/tokens', { headers: fromDashboard(adminCookie), data: { name, role } });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { token: string; record: { id: string } };
  return { token: body.token, id: body.record.id };
}

export async function adminCookie(api: APIRequestContext): Promise<string> {
  return sessionCookie(api, ADMIN.email, ADMIN.password);
}

/** Signs in through the sign-in page. */
export async function signInWithBrowser(page: Page, email: string, password: string, from = '/'): Promise<void> {
  await page.goto(from);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);
}

/**
 * Runs `fn` with a direct connection to the dashboard's database (through the dashboard's own
 * embedded server when it uses one), for checks and for states a user cannot make through the UI.
 */
export async function withDatabase<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
  const env: Record<string, string | undefined> = {};
  if (process.env.E2E_DB_NAME) {
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${process.env.E2E_DB_NAME}`;
    env.DATABASE_URL = u.toString();
  } else {
    env.STRATA_DATA_DIR = process.env.E2E_DATA_DIR;
  }
  const config = readConfig(env);
  const target = await resolveTarget(config);
  const db = knex(knexConfig(target, config));
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** The API routes in app/api with the methods each exports, e.g. { path: '/api/users/[id]', methods: ['PATCH'] }. */
export function discoverApiRoutes(root = path.join(process.cwd(), 'app', 'api')): { path: string; methods: string[] }[] {
  const out: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^route\.(ts|tsx|js|mjs)$/.test(entry.name)) {
        const source = fs.readFileSync(full, 'utf8');
        const methods = [...source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)].map((m) => m[1]!);
        const rel = path.relative(path.join(process.cwd(), 'app'), dir).split(path.sep).filter((s) => !/^\(.*\)$/.test(s));
        out.push({ path: `/${rel.join('/')}`, methods: [...new Set(methods)].sort() });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** The dashboard's pages in app/(dashboard), e.g. '/migrations/runs/[id]' (route groups left out). */
export function discoverPages(dir = path.join(process.cwd(), 'app', '(dashboard)')): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name === 'page.tsx') {
        const rel = path.relative(dir, d).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
        out.push(`/${rel.join('/')}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** Signs the browser context in through the API (its cookie jar is the browser's). */
export async function signInContext(page: Page, email: string, password: string): Promise<void> {
  const res = await page.request.post('/api/auth/sign-in', { data: { email, password } });
  expect(res.status(), await res.text()).toBe(200);
}

/** What sticks out sideways: the document, and the page column inside the shell. */
export async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const d = document.documentElement;
    if (d.scrollWidth > d.clientWidth) out.push(`the page is ${d.scrollWidth} px wide in a ${d.clientWidth} px window`);
    const main = document.querySelector('main');
    if (main && main.scrollWidth > main.clientWidth) out.push(`its content is ${main.scrollWidth} px wide in a ${main.clientWidth} px column`);
    return out;
  });
}
