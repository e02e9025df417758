// npm run generate -- --scale small --seed 42 [--replace]
// Fills the guide's tables with realistic data (see lib/generator). The target is the same as
// the migrate scripts': DATABASE_URL, or the embedded database.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { readConfig } from '../lib/config';
import { generate, NotEmptyError } from '../lib/generator/load';
import { expectedRows, SCALE_NAMES, SCALES, type ScaleName } from '../lib/generator/scales';
import { closeOwnedEmbedded, describeTarget, resolveTarget } from '../lib/db/target';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'small' },
      seed: { type: 'string', default: '42' },
      replace: { type: 'boolean', default: false },
    },
  });
  if (!SCALE_NAMES.includes(values.scale as ScaleName)) {
    console.error(`--scale must be one of ${SCALE_NAMES.join(', ')}`);
    return 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) {
    console.error('--seed must be a non-negative integer');
    return 2;
  }
  const scale = SCALES[values.scale as ScaleName];
  const expected = expectedRows(scale);
  const target = await resolveTarget(readConfig());
  const where = describeTarget(target);
  console.error(`Generating scale "${values.scale}" with seed ${seed} into ${where.host}/${where.database} (${target.kind}).`);
  const client = new pg.Client({ connectionString: target.url, application_name: 'strata-generate' });
  await client.connect();
  const started = performance.now();
  try {
    const counts = await generate(client, {
      scale,
      seed,
      replace: values.replace,
      // pglite-socket does not speak COPY's sub-protocol.
      method: target.kind === 'embedded' ? 'insert' : 'copy',
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
      console.error(err.message);
      return 1;
    }
    const code = (err as { code?: string }).code;
    if (code === '42P01') {
      console.error('The guide tables do not exist yet: run `npm run migrate` first.');
      return 1;
    }
    throw err;
  } finally {
    await client.end();
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
