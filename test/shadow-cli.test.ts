// npm run migrate:verify and npm run migrate:drift, run as a team runs them in CI: the exit code
// says whether something was found, and the output names it.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StrataMigrationSource } from '../lib/migrations/source';
import { freshTestDatabase } from './harness/db';
import { run } from './harness/run';

const db = freshTestDatabase();
const FIXTURE = path.join(process.cwd(), 'test', 'fixtures', 'messy-migrations');
const npm = (script: string, env: NodeJS.ProcessEnv, ...args: string[]) =>
  run('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { ...env, LOG_LEVEL: 'silent' }, 180_000);

describe('npm run migrate:verify', () => {
  it('exits 1 and names the index a down() forgets, for every file of a folder (--all needs no database)', async () => {
    const r = await npm('migrate:verify', { ...process.env, STRATA_MIGRATIONS_DIR: FIXTURE, DATABASE_URL: '' }, '--all');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('ok    20250101000001_items.cjs: up → down → up gives back the same schema');
    expect(r.stdout).toContain('FAIL  20250101000007_items_title_index.ts: down() does not undo up(): index items_title_idx on items is left behind');
    expect(r.stdout).toContain('      To get back the schema from before up(), after down() one would still have to run:\n        DROP INDEX items_title_idx;');
  });

  it('exits 0 when the pending migrations of the database go up, down and up again cleanly', async () => {
    const r = await npm('migrate:verify', db.env);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^Shadow: the embedded engine \(PGlite .*\) holding the replay of 0 applied migrations\.$/m);
    expect(r.stdout).toContain('ok    20240211000003_create_vector_tables.ts: up → down → up gives back the same schema');
  });
});

describe('npm run migrate:drift', () => {
  beforeAll(async () => {
    await db.knex.migrate.latest({ tableName: db.config.migrationsTable, migrationSource: new StrataMigrationSource(db.config.migrationsDir) });
  });

  it('exits 0 without drift, and 1 with the difference and its SQL after a hand-made change', async () => {
    const clean = await npm('migrate:drift', db.env);
    expect(clean.code, `${clean.stdout}\n${clean.stderr}`).toBe(0);
    expect(clean.stdout).toContain('No drift: the live schema matches the replay of its applied migrations.');
    await db.knex.raw('CREATE INDEX forums_url_by_hand ON forums (url)');
    const drifted = await npm('migrate:drift', db.env);
    expect(drifted.code, drifted.stderr).toBe(1);
    expect(drifted.stdout).toContain('index forums_url_by_hand on forums: only in the live database\n    DROP INDEX CONCURRENTLY forums_url_by_hand;');
    const json = JSON.parse((await npm('migrate:drift', db.env, '--json')).stdout) as { drift: { name: string; where: string }[] };
    expect(json.drift).toMatchObject([{ name: 'forums_url_by_hand', where: 'live_only' }]);
  });
});
