// Benchmarks of the shadow database, each beside a baseline measured in the same run:
// - a plan of the guide's migrations with the shadow (live dry run, shadow run with round trips,
//   review), cold (WebAssembly compiled and the fresh cluster made in this run) and warm, against
//   the live rolled-back dry run alone (what a plan was before the shadow);
// - a 50-migration history replayed on a shadow and diffed with the live catalog, against plain
//   knex migrate.latest() of the same files on an empty database;
// - the drift check on the benchmark's database, with the replay's catalog remembered and not,
//   against reading the live catalog alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { diffSnapshots } from '../../lib/catalog/diff';
import { managedExclusions, readSnapshot } from '../../lib/catalog/snapshot';
import type { StrataConfig } from '../../lib/config';
import { checkDrift } from '../../lib/migrations/drift';
import { liveDryRun } from '../../lib/migrations/dry-run';
import { review } from '../../lib/migrations/lint';
import { makePlan } from '../../lib/migrations/plan';
import { StrataMigrationSource } from '../../lib/migrations/source';
import { forgetWarmEngine } from '../../lib/shadow/embedded-engine';
import { dropScopeTemplates, liveScope } from '../../lib/shadow/scope';
import { forgetSavedReplays, replaySnapshot } from '../../lib/shadow/shadow';
import type { Result } from '../bench-result';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

/** 50 migrations of the shapes a long-lived project accumulates: tables, vector columns and their indexes, columns, views. */
function writeHistory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-history-'));
  const files: [string, string, string][] = [['CREATE EXTENSION IF NOT EXISTS vector', 'DROP EXTENSION IF EXISTS vector', 'extension']];
  for (let i = 1; files.length < 50; i++) {
    const t = `h_${i}`;
    files.push([`CREATE TABLE ${t} (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())`, `DROP TABLE ${t}`, `${t}_table`]);
    files.push([`ALTER TABLE ${t} ADD COLUMN embedding vector(384), ADD COLUMN score real DEFAULT 0`, `ALTER TABLE ${t} DROP COLUMN embedding, DROP COLUMN score`, `${t}_columns`]);
    files.push([`CREATE INDEX ${t}_name ON ${t} (name)`, `DROP INDEX ${t}_name`, `${t}_name_index`]);
    if (i % 2 === 0) files.push([`CREATE INDEX ${t}_hnsw ON ${t} USING hnsw (embedding vector_cosine_ops)`, `DROP INDEX ${t}_hnsw`, `${t}_hnsw`]);
    if (i % 3 === 0) files.push([`CREATE VIEW ${t}_recent AS SELECT id, name FROM ${t} WHERE created_at > now() - interval '7 days'`, `DROP VIEW ${t}_recent`, `${t}_view`]);
  }
  files.slice(0, 50).forEach(([up, down, name], i) => {
    fs.writeFileSync(
      path.join(dir, `${String(i + 1).padStart(4, '0')}_${name}.js`),
      `exports.up = (knex) => knex.raw(${JSON.stringify(up)});\nexports.down = (knex) => knex.raw(${JSON.stringify(down)});\n`,
    );
  });
  return dir;
}

async function withDatabase<T>(adminUrl: string, name: string, fn: (k: Knex, url: string) => Promise<T>): Promise<T> {
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE DATABASE ??', [name]);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const k = knex({ client: 'pg', connection: u.toString(), pool: { min: 0, max: 4 } });
  try {
    return await fn(k, u.toString());
  } finally {
    await k.destroy();
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.destroy();
  }
}

/** The plan benchmarks, on an empty database of their own where the guide's migrations are pending. */
async function planBenchmarks(adminUrl: string, base: StrataConfig): Promise<Result[]> {
  return withDatabase(adminUrl, `strata_bench_plan_${process.pid}`, async (k) => {
    const embedded: StrataConfig = { ...base, shadow: { ...base.shadow, databaseUrl: undefined } };
    const server: StrataConfig = { ...base, shadow: { ...base.shadow, databaseUrl: adminUrl } };
    const n = fs.readdirSync(base.migrationsDir).length;
    // What a plan was before the shadow: the live rolled-back dry run and the review of its SQL.
    const dryRun = async () => {
      const live = await liveDryRun(k, base, 'up', n, true);
      return review(k, [...live.statements].map(([name, s]) => ({ name, statements: s, effects: null, unseen: null })));
    };
    forgetWarmEngine();
    forgetSavedReplays();
    const [cold, plan] = await timed(() => makePlan(k, embedded, 'up'));
    if (plan.error || plan.shadow.problem) throw new Error(`bench plan failed: ${plan.error?.message ?? plan.shadow.problem?.message}`);
    const warm: number[] = [];
    const onServer: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < 5; i++) {
      baseline.push((await timed(dryRun))[0]);
      warm.push((await timed(() => makePlan(k, embedded, 'up')))[0]);
      onServer.push((await timed(() => makePlan(k, server, 'up')))[0]);
    }
    await dropScopeTemplates(adminUrl, [await liveScope(k, server)]);
    const b = median(baseline);
    const row = (name: string, v: number): Result => ({ name, value: ms(v), baseline: 'live rolled-back dry run only, same plan', baselineValue: ms(b), ratio: `${(v / b).toFixed(1)}x` });
    return [
      row(`plan of the guide's ${n} migrations, embedded shadow, cold (compile + initdb), with round trips`, cold),
      row(`plan of the guide's ${n} migrations, embedded shadow, warm (median of 5)`, median(warm)),
      row(`plan of the guide's ${n} migrations, server shadow (median of 5)`, median(onServer)),
    ];
  });
}

/** A 50-migration history: replayed on a shadow and diffed with a live catalog, against knex migrate.latest() on an empty database. */
async function historyBenchmarks(adminUrl: string, base: StrataConfig): Promise<Result[]> {
  const dir = writeHistory();
  const config: StrataConfig = { ...base, migrationsDir: dir, migrationsTable: 'knex_migrations' };
  const source = new StrataMigrationSource(dir);
  const historyScope = `bench-history-${process.pid}`;
  return withDatabase(adminUrl, `strata_bench_history_${process.pid}`, async (k) => {
    const [latest] = await timed(() => k.migrate.latest({ migrationSource: source }));
    const applied = (await k('knex_migrations').orderBy('id').select('name', 'batch')).map((r: { name: string; batch: number }) => ({ name: r.name, batch: r.batch }));
    const exclusions = managedExclusions('knex_migrations');
    const replayAndDiff = async (c: StrataConfig) => {
      forgetSavedReplays();
      const live = await readSnapshot(k, exclusions);
      const replayed = await replaySnapshot({ config: c, scope: historyScope, applied }, exclusions);
      const drift = diffSnapshots(live, replayed.snapshot);
      if (drift.length) throw new Error(`bench history: unexpected drift ${drift.map((d) => d.name).join(', ')}`);
    };
    const [embedded] = await timed(() => replayAndDiff({ ...config, shadow: { ...config.shadow, databaseUrl: undefined } }));
    const [server] = await timed(() => replayAndDiff({ ...config, shadow: { ...config.shadow, databaseUrl: adminUrl } }));
    await dropScopeTemplates(adminUrl, [historyScope]);
    const row = (name: string, v: number): Result => ({ name, value: ms(v), baseline: 'knex migrate.latest(), same files, empty database', baselineValue: ms(latest), ratio: `${(v / latest).toFixed(1)}x` });
    return [row('50-migration history replayed and diffed, embedded shadow (warm engine)', embedded), row('50-migration history replayed and diffed, server shadow', server)];
  });
}

/** The drift check on `k` (the benchmark's loaded database): only its catalog is read. */
export async function driftBenchmarks(k: Knex, config: StrataConfig, label: string): Promise<Result[]> {
  const embedded: StrataConfig = { ...config, shadow: { ...config.shadow, databaseUrl: undefined } };
  const check = async () => {
    const r = await checkDrift(k, embedded);
    if (r.problem) throw new Error(`bench drift failed: ${r.problem.message}`);
  };
  forgetWarmEngine();
  forgetSavedReplays();
  const [cold] = await timed(check);
  const catalog: number[] = [];
  const replayed: number[] = [];
  const remembered: number[] = [];
  for (let i = 0; i < 5; i++) {
    catalog.push((await timed(() => readSnapshot(k, managedExclusions(config.migrationsTable))))[0]);
    forgetSavedReplays();
    replayed.push((await timed(check))[0]);
    remembered.push((await timed(check))[0]);
  }
  const c = median(catalog);
  const row = (name: string, v: number): Result => ({ name, value: ms(v), baseline: 'reading the live catalog alone', baselineValue: ms(c), ratio: `${(v / c).toFixed(1)}x` });
  return [
    row(`drift check on ${label}, first in the process (compile, cluster, replay)`, cold),
    row(`drift check on ${label}, engine warm, history replayed (median of 5)`, median(replayed)),
    row(`drift check on ${label}, replay's catalog remembered (median of 5)`, median(remembered)),
  ];
}

export async function benchShadow(adminUrl: string, k: Knex, config: StrataConfig, label: string): Promise<Result[]> {
  return [...(await planBenchmarks(adminUrl, config)), ...(await historyBenchmarks(adminUrl, config)), ...(await driftBenchmarks(k, config, label))];
}
