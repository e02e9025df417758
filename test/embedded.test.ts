// The embedded database's rules: one owner per data folder, one connection at a time, and the
// npm scripts owning the folder themselves when no dashboard does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, EmbeddedLockError, lockPath, readOwner } from '../lib/db/embedded/lock';
import { startEmbedded } from '../lib/db/embedded/server';
import { run } from './harness/run';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-embedded-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('data folder lock', () => {
  it('refuses a second owner with a message that names the first', () => {
    const dir = tmpDir();
    const first = acquireLock(dir);
    // A live owner that is not this process: the parent of this test worker.
    const rec = { ...readOwner(dir)!, pid: process.ppid };
    fs.writeFileSync(lockPath(dir), JSON.stringify(rec));
    expect(() => acquireLock(dir)).toThrow(EmbeddedLockError);
    expect(() => acquireLock(dir)).toThrow(new RegExp(`already open in process ${process.ppid}`));
    fs.rmSync(lockPath(dir));
    first.release();
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = tmpDir();
    const dead = await run('node', ['-e', 'console.log(process.pid)'], process.env);
    const deadPid = Number(dead.stdout.trim());
    fs.writeFileSync(lockPath(dir), JSON.stringify({ pid: deadPid, host: os.hostname(), port: 1, startedAt: 'then' }));
    const lock = acquireLock(dir);
    expect(readOwner(dir)?.pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(lockPath(dir))).toBe(false);
  });

  it('refuses to open a folder that a running server owns', async () => {
    const dir = tmpDir();
    const server = await startEmbedded(dir);
    try {
      const owner = readOwner(dir);
      expect(owner).toMatchObject({ pid: process.pid, port: server.port });
      fs.writeFileSync(lockPath(dir), JSON.stringify({ ...owner, pid: process.ppid }));
      await expect(startEmbedded(dir)).rejects.toThrow(EmbeddedLockError);
      fs.writeFileSync(lockPath(dir), JSON.stringify(owner));
    } finally {
      await server.close();
    }
    expect(fs.existsSync(lockPath(dir))).toBe(false);
  });
});

describe('connection gate', () => {
  it('lets a second client in only after the first disconnects', async () => {
    const server = await startEmbedded(tmpDir());
    try {
      const a = new pg.Client({ connectionString: server.url });
      await a.connect();
      await a.query('BEGIN');
      await a.query('CREATE TABLE gate_probe (v text)');
      const order: string[] = [];
      const b = new pg.Client({ connectionString: server.url });
      const bDone = (async () => {
        await b.connect();
        order.push('b connected');
        // b must not see a's uncommitted table: it only runs once a has finished.
        const r = await b.query("SELECT to_regclass('gate_probe') IS NOT NULL AS exists");
        order.push(`b sees table: ${r.rows[0].exists}`);
        await b.end();
      })();
      await new Promise((r) => setTimeout(r, 300));
      order.push('a commits');
      // A large parameterized message from a while b waits: it must run as a's statement.
      const big = 'x'.repeat(200_000);
      await a.query('INSERT INTO gate_probe VALUES ($1)', [big]);
      await a.query('COMMIT');
      await a.end();
      await bDone;
      expect(order).toEqual(['a commits', 'b connected', 'b sees table: true']);
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      const r = await c.query('SELECT length(v) AS n FROM gate_probe');
      expect(r.rows).toEqual([{ n: 200_000 }]);
      await c.end();
    } finally {
      await server.close();
    }
  });
});

describe('npm scripts without a running dashboard', () => {
  it('own the folder for the command, and leave the data and no lock behind', async () => {
    const dir = tmpDir();
    const env: NodeJS.ProcessEnv = { ...process.env, STRATA_DATA_DIR: dir };
    delete env.DATABASE_URL;
    const r = await run('npm', ['run', '--silent', 'migrate'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('opened by this command');
    expect(r.stdout).toContain('Batch 1 run: 4 migrations');
    expect(fs.existsSync(lockPath(dir))).toBe(false);
    const server = await startEmbedded(dir);
    try {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      const rows = await c.query('SELECT name FROM knex_migrations ORDER BY id');
      expect(rows.rows.map((x) => x.name)).toHaveLength(4);
      await c.end();
    } finally {
      await server.close();
    }
  });
});
