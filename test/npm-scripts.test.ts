// The guide's npm scripts, run as a user runs them, against this file's database: a real
// PostgreSQL through DATABASE_URL, or the embedded database through its owning process.
import { describe, expect, it } from 'vitest';
import { readCatalog } from './harness/catalog';
import { freshTestDatabase } from './harness/db';
import { migrationFiles } from './harness/migration-files';
import { run } from './harness/run';

const db = freshTestDatabase();
const files = migrationFiles();
const N = files.length;

const npm = (script: string, ...args: string[]) => run('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], db.env);

async function applied(): Promise<{ name: string; batch: number }[]> {
  if (!(await db.knex.schema.hasTable('knex_migrations'))) return [];
  return db.knex('knex_migrations').select('name', 'batch').orderBy('id');
}

describe('npm scripts from the guide', () => {
  it('npx knex migrate:list shows every migration in db/migrations pending', async () => {
    const r = await run('npx', ['knex', 'migrate:list'], db.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Found ${N} Pending Migration file/files.`);
    for (const f of files) expect(r.stdout).toContain(f);
  });

  it('npm run migrate applies all of them in batch 1', async () => {
    const r = await npm('migrate');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Batch 1 run: ${N} migrations`);
    expect((await applied()).map((m) => m.batch)).toEqual(files.map(() => 1));
    expect(Object.keys((await readCatalog(db.knex)).tables)).toContain('content_evaluations');
  });

  it('npm run migrate:rollback reverts the last batch', async () => {
    const r = await npm('migrate:rollback');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Batch 1 rolled back: ${N} migrations`);
    expect(await applied()).toEqual([]);
    const c = await readCatalog(db.knex);
    expect(Object.keys(c.tables).filter((t) => !t.startsWith('knex_'))).toEqual([]);
    expect(c.extensions).not.toContain('vector');
  });

  it('npm run migrate:refresh rolls everything back and applies it again', async () => {
    await db.knex.migrate.up();
    await db.knex.migrate.up();
    expect((await applied()).map((m) => m.batch)).toEqual([1, 2]);
    const r = await npm('migrate:refresh');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Batch 2 rolled back: 2 migrations');
    expect(r.stdout).toContain(`Batch 1 run: ${N} migrations`);
    expect((await applied()).map((m) => m.batch)).toEqual(files.map(() => 1));
  });

  it('npm run migrate:prod and migrate:rollback:prod use the production environment', async () => {
    const down = await npm('migrate:rollback:prod');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('Using environment: production');
    expect(await applied()).toEqual([]);
    const up = await npm('migrate:prod');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('Using environment: production');
    expect(await applied()).toHaveLength(N);
  });
});
