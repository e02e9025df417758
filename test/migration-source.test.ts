// The migration source reads the folder at run time and loads every file type knex accepts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrationModule, StrataMigrationSource } from '../lib/migrations/source';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-source-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);

describe('StrataMigrationSource', () => {
  it('lists .ts, .js, .cjs and .mjs in name order, and nothing else', async () => {
    write('003_c.cjs', "exports.up = async () => 'cjs'; exports.down = async () => {};");
    write('001_a.ts', "import { Knex } from 'knex';\nexport async function up(k: Knex): Promise<string> { return 'ts'; }\nexport async function down(): Promise<void> {}\nexport const config = { transaction: false };");
    write('004_d.mjs', "export async function up() { return 'mjs'; }\nexport async function down() {}");
    write('002_b.js', "module.exports = { up: async () => 'js', down: async () => {} };");
    write('005_types.d.ts', 'export {};');
    write('README.md', '# notes');
    const source = new StrataMigrationSource(dir);
    const list = await source.getMigrations();
    expect(list.map((m) => source.getMigrationName(m))).toEqual(['001_a.ts', '002_b.js', '003_c.cjs', '004_d.mjs']);
    const results = await Promise.all(list.map(async (m) => (await source.getMigration(m)).up({} as never)));
    expect(results).toEqual(['ts', 'js', 'cjs', 'mjs']);
    const ts = await loadMigrationModule(path.join(dir, '001_a.ts'));
    expect(ts.config).toEqual({ transaction: false });
  });

  it('sees a file added after start, and loads a changed file afresh', async () => {
    const source = new StrataMigrationSource(dir);
    write('006_late.ts', "export async function up() { return 'v1'; }\nexport async function down() {}");
    const late = (await source.getMigrations()).find((m) => m.file === '006_late.ts');
    expect(late).toBeDefined();
    expect(await (await source.getMigration(late!)).up({} as never)).toBe('v1');
    write('006_late.ts', "export async function up() { return 'v2'; }\nexport async function down() {}");
    expect(await (await source.getMigration(late!)).up({} as never)).toBe('v2');
    write('004_d.mjs', "export async function up() { return 'mjs v2'; }\nexport async function down() {}");
    // A different mtime is what tells the ES module loader that the file is new.
    const t = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(dir, '004_d.mjs'), t, t);
    const mjs = (await source.getMigrations()).find((m) => m.file === '004_d.mjs')!;
    expect(await (await source.getMigration(mjs)).up({} as never)).toBe('mjs v2');
  });

  it('treats a missing folder as no migrations', async () => {
    expect(await new StrataMigrationSource(path.join(dir, 'nope')).getMigrations()).toEqual([]);
  });
});
