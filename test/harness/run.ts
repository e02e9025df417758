import { spawn } from 'node:child_process';

// knex's CLI colours its output even when it is not a terminal.
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

export type RunResult = { code: number | null; stdout: string; stderr: string };

/** Runs a command in the project folder and collects its output; `input`, when given, is its stdin. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: process.cwd(), env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr) });
    });
  });
}
