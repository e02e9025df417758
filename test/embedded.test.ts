// The embedded database's rules: one owner per data folder, one connection at a time, and the
// npm scripts owning the folder themselves when no dashboard does.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readConfig, type StrataConfig } from '../lib/config';
import { acquireLock, EmbeddedLockError, lockPath, readOwner } from '../lib/db/embedded/lock';
import { startEmbedded } from '../lib/db/embedded/server';
import { knexConfig } from '../lib/db/knex-config';
import { closeOwnedEmbedded, resolveTarget } from '../lib/db/target';
import { migrationFiles } from './harness/migration-files';
import { run } from './harness/run';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-embedded-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

type ClientReport = { pid: number; owner: 'self' | number; url: string; one: number; lateMs: number };

/**
 * Starts test/fixtures/embedded-client.ts on `dataDir`: another process using the folder, as a
 * CLI command would. `ready` is its report once it has run `select 1`; `stop()` lets it close
 * (and give up the folder, if it owns it) and waits for its exit.
 */
function startClient(dataDir: string, startAt = 0) {
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_DATA_DIR: dataDir, STRATA_TEST_START_AT: String(startAt) };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/embedded-client.ts'], {
    cwd: process.cwd(),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const ready = new Promise<ClientReport>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line && stdout.includes('\n')) resolve(JSON.parse(line) as ClientReport);
    });
    void exited.then((code) => reject(new Error(`client exited (${code}) before it was ready: ${stderr}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return {
    pid: child.pid!,
    ready,
    async stop(): Promise<number | null> {
      child.stdin.end();
      const code = await exited;
      clearTimeout(timer);
      expect(code, stderr).toBe(0);
      return code;
    },
  };
}

const configFor = (dataDir: string): StrataConfig => ({ ...readConfig({}), dataDir });

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

  it('takes over a lock that names this pid but was left by an earlier process', () => {
    // Pids are reused: a restarted container's process is pid 1 again.
    const dir = tmpDir();
    fs.writeFileSync(lockPath(dir), JSON.stringify({ pid: process.pid, host: os.hostname(), port: 1, startedAt: 'then' }));
    const lock = acquireLock(dir);
    expect(readOwner(dir)).toMatchObject({ pid: process.pid, port: null });
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
    expect(r.stdout).toContain(`Batch 1 run: ${migrationFiles().length} migrations`);
    expect(fs.existsSync(lockPath(dir))).toBe(false);
    const server = await startEmbedded(dir);
    try {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      const rows = await c.query('SELECT name FROM knex_migrations ORDER BY id');
      expect(rows.rows.map((x) => x.name)).toEqual(migrationFiles());
      await c.end();
    } finally {
      await server.close();
    }
  });
});

describe('a dashboard whose embedded owner goes away', () => {
  it('connects through the owner, and once the owner has exited opens the folder itself', async () => {
    const dir = tmpDir();
    const a = startClient(dir);
    const report = await a.ready;
    expect(report.owner).toBe('self');
    const config = configFor(dir);
    const target = await resolveTarget(config);
    expect(target).toMatchObject({ kind: 'embedded', owner: a.pid, url: report.url });
    const db = knex(knexConfig(target, config));
    try {
      await db.raw('CREATE TABLE survivor (v int)');
      await db.raw('INSERT INTO survivor VALUES (1)');
      expect(readOwner(dir)?.pid).toBe(a.pid);

      await a.stop();
      expect(readOwner(dir)).toBeNull();

      // The same knex instance, built for A's address: the next connection finds nobody there
      // and opens the folder in this process, with A's data in it.
      const r = await db.raw<{ rows: { v: number }[] }>('SELECT v FROM survivor');
      expect(r.rows).toEqual([{ v: 1 }]);
      expect(readOwner(dir)).toMatchObject({ pid: process.pid });
    } finally {
      await db.destroy();
      await closeOwnedEmbedded();
    }
    expect(fs.existsSync(lockPath(dir))).toBe(false);
  });

  it('goes to the next owner when one owner hands over to another', async () => {
    const dir = tmpDir();
    const a = startClient(dir);
    await a.ready;
    const config = configFor(dir);
    const db = knex(knexConfig(await resolveTarget(config), config));
    const b = await (async () => {
      try {
        await db.raw('SELECT 1');
        await a.stop();
        const next = startClient(dir);
        expect((await next.ready).owner).toBe('self');
        const r = await db.raw<{ rows: { one: number }[] }>('SELECT 1 AS one');
        expect(r.rows).toEqual([{ one: 1 }]);
        // Through B: this process did not open the folder.
        expect(readOwner(dir)?.pid).toBe(next.pid);
        return next;
      } finally {
        await db.destroy();
        await closeOwnedEmbedded();
      }
    })();
    await b.stop();
  });
});

describe('two processes opening the same folder at once', () => {
  it('connects through the process that took the folder between the look and the lock', async () => {
    const dir = tmpDir();
    const a = startClient(dir);
    const report = await a.ready;
    // Let this process's first look at the lock find nothing, as if A took the folder just after.
    const file = lockPath(dir);
    const readFileSync = fs.readFileSync;
    let hidden = false;
    const spy = vi.spyOn(fs, 'readFileSync').mockImplementation(((p: fs.PathOrFileDescriptor, ...rest: never[]) => {
      if (!hidden && p === file) {
        hidden = true;
        throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      }
      return (readFileSync as (...a: unknown[]) => unknown)(p, ...rest);
    }) as typeof fs.readFileSync);
    let target;
    try {
      target = await resolveTarget(configFor(dir));
    } finally {
      spy.mockRestore();
    }
    expect(hidden).toBe(true);
    expect(target).toMatchObject({ kind: 'embedded', owner: a.pid, url: report.url });
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.end();
    await a.stop();
  });

  it('both get a connection: one owns the folder, the other goes through it', async () => {
    const dir = tmpDir();
    // Both children wait for the same instant after loading their modules, then resolve.
    const startAt = Date.now() + 4_000;
    const clients = [startClient(dir, startAt), startClient(dir, startAt)];
    const reports = await Promise.all(clients.map((c) => c.ready));
    expect(reports.map((r) => r.one)).toEqual([1, 1]);
    const owner = reports.find((r) => r.owner === 'self');
    const other = reports.find((r) => r.owner !== 'self');
    expect(owner, JSON.stringify(reports)).toBeDefined();
    expect(other).toMatchObject({ owner: owner!.pid, url: owner!.url });
    const [first, second] = owner === reports[0] ? [clients[1]!, clients[0]!] : [clients[0]!, clients[1]!];
    await first.stop();
    await second.stop();
    expect(fs.existsSync(lockPath(dir))).toBe(false);
  });
});
