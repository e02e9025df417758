// `npm run migrate:make` writes a TypeScript migration named the guide's way, into the
// configured folder, and the new file shows up as pending without restarting anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StrataMigrationSource } from '../lib/migrations/source';
import { run } from './harness/run';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-make-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('migrate:make', () => {
  it('creates YYYYMMDDHHMMSS_name.ts from the stub', async () => {
    const r = await run('npm', ['run', '--silent', 'migrate:make', '--', 'add_widgets'], {
      ...process.env,
      STRATA_MIGRATIONS_DIR: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{14}_add_widgets\.ts$/);
    const text = fs.readFileSync(path.join(dir, files[0]!), 'utf8');
    expect(text).toContain("import { Knex } from 'knex';");
    expect(text).toContain('export async function down(knex: Knex): Promise<void>');
    const found = await new StrataMigrationSource(dir).getMigrations();
    expect(found.map((m) => m.file)).toEqual(files);
  });
});
