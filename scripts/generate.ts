// npm run generate -- --scale small --seed 42 [--replace] [--migrate]
// npm run demo [-- --replace]   (the same with --scale demo --migrate)
// Fills the guide's tables with realistic data (see lib/generator). The target is the same as
// the migrate scripts': DATABASE_URL, or the embedded database.
import { parseArgs } from 'node:util';
import knex from 'knex';
import pg from 'pg';
import { readConfig } from '../lib/config';
import { KNEX_CLI_APPLICATION, knexConfig } from '../lib/db/knex-config';
import { missingVectorMessage, vectorExtensionState } from '../lib/db/preflight';
import { closeOwnedEmbedded, describeTarget, resolveTarget, type DbTarget } from '../lib/db/target';
import { generate, NotEmptyError } from '../lib/generator/load';
import { expectedRows, SCALE_NAMES, SCALES, type ScaleName } from '../lib/generator/scales';

const USAGE = `Usage: npm run generate -- [--scale demo|small|medium|large] [--seed N] [--easy] [--threads N] [--replace] [--migrate]
       npm run demo [-- --replace]

Fills the guide's tables (forums, topics, posts, their vectors, content_evaluations) with
generated data, on DATABASE_URL or, without it, the embedded database.
  --scale NAME  demo (about 8,000 rows), small (about 22,000), medium (about 1.5 million: 1,000,000
                evaluations, 239,700 vectors) or large (about 12.4 million: 10,000,000 evaluations,
                1,000,000 post vectors, 200,400 topic vectors); default small
  --seed N      the same seed makes the same data; default 42
  --easy        separable vectors (tight clusters far apart, ANN recall near 1 at probes = 1) instead
                of vectors as hard to index as real embeddings
  --threads N   worker threads that make the vectors for COPY (1 to 16); default one per core, at
                most 4. The embedded database and --easy make them on the main thread
  --replace     empty the tables first (TRUNCATE ... CASCADE) when they already have rows
  --migrate     apply the pending migrations first (npm run demo does, with --scale demo)
  --help        this text`;

/** Applies the pending migrations as `npm run migrate` does (same source, table and checks). */
async function migrate(target: DbTarget, where: string): Promise<boolean> {
  const db = knex({ ...knexConfig(target, readConfig(), { applicationName: KNEX_CLI_APPLICATION }), pool: { min: 0, max: 1 } });
  try {
    const state = await vectorExtensionState(db);
    if (!state.installedVersion && !state.availableVersion) {
      console.error(missingVectorMessage(where));
      return false;
    }
    const [batch, names] = (await db.migrate.latest()) as [number, string[]];
    console.error(names.length ? `Applied ${names.length} pending migration(s) as batch ${batch}.` : 'No pending migrations.');
    return true;
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scale: { type: 'string', default: 'small' },
        seed: { type: 'string', default: '42' },
        replace: { type: 'boolean', default: false },
        easy: { type: 'boolean', default: false },
        threads: { type: 'string' },
        migrate: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!SCALE_NAMES.includes(values.scale as ScaleName)) {
    console.error(`--scale must be one of ${SCALE_NAMES.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) {
    console.error(`--seed must be a non-negative integer\n\n${USAGE}`);
    return 2;
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 16)) {
    console.error(`--threads must be a whole number from 1 to 16\n\n${USAGE}`);
    return 2;
  }
  const scale = SCALES[values.scale as ScaleName];
  const expected = expectedRows(scale);
  const target = await resolveTarget(readConfig());
  const where = describeTarget(target);
  const started = performance.now();
  let client: pg.Client | null = null;
  try {
    if (values.migrate && !(await migrate(target, `${where.host}/${where.database}`))) return 1;
    console.error(`Generating scale "${values.scale}"${values.easy ? ' (easy vectors)' : ''} with seed ${seed} into ${where.host}/${where.database} (${target.kind}).`);
    client = new pg.Client({ connectionString: target.url, application_name: 'strata-generate' });
    await client.connect();
    const counts = await generate(client, {
      scale,
      seed,
      replace: values.replace,
      easy: values.easy,
      // pglite-socket does not speak COPY's sub-protocol.
      method: target.kind === 'embedded' ? 'insert' : 'copy',
      threads,
      onThreads: (n) => console.error(`  (the vectors are made by ${n} worker threads)`),
      onProgress: (p) => {
        const rate = p.rows && p.ms ? ` (${Math.round((p.rows / p.ms) * 1000).toLocaleString('en-US')} rows/s)` : '';
        const total = (expected as Record<string, number>)[p.step];
        const share = total ? ` of ${total.toLocaleString('en-US')}, ${Math.min(100, Math.floor((p.rows / total) * 100))}%` : '';
        if (p.done) console.error(`  ${p.step}: ${p.rows ? p.rows.toLocaleString('en-US') + ' rows' : 'built'} in ${(p.ms / 1000).toFixed(1)}s${rate}`);
        else process.stderr.write(`  ${p.step}: ${p.rows.toLocaleString('en-US')}${share} rows${rate}\r`);
      },
    });
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.error(`Done: ${total.toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(1)}s.`);
    return 0;
  } catch (err) {
    if (err instanceof NotEmptyError) {
      const again = values.migrate && values.scale === 'demo' ? 'npm run demo -- --replace' : `npm run generate -- --scale ${values.scale} --seed ${seed}${values.easy ? " --easy" : ""} --replace`;
      console.error(`${err.message} To replace them, run:\n\n  ${again}`);
      return 1;
    }
    const code = (err as { code?: string }).code;
    if (code === '42P01') {
      console.error('The guide tables do not exist yet: run `npm run migrate` first (or `npm run demo`, which does).');
      return 1;
    }
    throw err;
  } finally {
    await client?.end();
    await closeOwnedEmbedded();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
