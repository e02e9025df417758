// Shapes shared by the vector health route handlers and the page (no server imports).
import { z } from 'zod';
import { RECALL_LIMITS } from './vector-health-plain';

export * from './vector-health-plain';

/** A relation or index named by schema and name, as found in the catalog. */
export const qualifiedNameSchema = z.strictObject({
  schema: z.string().min(1).max(63),
  name: z.string().min(1).max(63),
});
export type QualifiedName = z.infer<typeof qualifiedNameSchema>;


export const recallBodySchema = z.strictObject({
  index: qualifiedNameSchema,
  /** How many rows of the table serve as queries. */
  queries: z.number().int().min(RECALL_LIMITS.queries.min).max(RECALL_LIMITS.queries.max).default(RECALL_LIMITS.queries.default),
  k: z.number().int().min(RECALL_LIMITS.k.min).max(RECALL_LIMITS.k.max).default(RECALL_LIMITS.k.default),
  /** probes (ivfflat) or ef_search (hnsw) to try; omitted: a sweep around the recommended value. */
  values: z.array(z.number().int().min(1).max(32_768)).min(1).max(8).optional(),
  timeLimitSeconds: z.number().int().min(RECALL_LIMITS.seconds.min).max(RECALL_LIMITS.seconds.max).default(RECALL_LIMITS.seconds.default),
});
export type RecallBody = z.input<typeof recallBodySchema>;

export const exactCountsBodySchema = z.strictObject({
  /** Only this table's columns and the coverage pairs it takes part in; omitted: everything. */
  table: qualifiedNameSchema.optional(),
});

export const reindexBodySchema = z.strictObject({
  index: qualifiedNameSchema,
  /** The index name typed again: the confirmation that the operator means this index. */
  confirm: z.string().min(1).max(63),
  concurrently: z.boolean().default(true),
  /** maintenance_work_mem for this rebuild only (the session that runs it), in MB. */
  maintenanceWorkMemMb: z.number().int().min(1).max(65_536).optional(),
});
export type ReindexBody = z.input<typeof reindexBodySchema>;

export const jobIdParamSchema = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'is not a valid job id') });

/** A figure that is exact, read from the statistics, or scaled up from a sample. */
export type Estimate = {
  value: number;
  method: 'exact' | 'statistics' | 'sample';
  /** For a sample: how many rows it read and how many matched. */
  sampleRows?: number;
  sampleHits?: number;
};

export type Section<T> = { ok: true; data: T; ms: number } | { ok: false; error: string; ms: number };

export type Notice = { tone: 'error' | 'warn' | 'info'; title: string; detail: string; sql?: string };

export type ExtensionInfo = {
  installedVersion: string | null;
  availableVersion: string | null;
  schema: string | null;
  notices: Notice[];
};

export const VECTOR_TYPES = ['vector', 'halfvec', 'sparsevec', 'bit'] as const;
export type VectorType = (typeof VECTOR_TYPES)[number];

export type VectorColumn = {
  schema: string;
  table: string;
  column: string;
  type: VectorType;
  /** Declared dimensions (atttypmod); null for an untyped column, which cannot be indexed. */
  dimensions: number | null;
  /** The largest dimension an ANN index takes for this type, or null when it has no such limit. */
  indexLimit: number | null;
  indexable: boolean;
  problems: string[];
  estimatedRows: Estimate | null;
  nulls: Estimate | null;
  zeros: Estimate | null;
  /** Dimensions found in a sample of rows (for untyped columns), most common first. */
  storedDimensions: { dimensions: number; rows: number }[] | null;
  /** A query that shows the stored dimensions (the guide's octet_length check fails on this type). */
  dimensionsSql: string;
  annIndexes: string[];
};

export type RebuildPlan = { statement: string; lock: string; estimate: string };

/** The statement that fixes a finding, and whether the page's Rebuild (REINDEX) would fix it too. */
export type Fix = { sql: string; note: string | null; rebuild: boolean };

/** Something flagged about an index, with its fix (null where nothing is to be done but wait). */
export type Finding = { text: string; fix: Fix | null };

export type Distance = 'cosine' | 'l2' | 'inner product' | 'l1' | 'hamming' | 'jaccard' | 'unknown';
export type Health = 'ok' | 'warn' | 'error';

export type AnnIndex = {
  schema: string;
  table: string;
  name: string;
  column: string;
  method: 'ivfflat' | 'hnsw';
  opclass: string;
  opfamily: string;
  distance: Distance;
  options: { lists?: number; m?: number; efConstruction?: number };
  dimensions: number | null;
  sizeBytes: number;
  valid: boolean;
  ready: boolean;
  scans: number | null;
  tableRows: Estimate | null;
  lists: { lists: number; recommended: number; rowsPerList: number | null } | null;
  search: { setting: string; current: number | null; recommended: number; note: string };
  buildMemory: { requiredBytes: number; maintenanceWorkMemBytes: number; fits: boolean; basis: string };
  /** Schema and name as a statement writes them (quoted where needed). */
  sqlName: string;
  /** What a rebuild locks and roughly how long it takes; `concurrently` is null where the server cannot. */
  reindex: { concurrently: RebuildPlan | null; plain: RebuildPlan };
  health: Health;
  problems: Finding[];
};

export type SearchSetting = { name: string; setting: string; unit: string | null; source: string; description: string };

export type AnnReport = {
  indexes: AnnIndex[];
  settings: SearchSetting[];
  overlaps: { table: string; column: string; opfamily: string; indexes: string[]; sameMethod: boolean; fix: Fix }[];
  maintenanceWorkMemBytes: number;
};

export type IndexRow = {
  schema: string;
  table: string;
  name: string;
  method: string;
  definition: string;
  sizeBytes: number;
  scans: number | null;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  building: boolean;
  /** For a flagged index (invalid, unused or a duplicate): the statement that fixes it. */
  fix: Fix | null;
};

export type IndexHealth = {
  statistics: { available: boolean; resetAt: string | null };
  indexes: IndexRow[];
  /** More indexes exist than the list holds (largest first). */
  truncated: boolean;
  invalid: string[];
  unused: string[];
  duplicates: { index: string; coveredBy: string; table: string }[];
  totalBytes: number;
};

export type CoveragePair = {
  content: { schema: string; table: string; key: string };
  vectors: { schema: string; table: string; column: string };
  contentRows: Estimate | null;
  vectorRows: Estimate | null;
  missing: (Estimate & { examples: string[] }) | null;
  stale: (Estimate & { examples: string[] }) | null;
  note: string | null;
};

export type IndexBuild = {
  pid: number;
  table: string;
  index: string;
  command: string;
  phase: string;
  percent: number | null;
  tuplesDone: number;
  tuplesTotal: number;
  blocksDone: number;
  blocksTotal: number;
  startedAt: string | null;
};

export type VectorHealthReport = {
  generatedAt: string;
  ms: number;
  server: { version: string; versionNum: number; kind: 'external' | 'embedded'; concurrentReindex: boolean };
  expectedDimensions: number | null;
  extension: Section<ExtensionInfo>;
  columns: Section<VectorColumn[]>;
  ann: Section<AnnReport>;
  indexHealth: Section<IndexHealth>;
  coverage: Section<CoveragePair[]>;
  builds: Section<IndexBuild[]>;
};

export type RecallPoint = {
  value: number;
  recall: number;
  /** 95% interval of the recall (lib/diagnostics/vector/recall-stats.ts). */
  low: number;
  high: number;
  /** Neighbour pairs compared (queries × k). */
  pairs: number;
  /** Queries a measurement needs for a 95% interval of about ±0.02. */
  queriesForTwoHundredths: number;
  p50Ms: number;
  p95Ms: number;
  queries: number;
  current: boolean;
};

export type RecallResult = {
  index: { schema: string; name: string; table: string; column: string; method: 'ivfflat' | 'hnsw'; distance: Distance };
  setting: string;
  current: number | null;
  k: number;
  queriesPlanned: number;
  queriesMeasured: number;
  points: RecallPoint[];
  /**
   * The exact search the index is compared with: the latency of one such search (index scans off;
   * `queries` of them timed), and how long the one pass that found every query's exact top-k took.
   */
  exact: { p50Ms: number; p95Ms: number; queries: number; passMs: number };
  /**
   * How the index's searches and the exact one were timed: `besidePass`, on a second connection
   * that ran beside the pass (both on one snapshot), for `sweepMs` in all; otherwise on the same
   * connection as the pass, one after the other.
   */
  timing: { besidePass: boolean; sweepMs: number };
  stoppedEarly: string | null;
};

export type ExactCountsResult = {
  columns: { schema: string; table: string; column: string; rows: number; nulls: number; zeros: number }[];
  coverage: {
    content: string;
    vectors: string;
    contentRows: number;
    missing: number;
    missingExamples: string[];
    vectorRows: number;
    stale: number | null;
    staleExamples: string[];
  }[];
};

export type ReindexResult = {
  index: string;
  table: string;
  /** Recorded since the rebuild estimate learns from past rebuilds; absent in older results. */
  method?: 'ivfflat' | 'hnsw';
  concurrently: boolean;
  ms: number;
  sizeBeforeBytes: number;
  sizeAfterBytes: number | null;
};

export type JobKind = 'recall' | 'exact-counts' | 'reindex';
export type JobStatus = 'running' | 'done' | 'failed' | 'timed_out';

export type JobView = {
  id: string;
  kind: JobKind;
  subject: string;
  status: JobStatus;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  progress: { done: number; total: number; step: string };
  error: string | null;
  result: RecallResult | ExactCountsResult | ReindexResult | null;
};
