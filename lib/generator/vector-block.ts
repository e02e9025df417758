// One range of topics of a vector table as COPY's binary rows (no header, no trailer): the work
// a generator thread does (lib/generator/parallel.ts). The same rows as the whole table made in
// one go, since every realistic vector draws from a random stream of its own.
import { binaryChunks, COLUMNS } from './binary';
import { postVectorRows, topicVectorRows, type TopicRange, type World } from './rows';

export type VectorTable = 'topic_vectors' | 'post_vectors';

export function vectorBlock(world: World, table: VectorTable, range: TopicRange): { bytes: Uint8Array; rows: number } {
  const kinds = COLUMNS[table].map(([, k]) => k);
  const rows = table === 'topic_vectors' ? topicVectorRows(world, range) : postVectorRows(world, range);
  let n = 0;
  const parts: Buffer[] = [];
  let total = 0;
  for (const chunk of binaryChunks(kinds, rows, () => n++, 'rows')) {
    // Copied out: the chunks are views of buffers the next rows overwrite.
    parts.push(Buffer.from(chunk));
    total += chunk.length;
  }
  // A buffer of its own, so that it can be handed to the main thread without a copy.
  const bytes = new Uint8Array(new ArrayBuffer(total));
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.length;
  }
  return { bytes, rows: n };
}
