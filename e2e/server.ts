// Extra dashboard processes for tests that need more than the one Playwright starts: a second
// server on the same database, or one that a test kills.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect } from '@playwright/test';

export type ExtraServer = { url: string; process: ChildProcess; output: () => string; stop: (signal?: NodeJS.Signals) => Promise<void> };

export async function startServer(port: number, env: Record<string, string | undefined>): Promise<ExtraServer> {
  const taken = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
  expect(taken, `port ${port} is already in use (a server left by an earlier run?)`).toBe(false);
  const child = spawn(process.execPath, [path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port)], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env, STRATA_BASE_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) break;
    expect(child.exitCode, `server on ${port} exited:\n${out}`).toBeNull();
    expect(Date.now() < deadline, `server on ${port} did not start:\n${out}`).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    process: child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // The whole group: the Next.js server and anything it started.
      process.kill(-child.pid!, signal);
      // Next.js waits for open keep-alive connections before it exits on SIGTERM: a page of the
      // test that is still open (and polling) would hold it for minutes.
      const force = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}
