// npm run bench:pages -- [--port 3300] [--runs 5] [--only /evaluations,/vector-health]
// How long each dashboard page takes from a navigation to its content on screen, in the
// production build (`npm run build` first) on the database the environment names (DATABASE_URL,
// or the embedded one) — fill it with `npm run demo` first. The script starts `next start` on a
// port of its own, signs in as a throwaway admin it creates with `npm run user` (and disables
// afterwards), and drives the machine's Chromium. Two figures per page, medians of --runs:
// - navigate: a click on the link that leads there (the sidebar, a tab, a row) until the content
//   is visible — what an operator feels moving around;
// - load: a full page load of the URL until the content is visible.
// The baseline beside them, measured in the same run, is the page's own data through its API
// (the request the browser used to make after the page arrived), so the ratio shows what the
// page costs over the data it shows.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { table, type Result } from './bench-result';

const HELP = `Usage: npm run bench:pages -- [--port N] [--runs N] [--only PATH,PATH]

Measures navigation-to-content per page on the production build (run \`npm run build\` first),
against DATABASE_URL or the embedded database (load it with \`npm run demo\`).
  --port N        port for the next start it runs (default 3300)
  --runs N        measurements per page and kind; the median is printed (default 5)
  --only PATHS    measure only these pages, e.g. --only /evaluations,/vector-health
  --help          this text`;

type Target = {
  path: string;
  /** What is on screen once the page shows its content (not a loading or error state): a CSS selector, or a text. */
  ready: { selector: string; text?: string };
  /** Where the click starts, and the link it clicks. */
  from: string;
  link: (page: Page) => ReturnType<Page['locator']>;
  /** The API request that carries the page's main data. */
  api: string;
};

const nav = (name: string) => (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
const testId = (id: string) => ({ selector: `[data-testid="${id}"]` });

const TARGETS: Target[] = [
  { path: '/', ready: testId('migrations-applied'), from: '/admin/tokens', link: nav('Overview'), api: '/api/migrations' },
  { path: '/migrations', ready: testId('migration-row'), from: '/', link: nav('Migrations'), api: '/api/migrations' },
  {
    path: '/migrations/history',
    ready: { selector: '[data-testid="history-row"]', text: 'Nothing has been run through Strata yet' },
    from: '/migrations',
    link: (p) => p.getByRole('main').getByRole('link', { name: 'History', exact: true }),
    api: '/api/migrations/runs',
  },
  { path: '/vector-health', ready: testId('ann-index-row'), from: '/', link: nav('Vector health'), api: '/api/vector-health' },
  { path: '/evaluations', ready: testId('evaluation-row'), from: '/', link: nav('Evaluations'), api: '/api/evaluations' },
  {
    path: '/evaluations/distributions',
    // The bars, drawn with recharts before (its class) or as SVG of Strata's own (data-testid).
    ready: { selector: '[data-testid="histogram-quality"] :is(.recharts-bar-rectangle, [data-testid="bar"])' },
    from: '/evaluations',
    link: (p) => p.getByRole('navigation', { name: 'Evaluations views' }).getByRole('link', { name: 'Distributions' }),
    api: '/api/evaluations/distributions',
  },
  {
    path: '/evaluations/{first}',
    ready: testId('evaluation-title'),
    from: '/evaluations',
    link: (p) => p.getByTestId('evaluation-row').first().getByRole('link'),
    api: '/api/evaluations/{first}',
  },
  { path: '/admin/users', ready: testId('user-row'), from: '/', link: nav('Users'), api: '/api/users' },
  { path: '/admin/tokens', ready: { selector: '[data-testid="token-row"]', text: 'No tokens yet' }, from: '/', link: nav('API tokens'), api: '/api/tokens' },
  { path: '/admin/audit', ready: testId('audit-row'), from: '/', link: nav('Audit trail'), api: '/api/audit' },
];

/**
 * Runs in every page before its scripts: notes when the content the benchmark waits for appears
 * (on each DOM change, before it is painted), and when a click happened. Playwright's own waiting
 * polls at growing intervals (up to 500 ms apart), too coarse for these figures. A string, not a
 * function: tsx's compiled functions call helpers that do not exist in the page.
 */
const WATCH_FOR_CONTENT = `
  window.__readyAt = null;
  window.__clickAt = null;
  const check = () => {
    const want = JSON.parse(sessionStorage.getItem('bench-ready') || 'null');
    if (!want || window.__readyAt !== null) return;
    if (document.querySelector(want.selector) || (want.text && document.body && document.body.innerText.includes(want.text))) {
      window.__readyAt = performance.now();
    }
  };
  document.addEventListener('click', () => { window.__clickAt = performance.now(); window.__readyAt = null; }, true);
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
`;

function npm(args: string[], input?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(input ?? '');
  });
}

async function startServer(port: number): Promise<ChildProcess> {
  if (!fs.existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first.');
  const taken = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
  if (taken) throw new Error(`Port ${port} is in use: pass --port with a free one.`);
  const child = spawn('npx', ['next', 'start', '-p', String(port)], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', LOG_LEVEL: 'warn', STRATA_BASE_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (ok) return child;
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('next start did not answer within 90 s');
    await new Promise((r) => setTimeout(r, 300));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '3300' }, runs: { type: 'string', default: '5' }, only: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = Number(values.port);
  const runs = Number(values.runs);
  if (!Number.isInteger(port) || !Number.isInteger(runs) || runs < 1) throw new Error(`--port and --runs take whole numbers\n\n${HELP}`);
  const only = values.only?.split(',').map((s) => s.trim());
  const base = `http://127.0.0.1:${port}`;

  console.error(`Starting next start on port ${port}…`);
  const server = await startServer(port);
  const email = `bench-pages-${Date.now().toString(36)}@strata.local`;
  const password = `bench-${crypto.randomUUID()}`;
  const created = await npm(['user', '--', 'create', '--email', email, '--role', 'admin', '--password-stdin'], password);
  if (created.code !== 0) throw new Error(`could not create the benchmark user:\n${created.out}`);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const results: Result[] = [];
  try {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
    await context.addInitScript({ content: WATCH_FOR_CONTENT });
    const page = await context.newPage();
    const signIn = await page.request.post('/api/auth/sign-in', { data: { email, password } });
    if (!signIn.ok()) throw new Error(`sign-in failed: HTTP ${signIn.status()}`);
    const first = ((await (await page.request.get('/api/evaluations?limit=1')).json()) as { rows?: { id: number }[] }).rows?.[0]?.id;
    if (!first) console.error('No evaluations: the evaluation pages will time out. Load data with `npm run demo`.');
    const fill = (s: string) => s.replace('{first}', String(first));

    for (const t of TARGETS) {
      const path = fill(t.path);
      if (only && !only.includes(t.path) && !only.includes(path)) continue;
      const navigate: number[] = [];
      const load: number[] = [];
      const api: number[] = [];
      // One warm-up of each kind: the first request of a route loads its code on the server.
      for (let i = 0; i <= runs; i++) {
        await page.goto(fill(t.from));
        // A click before React has hydrated the link is a full page load, not a navigation: wait
        // for the link's React props, and for the page's own requests and prefetches to settle.
        await page.waitForFunction((el) => Object.keys(el).some((k) => k.startsWith('__reactProps')), await t.link(page).elementHandle());
        await page.waitForLoadState('networkidle');
        await page.evaluate((ready) => sessionStorage.setItem('bench-ready', JSON.stringify(ready)), t.ready);
        await t.link(page).click();
        await page.waitForFunction(() => (window as unknown as { __readyAt: number | null }).__readyAt !== null, undefined, { timeout: 30_000 });
        const n = await page.evaluate(() => {
          const w = window as unknown as { __readyAt: number; __clickAt: number };
          return w.__readyAt - w.__clickAt;
        });
        // From the start of the navigation (the document's time origin) to the content.
        await page.goto(path, { waitUntil: 'commit' });
        await page.waitForFunction(() => (window as unknown as { __readyAt: number | null }).__readyAt !== null, undefined, { timeout: 30_000 });
        const l = await page.evaluate(() => (window as unknown as { __readyAt: number }).__readyAt);
        const a = await timed(async () => {
          const r = await page.request.get(fill(t.api));
          await r.body();
        });
        if (i > 0) {
          navigate.push(n);
          load.push(l);
          api.push(a);
        }
      }
      const apiMs = median(api);
      for (const [kind, xs] of [['navigate', navigate], ['load', load]] as const) {
        results.push({
          name: `${t.path} (${kind})`,
          value: `${ms(median(xs))} (median of ${runs}; ${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`,
          baseline: `GET ${t.api}`,
          baselineValue: ms(apiMs),
          ratio: `${(median(xs) / apiMs).toFixed(1)}x`,
        });
      }
      console.error(`  ${path}: navigate ${ms(median(navigate))}, load ${ms(median(load))}, API ${ms(apiMs)}`);
    }
  } finally {
    await browser.close();
    process.kill(-server.pid!, 'SIGTERM');
    await new Promise((r) => server.once('exit', r));
    const disabled = await npm(['user', '--', 'disable', '--email', email]);
    if (disabled.code !== 0) console.error(`The benchmark user ${email} stays enabled: ${disabled.out.trim()}`);
  }
  console.log(table(results));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
