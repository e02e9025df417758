// A generator thread: makes ranges of a vector table's rows as COPY's binary rows, for the main
// thread to send in order (lib/generator/parallel.ts). The generator's modules are TypeScript,
// loaded through tsx's loader (a development dependency, as `npm run generate` itself is).
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/cjs/api';

// This package's modules are CommonJS: loaded with require, through tsx's hook for it.
register();
const require = createRequire(import.meta.url);
const { createWorld } = require('./rows.ts');
const { vectorBlock } = require('./vector-block.ts');

const { scale, seed, postUpdated } = workerData;
const world = createWorld(scale, seed);
world.postUpdated.set(postUpdated);

parentPort.on('message', (job) => {
  try {
    const { bytes, rows } = vectorBlock(world, job.table, job.range);
    parentPort.postMessage({ id: job.id, bytes, rows }, [bytes.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
parentPort.postMessage({ ready: true });
