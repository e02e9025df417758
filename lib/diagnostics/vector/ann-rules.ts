// Rules of thumb for pgvector's ANN indexes, from pgvector's README and its build code. Pure
// functions, so that the tests can pin each threshold.
import type { Distance, VectorType } from '../../schemas/vector-health';

/** pgvector's README: lists = rows / 1000 up to 1M rows, sqrt(rows) above. */
export function recommendedLists(rows: number): number {
  if (rows <= 0) return 1;
  return Math.max(1, Math.round(rows <= 1_000_000 ? rows / 1000 : Math.sqrt(rows)));
}

/** pgvector's README: start with probes = sqrt(lists). */
export function recommendedProbes(lists: number): number {
  return Math.max(1, Math.round(Math.sqrt(lists)));
}

export const DEFAULT_EF_SEARCH = 40;

export type ListsVerdict = { status: 'ok' | 'empty' | 'too-few-rows' | 'outgrown' | 'oversized'; severity: 'ok' | 'warn' | 'error'; message: string | null };

export function listsVerdict(lists: number, rows: number): ListsVerdict {
  const rec = recommendedLists(rows);
  const fmt = (n: number) => n.toLocaleString('en-US');
  if (rows <= 0) {
    return {
      status: 'empty',
      severity: 'error',
      message: `The table is empty, so an ivfflat index built now has no data to place its ${fmt(lists)} lists by; rows added later crowd into arbitrary lists and recall stays low. Rebuild the index once the table holds its data.`,
    };
  }
  if (rows < lists) {
    return {
      status: 'too-few-rows',
      severity: 'error',
      message: `The table has fewer rows (${fmt(rows)}) than lists (${fmt(lists)}): the index was built on too little data, or the table shrank. Recall will be low; re-create it with lists = ${fmt(rec)} when the table holds its data (REINDEX keeps lists as it is).`,
    };
  }
  if (rec >= 2 * lists) {
    return {
      status: 'outgrown',
      severity: 'warn',
      message: `The table has outgrown the index: lists = ${fmt(lists)} suits about ${fmt(lists * 1000)} rows, and it has ${fmt(rows)}. Each list is long, so queries read more rows than needed; re-create it with lists = ${fmt(rec)} (REINDEX keeps lists as it is).`,
    };
  }
  if (2 * rec <= lists) {
    return {
      status: 'oversized',
      severity: 'warn',
      message: `lists = ${fmt(lists)} is more than twice the recommendation for ${fmt(rows)} rows (${fmt(rec)}): lists are short, so the same recall needs more probes; re-create it with lists = ${fmt(rec)}.`,
    };
  }
  return { status: 'ok', severity: 'ok', message: null };
}

/** Bytes of one value as pgvector stores it in memory (VECTOR_SIZE and friends, MAXALIGNed). */
export function valueBytes(type: VectorType, dims: number): number {
  const raw = type === 'halfvec' ? 8 + 2 * dims : type === 'bit' ? 8 + Math.ceil(dims / 8) : 8 + 4 * dims;
  return Math.ceil(raw / 8) * 8;
}

/**
 * Memory an ivfflat build asks for in its k-means step (ivfkmeans.c): a sample of
 * max(50 x lists, 10,000) values, the centers twice, and the bounds matrices. The build fails
 * with "memory required is ... MB" when this exceeds maintenance_work_mem.
 */
export function ivfflatBuildBytes(lists: number, dims: number, rows: number, type: VectorType = 'vector'): number {
  const item = valueBytes(type, dims);
  const maxSamples = Math.max(lists * 50, 10_000);
  const samples = Math.min(maxSamples, Math.max(0, rows));
  const base = maxSamples * item;
  if (samples <= lists) return base;
  return base + 2 * lists * item + 4 * (samples * lists + lists * lists + 2 * samples + 4 * lists);
}

/**
 * Memory an HNSW build uses to keep the whole graph in memory (hnswbuild.c, per element: the
 * element, its neighbor arrays and the value). Past maintenance_work_mem the build goes on on
 * disk, much slower, rather than failing.
 */
export function hnswBuildBytes(m: number, dims: number, rows: number, type: VectorType = 'vector'): number {
  const avgLevel = Math.log(2) / Math.log(m);
  const element = 96 + 16 * (avgLevel + 1) + 16 * m * (avgLevel + 2) + 6 + valueBytes(type, dims);
  return Math.ceil(Math.max(0, rows) * element);
}

export function distanceOf(opclass: string): Distance {
  if (opclass.includes('cosine')) return 'cosine';
  if (opclass.includes('l2')) return 'l2';
  if (opclass.includes('_ip_')) return 'inner product';
  if (opclass.includes('l1')) return 'l1';
  if (opclass.includes('hamming')) return 'hamming';
  if (opclass.includes('jaccard')) return 'jaccard';
  return 'unknown';
}

/** pgvector's distance operators: the only operator text the recall run puts into SQL. */
export const DISTANCE_OPERATORS = new Set(['<->', '<=>', '<#>', '<+>', '<~>', '<%>']);

// Build time on the reference machine (2 cores; BENCHMARKS.md). ivfflat grows slower than its
// size (k-means on a sample, then one pass that assigns and writes): 40 MB in 1.2 s, 1.5 GB in 14
// to 18 s, 7.8 GB in 49 s, which 0.09 s × (MB)^0.7 follows within 10 %. HNSW about 8 MB/s on
// 5,000 rows, slower per row as the graph grows.
const IVFFLAT = { seconds: 0.09, exponent: 0.7 };
const HNSW_BYTES_PER_SECOND = 8 * 1024 * 1024;

/** The expected build time in seconds, before the range the confirmation shows around it. */
export function buildSeconds(method: 'ivfflat' | 'hnsw', sizeBytes: number): number {
  if (method === 'hnsw') return sizeBytes / HNSW_BYTES_PER_SECOND;
  return IVFFLAT.seconds * Math.pow(sizeBytes / (1024 * 1024), IVFFLAT.exponent);
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A rebuild this server finished: what it took against what the reference machine would have taken. */
export type PastRebuild = { method: 'ivfflat' | 'hnsw'; sizeBytes: number; ms: number; at: string };

/**
 * How much slower (above 1) or faster this server builds than the reference machine, per method:
 * the median of its last five rebuilds' measured over expected times. A build the reference puts
 * under a second is left out (its time is mostly overhead, not building).
 */
export type BuildCalibration = Partial<Record<'ivfflat' | 'hnsw', { factor: number; builds: number }>>;

export function calibrationOf(past: PastRebuild[], last = 5): BuildCalibration {
  const out: BuildCalibration = {};
  for (const method of ['ivfflat', 'hnsw'] as const) {
    const ratios = past
      .filter((b) => b.method === method && b.ms > 0 && buildSeconds(method, b.sizeBytes) >= 1)
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, last)
      .map((b) => b.ms / 1000 / buildSeconds(method, b.sizeBytes))
      .sort((a, b) => a - b);
    if (ratios.length === 0) continue;
    const mid = ratios.length >> 1;
    const factor = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
    out[method] = { factor, builds: ratios.length };
  }
  return out;
}

/**
 * A rough duration for rebuilding an index of this size. CONCURRENTLY also reads the table a second
 * time and waits for transactions that started before it, so its range reaches further. With
 * rebuilds this server has finished, the reference machine's time is scaled by how they went, and
 * the estimate says so.
 */
export function rebuildEstimate(method: 'ivfflat' | 'hnsw', sizeBytes: number, concurrently: boolean, calibration: BuildCalibration = {}): string {
  const scaled = calibration[method];
  const base = buildSeconds(method, sizeBytes) * (scaled?.factor ?? 1);
  const low = concurrently ? base : base / 1.5;
  const high = concurrently ? base * 3 : base * 2;
  const range = high < 2 ? 'about a second' : `about ${duration(low)} to ${duration(high)}`;
  if (!scaled) return range;
  const n = scaled.builds === 1 ? 'its last rebuild' : `its last ${scaled.builds} rebuilds`;
  return `${range}, scaled to this server by ${n} of ${method} indexes (${scaled.factor.toFixed(1)}x the reference machine's time)`;
}

export function reindexLock(table: string, index: string, concurrently: boolean): string {
  return concurrently
    ? `REINDEX INDEX CONCURRENTLY takes a SHARE UPDATE EXCLUSIVE lock on ${table} and ${index}: reads and writes go on; VACUUM, schema changes and other index builds on ${table} wait. It builds a new copy beside the old one (the index's size again in disk space) and swaps them; if it fails, it leaves an invalid index named ${index}_ccnew to drop.`
    : `REINDEX INDEX takes a SHARE lock on ${table} (INSERT, UPDATE and DELETE wait for the whole rebuild) and an ACCESS EXCLUSIVE lock on ${index} (queries that would use it wait).`;
}
