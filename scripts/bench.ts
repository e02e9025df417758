// npm run bench -- [--scale small|medium|large] [--easy] [--only generator]
// npm run bench -- --existing [--only drift|browse|distributions|export,...]
// npm run bench -- --against postgresql://.../db
// npm run bench -- --outage
// npm run bench -- --embedded
// npm run bench -- --targets
// Benchmarks against the PostgreSQL in DATABASE_URL, in a scratch database of its own (created and
// dropped here; the role needs CREATEDB): the generator's load, then the vector health page, the
// evaluations area and the migrations console on the data it loaded. Each figure is printed with a
// baseline measured in the same run and the ratio between them.
// --existing: DATABASE_URL names a database already filled by `npm run generate` (the medium scale
// takes minutes to load): its pending migrations are applied and the evaluations and drift benchmarks
// run on it (--only: those parts alone, e.g. --only distributions,export).
// --against: the vector health page measured read-only on an existing database.
// --outage: time to 503 with the database frozen, refused and stopped, time to recover, and the
// audit chain's verification speed (scripts/bench/outage.ts).
// --embedded: one query's cost on the embedded database through its gate (scripts/bench/embedded.ts).
// --targets: one dashboard serving several targets: a request naming one, the matrix with a target
// that never answers, copying a target's audit rows home (scripts/bench/targets.ts).
import os from 'node:os';
import { parseArgs } from 'node:util';
import knex from 'knex';
import pg from 'pg';
import { readConfig } from '../lib/config';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { knexConfig } from '../lib/db/knex-config';
import { generate, TABLES } from '../lib/generator/load';
import { SCALES, type ScaleName } from '../lib/generator/scales';
import { benchMigrations } from './bench/migrations';
import { embeddedBenchmarks } from './bench/embedded';
import { outageBenchmarks } from './bench/outage';
import { targetsBenchmarks } from './bench/targets';
import { benchShadow, driftBenchmarks } from './bench/shadow';
import { EVALUATION_SECTIONS, evaluationBenchmarks, type EvaluationSection } from './bench-evaluations';
import { fmt, speed, table, type Result } from './bench-result';
import { vectorHealthBenchmarks } from './bench-vector-health';

const USAGE = `Usage: npm run bench -- [--scale small|medium|large] [--easy] [--only generator]
       npm run bench -- --existing [--only drift|browse|distributions|export,...]
       npm run bench -- --against postgresql://.../db
       npm run bench -- --outage
       npm run bench -- --embedded
       npm run bench -- --targets

Benchmarks against the PostgreSQL in DATABASE_URL (the role needs CREATEDB), each figure beside a
baseline measured in the same run (see BENCHMARKS.md).
  --scale NAME    load the generator's small (default), medium or large scale into a scratch
                  database, with batched INSERT and then binary COPY, then benchmark the vector
                  health page, the evaluations and the migrations console on it. small: 21,997
                  rows; medium: 1,479,740 (1,000,000 evaluations, 239,700 vectors); large:
                  12,402,900 (10,000,000 evaluations, 1,000,000 post vectors, 200,400 topic
                  vectors; about 25 GB of disk, and the INSERT baseline alone takes an hour or more)
  --easy          the generator's separable vectors instead of realistic ones (recall near 1)
  --only generator  the loads alone (batched INSERT; binary COPY with the vectors made on the
                  main thread; binary COPY with them made by worker threads), nothing after
  --existing      the evaluations and drift benchmarks on the database DATABASE_URL names, already
                  filled (--only: a comma-separated list of drift, browse, distributions, export)
  --against URL   the vector health page, read-only, on an existing database; with it, --queries N
                  (recall queries, default 10), --sweep 1,2,4,8,16 (the setting's values, default
                  as found and recommended) and --truth-queries N (the per-query exact baseline)
  --outage        time to 503 with the database frozen, refused and stopped, and time to recover
  --embedded      one query on the embedded database, replies sent at once against Nagle's delay
  --targets       several targets in one dashboard: a request naming one, the matrix with one that
                  never answers, and copying a target's audit rows into the home trail
  --help          this text
Page timings in the browser: npm run bench:pages -- --help. Bundle sizes: npm run bundle-budget.`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scale: { type: 'string', default: 'small' },
        easy: { type: 'boolean', default: false },
        against: { type: 'string' },
        queries: { type: 'string' },
        sweep: { type: 'string' },
        'truth-queries': { type: 'string' },
        existing: { type: 'boolean', default: false },
        only: { type: 'string' },
        outage: { type: 'boolean', default: false },
        embedded: { type: 'boolean', default: false },
        targets: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : err}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.against) {
    const int = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      if (!/^[1-9][0-9]{0,3}$/.test(v)) throw new Error(`--${name} takes a whole number from 1 to 9999, not "${v}"\n\n${USAGE}`);
      return Number(v);
    };
    const sweep = values.sweep?.split(',').map((v) => int(v, 'sweep')!);
    return against(values.against, { recallQueries: int(values.queries, 'queries') ?? 10, recallValues: sweep, truthQueries: int(values['truth-queries'], 'truth-queries') });
  }
  if (values.outage) return outage();
  if (values.embedded) return embedded();
  if (values.targets) return targets();
  const scaleName = values.scale as ScaleName;
  if (!['small', 'medium', 'large'].includes(scaleName)) throw new Error(`--scale must be small, medium or large\n\n${USAGE}`);
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL must name the PostgreSQL to benchmark (the role needs CREATEDB).');
  if (values.existing) return benchExisting(adminUrl, values.only);
  if (values.only !== undefined && values.only !== 'generator') throw new Error(`--only takes generator with --scale (drift, browse, distributions or export with --existing)\n\n${USAGE}`);
  const scale = SCALES[scaleName];
  const easyLabel = values.easy ? ' (easy vectors)' : '';
  const dbName = `strata_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const results: Result[] = [];
  try {
    const config = { ...readConfig(), databaseUrl: url.toString() };
    const k = knex(knexConfig({ kind: 'external', url: url.toString() }, config, { readTimeouts: false }));
    await k.migrate.latest();
    // Strata's own schema, as a running dashboard has it (background jobs are recorded there).
    await ensureStrataSchema(k);
    await k.destroy();

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    let threads = 1;
    const load = async (method: 'copy' | 'insert', vectorThreads?: number) => {
      const steps: Record<string, { rows: number; ms: number }> = {};
      const t0 = performance.now();
      const counts = await generate(client, {
        scale,
        seed: 42,
        replace: true,
        method,
        easy: values.easy,
        threads: vectorThreads,
        onThreads: (n) => (threads = n),
        onProgress: (p) => {
          if (p.done) steps[p.step] = { rows: p.rows, ms: p.ms };
        },
      });
      const ms = performance.now() - t0;
      const rows = Object.values(counts).reduce((a, b) => a + b, 0);
      return { rows, ms, steps };
    };
    console.error(`Loading scale "${scaleName}" with batched INSERT (baseline)...`);
    const insert = await load('insert');
    console.error(`Loading scale "${scaleName}" with binary COPY, the vectors made on the main thread...`);
    const single = await load('copy', 1);
    console.error(`Loading scale "${scaleName}" with binary COPY, the vectors made by worker threads...`);
    const copy = await load('copy');
    const how = threads > 1 ? `binary COPY, vectors on ${threads} threads` : 'binary COPY';
    results.push({
      name: `generator load, ${fmt(copy.rows)} rows (${how})`,
      value: `${fmt((copy.rows / copy.ms) * 1000)} rows/s (${(copy.ms / 1000).toFixed(1)} s)`,
      baseline: 'batched INSERT, same rows',
      baselineValue: `${fmt((insert.rows / insert.ms) * 1000)} rows/s (${(insert.ms / 1000).toFixed(1)} s)`,
      ratio: speed(insert.ms, copy.ms),
    });
    // The same without the index builds after the load, which both methods share.
    const tablesMs = (l: typeof copy) => TABLES.reduce((a, t) => a + l.steps[t]!.ms, 0);
    results.push({
      name: `generator rows into the tables, index builds excluded (${how})`,
      value: `${fmt((copy.rows / tablesMs(copy)) * 1000)} rows/s (${(tablesMs(copy) / 1000).toFixed(1)} s)`,
      baseline: 'batched INSERT, same rows',
      baselineValue: `${fmt((insert.rows / tablesMs(insert)) * 1000)} rows/s (${(tablesMs(insert) / 1000).toFixed(1)} s)`,
      ratio: speed(tablesMs(insert), tablesMs(copy)),
    });
    if (threads > 1) {
      results.push({
        name: `generator rows into the tables, index builds excluded (${how})`,
        value: `${fmt((copy.rows / tablesMs(copy)) * 1000)} rows/s (${(tablesMs(copy) / 1000).toFixed(1)} s)`,
        baseline: 'binary COPY, vectors on the main thread',
        baselineValue: `${fmt((single.rows / tablesMs(single)) * 1000)} rows/s (${(tablesMs(single) / 1000).toFixed(1)} s)`,
        ratio: speed(tablesMs(single), tablesMs(copy)),
      });
    }
    // Per table: COPY writes the numbers and Float32Arrays in the binary format; INSERT binds them
    // as text (1,536 floats formatted per vector), which is most of its cost on the vector tables.
    for (const t of ['content_evaluations', 'post_vectors', 'topic_vectors'] as const) {
      const c = copy.steps[t]!;
      const i = insert.steps[t]!;
      results.push({
        name: `${t}, ${fmt(c.rows)} rows (${t.endsWith('_vectors') ? how : 'binary COPY'})`,
        value: `${fmt((c.rows / c.ms) * 1000)} rows/s`,
        baseline: 'batched INSERT',
        baselineValue: `${fmt((i.rows / i.ms) * 1000)} rows/s`,
        ratio: speed(i.ms, c.ms),
      });
    }
    await client.end();
    if (values.only === 'generator') return report();

    console.error('Vector health benchmarks on the COPY-loaded data...');
    const db = knex(knexConfig({ kind: 'external', url: url.toString() }, config, { readTimeouts: false }));
    try {
      results.push(...(await vectorHealthBenchmarks({ knex: db, target: { kind: 'external', url: url.toString() } }, { runs: 5, recallQueries: 10 })));
      console.error('Evaluations: browse depth, distributions, CSV export...');
      results.push(...(await evaluationBenchmarks(db, url.toString())));
      // Before the migrations console's, which leaves a thousand tables of its own in this database.
      console.error('Shadow database: plans, a 50-migration history, drift...');
      results.push(...(await benchShadow(adminUrl, db, config, `the ${scaleName}-scale database`)));
      console.error('Migrations console: status with 500 files, and Run pending against knex...');
      results.push(...(await benchMigrations(db, url.toString(), config)));
    } finally {
      await db.destroy();
    }
    report();
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  function report(): void {
    console.log(`Strata benchmarks: scale ${scaleName}${easyLabel}, PostgreSQL ${version}, ${os.cpus().length} cores, Node ${process.version}`);
    console.log(table(results));
  }
}

async function embedded(): Promise<void> {
  const results = await embeddedBenchmarks();
  console.log(`Strata embedded database benchmarks: ${os.cpus().length} cores, Node ${process.version}`);
  console.log(table(results));
}

async function targets(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL must name the PostgreSQL to benchmark (the role needs CREATEDB).');
  const results = await targetsBenchmarks(adminUrl);
  console.log(`Strata targets benchmarks: ${os.cpus().length} cores, Node ${process.version}`);
  console.log(table(results));
}

async function outage(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL must name the PostgreSQL to benchmark (the role needs CREATEDB).');
  const results = await outageBenchmarks(adminUrl);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  await admin.end();
  console.log(`Strata outage benchmarks: PostgreSQL ${version}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log(table(results));
}

/** The vector health figures on an existing database, whose tables are only read. */
async function against(dbUrl: string, opts: { recallQueries: number; recallValues?: number[]; truthQueries?: number }): Promise<void> {
  const config = { ...readConfig(), databaseUrl: dbUrl };
  const target = { kind: 'external' as const, url: dbUrl };
  const db = knex(knexConfig(target, config, { readTimeouts: false }));
  try {
    // The jobs (exact counts, recall) are recorded in Strata's own schema, as a dashboard on this
    // database would record them: made if missing. The guide's tables are only read.
    await ensureStrataSchema(db);
    const [v] = (await db.raw<{ rows: { v: string }[] }>("SELECT current_setting('server_version') AS v")).rows;
    const results = await vectorHealthBenchmarks({ knex: db, target }, { runs: 5, ...opts });
    console.log(`Strata benchmarks: vector health on ${new URL(dbUrl).pathname.slice(1)}, PostgreSQL ${v?.v}, ${os.cpus().length} cores, Node ${process.version}`);
    console.log(table(results));
  } finally {
    await db.destroy();
  }
}

async function benchExisting(url: string, only: string | undefined): Promise<void> {
  const parts = only === undefined ? ['drift', ...EVALUATION_SECTIONS] : only.split(',');
  const known: string[] = ['drift', ...EVALUATION_SECTIONS];
  const unknown = parts.filter((p) => !known.includes(p));
  if (unknown.length) throw new Error(`--only takes ${known.join(', ')} (comma-separated), not ${unknown.join(', ')}`);
  const sections = EVALUATION_SECTIONS.filter((s) => parts.includes(s)) as EvaluationSection[];
  const config = { ...readConfig(), databaseUrl: url };
  const k = knex(knexConfig({ kind: 'external', url }, config, { readTimeouts: false }));
  try {
    const [, applied] = (await k.migrate.latest()) as [number, string[]];
    if (applied.length) console.error(`Applied pending migrations first: ${applied.join(', ')}`);
    const version = ((await k.raw('SHOW server_version')) as { rows: { server_version: string }[] }).rows[0]!.server_version;
    const n = Number(((await k('content_evaluations').count({ n: '*' })) as { n: string }[])[0]!.n);
    const db = new URL(url).pathname.slice(1);
    const results = [];
    if (sections.length) {
      console.error(`Evaluations: ${sections.join(', ')}...`);
      results.push(...(await evaluationBenchmarks(k, url, sections)));
    }
    if (parts.includes('drift')) {
      console.error('Drift against the replay of the applied migrations...');
      results.push(...(await driftBenchmarks(k, config, `database ${db}`)));
    }
    console.log(`Strata benchmarks: database ${db} (${fmt(n)} evaluations), PostgreSQL ${version}, ${os.cpus().length} cores, Node ${process.version}`);
    console.log(table(results));
  } finally {
    await k.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
