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
import { fmt, type Result } from '../bench-result';

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
  const open = (port: number) => knex({ client: 'pg', connection: embeddedUrl(port), pool: { min: 0, max: 1 } });
  const results: Result[] = [];
  try {
    const kFast = open(fast.port);
    const kSlow = open(slow.port);
    try {
      // The gates let one connection through at a time: each knex is used alone, one after the other.
      await kFast.raw('CREATE TABLE bench_fast (id int PRIMARY KEY, note text)');
      await kFast.destroy();
      await kSlow.raw('CREATE TABLE bench_slow (id int PRIMARY KEY, note text)');
      await kSlow.destroy();
      const kf = open(fast.port);
      const a = await rounds(kf, 'bench_fast');
      await kf.destroy();
      const ks = open(slow.port);
      const b = await rounds(ks, 'bench_slow');
      await ks.destroy();
      const row = (name: string, x: number[], y: number[]): Result => ({
        name: `embedded database, ${name} (median of ${ROUNDS})`,
        value: ms(median(x)),
        baseline: 'the same through a gate without TCP_NODELAY',
        baselineValue: ms(median(y)),
        ratio: `${(median(y) / median(x)).toFixed(1)}x faster`,
      });
      results.push(row("knex's hasTable (a catalog query)", a.hasTable, b.hasTable));
      results.push(row('an insert', a.insert, b.insert));
      results.push(row('a read by primary key', a.read, b.read));
      results.push(row('the three in a row', a.round, b.round));
    } finally {
      await kFast.destroy().catch(() => undefined);
      await kSlow.destroy().catch(() => undefined);
    }
  } finally {
    await fast.close();
    await slow.close();
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
