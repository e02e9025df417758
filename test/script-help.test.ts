// Every npm script of Strata's own answers --help with its usage, and does nothing else; npm run
// demo applies the migrations and loads the demo data, and says how to load it again.
import { describe, expect, it } from 'vitest';
import { freshTestDatabase } from './harness/db';
import { run } from './harness/run';

const db = freshTestDatabase();
const npm = (script: string, ...args: string[]) => run('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], db.env, 180_000);

describe('--help', () => {
  it.each([
    ['generate', /^Usage: npm run generate -- \[--scale demo\|small\|medium\|large\] \[--seed N\] \[--easy\]/],
    ['demo', /^Usage: npm run generate -- /],
    ['bench', /^Usage: npm run bench -- /],
    ['bench:pages', /^Usage: npm run bench:pages -- /],
    ['bundle-budget', /^Usage: npm run bundle-budget -- /],
    ['user', /^Usage:\n {2}npm run user -- create/],
    ['token', /^Usage:\n {2}npm run user -- create/],
  ])('npm run %s -- --help prints its usage', async (script, usage) => {
    const r = await npm(script, '--help');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(usage);
  });

  it('npm run bench -- --scale large --help prints the usage with the large scale\'s size, and an unknown scale is refused', async () => {
    const help = await npm('bench', '--scale', 'large', '--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run bench -- \[--scale small\|medium\|large\] \[--easy\]/);
    expect(help.stdout).toContain('12,402,900 (10,000,000 evaluations, 1,000,000 post vectors');
    const wrong = await npm('bench', '--scale', 'huge');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('--scale must be small, medium or large');
  });

  it('an unknown option is refused with the usage, not run', async () => {
    const r = await npm('generate', '--scael', 'demo');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--scael'[\s\S]*Usage: npm run generate/);
  });

  it('npm run demo -- --help touches no database', async () => {
    expect(await db.knex.schema.hasTable('knex_migrations')).toBe(false);
  });
});

describe('npm run demo', () => {
  it('applies the migrations, loads the demo data, and a second run says how to replace it', async () => {
    const first = await npm('demo');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Applied \d+ pending migration\(s\) as batch 1\./);
    expect(first.stderr).toMatch(/Done: [\d,]+ rows/);
    const again = await npm('demo');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('These tables already have rows');
    expect(again.stderr).toContain('npm run demo -- --replace');
    const replaced = await npm('demo', '--replace');
    expect(replaced.code, replaced.stderr).toBe(0);
  });
});
