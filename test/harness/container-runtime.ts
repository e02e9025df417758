// Finds a container engine without waiting on one that is not there: testcontainers' own
// discovery can take seconds to give up, so look for a socket first and ping it briefly.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

function candidateSockets(): string[] {
  const list: string[] = [];
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) list.push(host.slice('unix://'.length));
  list.push('/var/run/docker.sock', path.join(os.homedir(), '.docker/run/docker.sock'));
  if (process.env.XDG_RUNTIME_DIR) list.push(path.join(process.env.XDG_RUNTIME_DIR, 'podman/podman.sock'));
  return list;
}

function ping(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Why no container engine can be used, or null when one answers. */
export async function containerRuntimeUnavailable(timeoutMs = 500): Promise<string | null> {
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) return null; // a TCP engine: let testcontainers try it
  const sockets = candidateSockets().filter((s) => fs.existsSync(s));
  if (sockets.length === 0) return 'no container engine socket found';
  for (const s of sockets) if (await ping(s, timeoutMs)) return null;
  return `no container engine answered on ${sockets.join(', ')}`;
}
