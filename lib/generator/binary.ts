// COPY's binary format for the generator's rows: the column types of each table, and the bytes
// of the rows. Shared by the main thread (lib/generator/load.ts) and the threads that make the
// vectors (lib/generator/vector-block.ts); no database client here.
import { vectorLiteral, type Row, type Value } from './rows';

export const TABLES = ['forums', 'topics', 'posts', 'topic_vectors', 'post_vectors', 'content_evaluations'] as const;
export type TableName = (typeof TABLES)[number];

/**
 * Each column's type as COPY's binary format writes it (the guide's migrations define them):
 * int4, text (varchar too), jsonb, float4 (knex's float), a timestamp (with or without time zone:
 * the same microseconds since 2000-01-01; the rows give milliseconds since the epoch) and vector.
 */
export type Kind = 'int4' | 'text' | 'jsonb' | 'float4' | 'timestamp' | 'vector';

export const COLUMNS: Record<TableName, [name: string, kind: Kind][]> = {
  forums: [['id', 'int4'], ['name', 'text'], ['url', 'text'], ['metadata', 'jsonb'], ['created_at', 'timestamp'], ['updated_at', 'timestamp']],
  topics: [
    ['id', 'int4'], ['forum_id', 'int4'], ['title', 'text'], ['content', 'text'], ['author', 'text'], ['view_count', 'int4'],
    ['metadata', 'jsonb'], ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
  posts: [
    ['id', 'int4'], ['topic_id', 'int4'], ['forum_id', 'int4'], ['content', 'text'], ['author', 'text'], ['metadata', 'jsonb'],
    ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
  topic_vectors: [
    ['id', 'int4'], ['topic_id', 'int4'], ['forum_id', 'int4'], ['title_vector', 'vector'], ['content_vector', 'vector'],
    ['combined_vector', 'vector'], ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
  post_vectors: [['id', 'int4'], ['post_id', 'int4'], ['forum_id', 'int4'], ['content_vector', 'vector'], ['created_at', 'timestamp'], ['updated_at', 'timestamp']],
  content_evaluations: [
    ['id', 'int4'], ['content_id', 'int4'], ['content_type', 'text'], ['forum_id', 'int4'], ['quality_score', 'float4'],
    ['relevance_score', 'float4'], ['summary', 'text'], ['metadata', 'jsonb'], ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
  ],
};

/** A value as PostgreSQL's text input takes it (the INSERT path binds these). */
export function textValue(kind: Kind, v: Value): string | number | null {
  if (v === null) return null;
  if (kind === 'vector') return vectorLiteral(v as Float32Array);
  if (kind === 'timestamp') return new Date(v as number).toISOString();
  return v as string | number;
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
/** COPY's binary header: the signature, flags (0) and the header extension's length (0). */
export const BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** The end of COPY's binary data: a field count of -1. */
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);
const CHUNK = 1 << 20;

/** Most bytes a row can take in COPY's binary format (3 bytes per UTF-16 unit of text at most). */
function rowBound(kinds: Kind[], r: Row): number {
  let n = 2;
  for (let c = 0; c < kinds.length; c++) {
    const v = r[c];
    if (v === null || v === undefined) n += 4;
    else if (kinds[c] === 'vector') n += 8 + (v as Float32Array).length * 4;
    else if (typeof v === 'string') n += 5 + v.length * 3;
    else n += 12;
  }
  return n;
}

/**
 * COPY's binary format: a header, then per row a field count and each field as its length and
 * bytes (-1 for NULL), then -1. pgvector's binary `vector` (vector_recv) is int16 dimensions, int16
 * unused (0), then each component as a big-endian float4: the Float32Array's bytes, swapped.
 */
export function* binaryChunks(kinds: Kind[], rows: Iterable<Row>, onRow: () => void = () => undefined, framing: 'whole' | 'rows' = 'whole'): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(CHUNK);
  let off = framing === 'whole' ? BINARY_HEADER.copy(buf, 0) : 0;
  for (const r of rows) {
    const bound = rowBound(kinds, r);
    if (off + bound > buf.length) {
      yield buf.subarray(0, off);
      buf = Buffer.allocUnsafe(Math.max(CHUNK, bound + 2));
      off = 0;
    }
    off = buf.writeInt16BE(kinds.length, off);
    for (let c = 0; c < kinds.length; c++) {
      const v = r[c];
      if (v === null || v === undefined) {
        off = buf.writeInt32BE(-1, off);
        continue;
      }
      switch (kinds[c]) {
        case 'int4':
          off = buf.writeInt32BE(4, off);
          off = buf.writeInt32BE(v as number, off);
          break;
        case 'float4':
          off = buf.writeInt32BE(4, off);
          off = buf.writeFloatBE(v as number, off);
          break;
        case 'timestamp': {
          const us = (Math.round(v as number) - PG_EPOCH_MS) * 1000;
          const hi = Math.floor(us / 4294967296);
          off = buf.writeInt32BE(8, off);
          off = buf.writeInt32BE(hi, off);
          off = buf.writeUInt32BE(us - hi * 4294967296, off);
          break;
        }
        case 'text': {
          const n = buf.write(v as string, off + 4, 'utf8');
          buf.writeInt32BE(n, off);
          off += 4 + n;
          break;
        }
        case 'jsonb': {
          // jsonb's binary form: a version byte (1), then the JSON text.
          const n = buf.write(v as string, off + 5, 'utf8');
          buf.writeInt32BE(n + 1, off);
          buf[off + 4] = 1;
          off += 5 + n;
          break;
        }
        case 'vector': {
          const f = v as Float32Array;
          off = buf.writeInt32BE(4 + f.length * 4, off);
          off = buf.writeInt16BE(f.length, off);
          off = buf.writeInt16BE(0, off);
          const dv = new DataView(buf.buffer, buf.byteOffset + off, f.length * 4);
          for (let i = 0; i < f.length; i++) dv.setFloat32(i * 4, f[i]!);
          off += f.length * 4;
          break;
        }
      }
    }
    onRow();
  }
  if (framing === 'rows') {
    if (off > 0) yield buf.subarray(0, off);
    return;
  }
  if (off + 2 > buf.length) {
    yield buf.subarray(0, off);
    buf = Buffer.allocUnsafe(2);
    off = 0;
  }
  off = buf.writeInt16BE(-1, off);
  yield buf.subarray(0, off);
}

