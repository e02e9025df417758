// Benchmarks of the migrations console: the status the page and GET /api/migrations compute, with
// 500 migration files and 500 applied rows, against knex's own list(); and Run pending through
// Strata against knex's migrate.latest() on the same migrations: the overhead per migration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import type { StrataConfig } from '../../lib/config';
import { ensureStrataSchema } from '../../lib/db/strata-schema';
import { startRun } from '../../lib/migrations/runner';
import { migrationsOverview } from '../../lib/migrations/status';

import type { Result } from '../bench-result';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function writeMigrations(count: number, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-mig-'));
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(4, '0');
    fs.writeFileSync(
      path.join(dir, `${n}_${prefix}_${n}.js`),
      `exports.up = (knex) => knex.raw('CREATE TABLE ${prefix}_${n} (id int primary key, note text)');\nexports.down = (knex) => knex.raw('DROP TABLE ${prefix}_${n}');\n`,
    );
  }
  return dir;
}

async function timed(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

export async function benchMigrations(k: Knex, url: string, base: StrataConfig): Promise<Result[]> {
  await ensureStrataSchema(k);
  const db = { knex: k, target: { kind: 'external' as const, url } };
  const actor = { kind: 'cli' as const, label: 'bench' };
  const results: Result[] = [];

  // Status with 500 files, all applied.
  const statusDir = writeMigrations(500, 'st');
  const status: StrataConfig = { ...base, migrationsDir: statusDir, migrationsTable: 'bench_status_migrations' };
  await k.migrate.latest({ directory: statusDir, tableName: status.migrationsTable, loadExtensions: ['.js'] });
  await migrationsOverview(db, status); // warm-up
  const strataStatus = await timed(() => migrationsOverview(db, status), 15);
  const knexList = await timed(() => k.migrate.list({ directory: statusDir, tableName: status.migrationsTable, loadExtensions: ['.js'] }), 15);
  results.push({
    name: 'migrations status, 500 files / 500 applied',
    value: ms(strataStatus),
    baseline: "knex migrate.list(), same files",
    baselineValue: ms(knexList),
    ratio: `${(strataStatus / knexList).toFixed(2)}x`,
  });

  // Run pending: 100 small migrations, Strata's run against knex's own, each three times.
  const count = 100;
  const strataTimes: number[] = [];
  const knexTimes: number[] = [];
  for (let round = 0; round < 3; round++) {
    const a = writeMigrations(count, `rs${round}`);
    const strataCfg: StrataConfig = { ...base, migrationsDir: a, migrationsTable: `bench_run_s${round}` };
    const names = fs.readdirSync(a).sort();
    let t = performance.now();
    const run = await (await startRun(db, strataCfg, actor, { kind: 'latest', expected: names }, {})).done;
    strataTimes.push(performance.now() - t);
    if (run.status !== 'succeeded') throw new Error(`bench run failed: ${run.error?.message}`);

    const b = writeMigrations(count, `rk${round}`);
    t = performance.now();
    await k.migrate.latest({ directory: b, tableName: `bench_run_k${round}`, loadExtensions: ['.js'] });
    knexTimes.push(performance.now() - t);
  }
  const s = median(strataTimes);
  const kn = median(knexTimes);
  results.push({
    name: `Run pending through Strata, ${count} migrations`,
    value: `${ms(s)} (${((s - kn) / count).toFixed(2)} ms/migration more)`,
    baseline: 'knex migrate.latest(), same migrations',
    baselineValue: ms(kn),
    ratio: `${(s / kn).toFixed(2)}x`,
  });
  return results;
}
