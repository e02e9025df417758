// npm run bench -- --embedded: what one query costs on the embedded database through its gate,
// with replies sent at once (TCP_NODELAY, as the dashboard runs) against the same gate with
// Nagle's algorithm on (the baseline), both in front of one engine in this process. The queries
// are the kinds the dashboard makes all the time: a catalog lookup (knex's hasTable), an insert,
// and a primary-key read, through knex with one pooled connection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { startGate } from '../../lib/db/embedded/gate';
import { embeddedUrl, startEngine } from '../../lib/db/embedded/server';
import { fmt, speed, type Result } from '../bench-result';

const ROUNDS = 60;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : fmt(n)} ms`;

type Timings = { hasTable: number[]; insert: number[]; read: number[]; round: number[] };

async function rounds(k: Knex, table: string): Promise<Timings> {
  const t: Timings = { hasTable: [], insert: [], read: [], round: [] };
  const time = async (into: number[], fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < ROUNDS; i++) {
    const r0 = performance.now();
    await time(t.hasTable, () => k.schema.hasTable(table));
    await time(t.insert, () => k(table).insert({ id: i, note: `row ${i}` }));
    await time(t.read, () => k(table).where({ id: i }).first());
    t.round.push(performance.now() - r0);
  }
  return t;
}

export async function embeddedBenchmarks(): Promise<Result[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-embedded-'));
  const engine = await startEngine(dir, false);
  const fast = await startGate({ upstream: { host: '127.0.0.1', port: engine.port } });
  const slow = await startGate({ upstream: { host: '127.0.0.1', port: engine.port }, noDelay: false });
  const results: Result[] = [];
  try {
    // The gates let one connection through at a time, and the engine must not interleave two:
    // each gate's knex does its work alone and is closed before the other's opens.
    const measure = async (port: number, table: string) => {
      const k = knex({ client: 'pg', connection: embeddedUrl(port), pool: { min: 0, max: 1 } });
      try {
        await k.raw(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
        return await rounds(k, table);
      } finally {
        await k.destroy();
      }
    };
    const a = await measure(fast.port, 'bench_fast');
    const b = await measure(slow.port, 'bench_slow');
    const row = (name: string, x: number[], y: number[]): Result => ({
      name: `embedded database, ${name} (median of ${ROUNDS})`,
      value: ms(median(x)),
      baseline: 'the same through a gate without TCP_NODELAY',
      baselineValue: ms(median(y)),
      ratio: speed(median(y), median(x), 1),
    });
    results.push(row("knex's hasTable (a catalog query)", a.hasTable, b.hasTable));
    results.push(row('an insert', a.insert, b.insert));
    results.push(row('a read by primary key', a.read, b.read));
    results.push(row('the three in a row', a.round, b.round));
  } finally {
    await fast.close();
    await slow.close();
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
