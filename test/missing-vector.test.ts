// A PostgreSQL without pgvector: the migrate scripts and the overview say so plainly, with the
// guide's check, instead of failing half-way with a stack trace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedServer } from '../lib/db/embedded/server';
import { vectorExtensionState } from '../lib/db/preflight';
import { run } from './harness/run';

let server: EmbeddedServer;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-novector-'));

beforeAll(async () => {
  server = await startEmbedded(dir, 0, { withVector: false });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a server without pgvector', () => {
  it('npm run migrate refuses before running anything, and shows the check', async () => {
    const r = await run('npm', ['run', '--silent', 'migrate'], { ...process.env, DATABASE_URL: server.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The pgvector extension is not available on 127.0.0.1');
    expect(r.stderr).toContain("SELECT * FROM pg_available_extensions WHERE name = 'vector';");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const db = knex({ client: 'pg', connection: server.url, pool: { min: 0, max: 1 } });
    try {
      expect(await db.schema.hasTable('knex_migrations')).toBe(false);
      expect(await vectorExtensionState(db)).toEqual({ installedVersion: null, availableVersion: null });
    } finally {
      await db.destroy();
    }
  });
});
