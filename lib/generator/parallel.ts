// The realistic vectors are most of the generator's work (1,536 components each, made from a
// latent point, a basis and noise): made on one thread, they keep PostgreSQL's COPY waiting. Here
// worker threads make ranges of topics (lib/generator/vector-worker.mjs) while the main thread
// sends the finished ranges to COPY in order, so that the table gets the same rows, in the same
// order, as when they are made in one go.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BINARY_HEADER, BINARY_TRAILER } from './binary';
import { DIMENSIONS, type TopicRange, type World } from './rows';
import type { VectorTable } from './vector-block';

/** Threads for the vectors by default: one per core, at most 4 (PostgreSQL needs a share too). */
export function defaultVectorThreads(): number {
  return Math.min(4, os.availableParallelism());
}

// About 8 MB of COPY data per range: large enough to keep the threads busy, small enough to hold a few.
const RANGE_BYTES = 8 << 20;

type Made = { bytes: Uint8Array; rows: number };
type Pending = { resolve: (m: Made) => void; reject: (err: Error) => void };

export type VectorThreads = {
  threads: number;
  /** The table's COPY data in the binary format, header to trailer; `onRow` once per row sent. */
  chunks(table: VectorTable, onRow: () => void): AsyncGenerator<Buffer>;
  close(): Promise<void>;
};

export async function startVectorThreads(world: World, threads: number): Promise<VectorThreads> {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  const created: Worker[] = [];
  const started = await Promise.allSettled(
    Array.from({ length: threads }, () => {
      const w = new Worker(path.join(__dirname, 'vector-worker.mjs'), {
        workerData: { scale: world.scale, seed: world.seed, postUpdated: world.postUpdated },
      });
      created.push(w);
      return new Promise<Worker>((resolve, reject) => {
        const early = (code: number) => reject(new Error(`a generator thread stopped (exit code ${code}) before it was ready`));
        w.once('error', reject);
        w.once('exit', early);
        w.on('message', (m: { ready?: true; id?: number; bytes?: Uint8Array; rows?: number; error?: string }) => {
          if (m.ready) {
            w.off('error', reject);
            w.off('exit', early);
            w.on('error', (err) => fail(new Error(`a generator thread failed: ${err.message}`)));
            w.on('exit', (code) => {
              if (code !== 0) fail(new Error(`a generator thread stopped with exit code ${code}`));
            });
            resolve(w);
            return;
          }
          const p = pending.get(m.id!);
          pending.delete(m.id!);
          if (!p) return;
          if (m.error) p.reject(new Error(`a generator thread failed: ${m.error}`));
          else p.resolve({ bytes: m.bytes!, rows: m.rows! });
        });
      });
    }),
  );
  const notStarted = started.find((r) => r.status === 'rejected');
  if (notStarted) {
    // The ones that did start go too.
    await Promise.all(created.map((w) => w.terminate()));
    throw notStarted.reason;
  }
  const workers = created;

  const make = (worker: Worker, table: VectorTable, range: TopicRange): Promise<Made> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    const made = new Promise<Made>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage({ id, table, range });
    // Awaited in order later; a failure meanwhile must not count as unhandled.
    made.catch(() => undefined);
    return made;
  };

  return {
    threads,
    async *chunks(table, onRow) {
      const topics = world.scale.topics;
      const perTopic = table === 'post_vectors' ? world.scale.postsPerTopic * (DIMENSIONS * 4 + 60) : 3 * (DIMENSIONS * 4 + 30);
      const step = Math.max(1, Math.floor(RANGE_BYTES / perTopic));
      const ranges: TopicRange[] = [];
      for (let from = 0; from < topics; from += step) ranges.push({ from, to: Math.min(topics, from + step) });
      yield BINARY_HEADER;
      const inFlight: Promise<Made>[] = [];
      let next = 0;
      const submit = () => {
        inFlight.push(make(workers[next % workers.length]!, table, ranges[next]!));
        next++;
      };
      // Two ranges per thread under way: one being made, one waiting its turn.
      while (next < ranges.length && inFlight.length < 2 * workers.length) submit();
      while (inFlight.length > 0) {
        const made = await inFlight.shift()!;
        if (next < ranges.length) submit();
        for (let i = 0; i < made.rows; i++) onRow();
        yield Buffer.from(made.bytes.buffer, made.bytes.byteOffset, made.bytes.byteLength);
      }
      yield BINARY_TRAILER;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
