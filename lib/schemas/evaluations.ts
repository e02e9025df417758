// Query parameters and response shapes of the evaluations API, shared by the route handlers and
// the pages that call them (no server imports). Every parameter is checked here: an unknown
// one, an inverted range or a cursor that does not fit the sort is a 400 that names the field.
import { z } from 'zod';
import { CONTENT_TYPES, DISTRIBUTION_MODES, SORT_DIRS, SORT_KEYS, type SortDir, type SortKey } from './evaluations-plain';
import { instantSchema, parseInstantText } from './instant';

export * from './evaluations-plain';

const SCORE_TEXT = /^(-?\d+(\.\d+)?(e[+-]?\d+)?|NaN|-?Infinity)$/i;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

/**
 * Whether a score's text is a value PostgreSQL's real (float4) takes: a cursor's value goes back
 * to the database, so one forged to 1e39 (overflow) or 1e-50 (underflow) is refused here.
 */
function isRealText(text: string): boolean {
  if (!SCORE_TEXT.test(text)) return false;
  const n = Number(text);
  if (!Number.isFinite(n)) return true; // NaN and ±Infinity are values of real
  const f = Math.fround(n);
  return Number.isFinite(f) && (n === 0 || f !== 0);
}

/** Whether a time's text (as PostgreSQL writes timestamptz in JSON) is one it reads back. */
function isTimeText(text: string): boolean {
  return CURSOR_TIME.test(text) && typeof parseInstantText(text) !== 'string';
}

/** Where a page starts: the sort value and id of the row next to it. */
export type Cursor = { s: SortKey; d: SortDir; v: string; i: number };

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function encodeCursor(c: Cursor): string {
  return toBase64Url(JSON.stringify(c));
}

/** The cursor, or null when the text is not one this API made. */
export function decodeCursor(text: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64Url(text));
  } catch {
    return null;
  }
  const parsed = z
    .strictObject({
      s: z.enum(SORT_KEYS),
      d: z.enum(SORT_DIRS),
      v: z.string().max(64),
      i: z.number().int().min(1).max(2_147_483_647),
    })
    .safeParse(raw);
  if (!parsed.success) return null;
  const c = parsed.data;
  const valueOk = c.s === 'created_at' ? isTimeText(c.v) : isRealText(c.v);
  return valueOk ? c : null;
}

const forumList = z
  .string()
  .regex(/^[1-9]\d{0,9}(,[1-9]\d{0,9}){0,49}$/, 'must be forum ids separated by commas')
  .transform((s) => [...new Set(s.split(',').map(Number))])
  .refine((ids) => ids.every((id) => id <= 2_147_483_647), 'is not a forum id');

const score = z
  .string()
  .regex(/^-?\d{1,6}(\.\d{1,8})?$/, 'must be a number such as 0.75')
  .transform(Number);

const filterFields = {
  forum: forumList.optional(),
  type: z.enum(CONTENT_TYPES).optional(),
  qmin: score.optional(),
  qmax: score.optional(),
  rmin: score.optional(),
  rmax: score.optional(),
  from: instantSchema().optional(),
  // `to=2025-03-31` includes that whole day: rows before the next midnight.
  to: instantSchema({ endOfDay: true }).optional(),
  q: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  orphans: z.literal('only', { message: "must be 'only'" }).optional(),
};

type RangeCheck = { qmin?: number; qmax?: number; rmin?: number; rmax?: number; from?: string; to?: string };

function checkRanges(v: RangeCheck, ctx: z.RefinementCtx): void {
  const inverted = (lo: keyof RangeCheck, hi: keyof RangeCheck, what: string) => {
    const a = v[lo];
    const b = v[hi];
    if (a !== undefined && b !== undefined && a > b) {
      ctx.addIssue({ code: 'custom', path: [lo], message: `must not be greater than ${hi} (the ${what} range is inverted)` });
    }
  };
  inverted('qmin', 'qmax', 'quality');
  inverted('rmin', 'rmax', 'relevance');
  if (v.from !== undefined && v.to !== undefined && v.from >= v.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to (the date range is inverted or empty)' });
  }
}

export const filterQuerySchema = z.strictObject(filterFields).superRefine(checkRanges);
export type EvaluationFilters = z.infer<typeof filterQuerySchema>;

const sortFields = {
  sort: z.enum(SORT_KEYS, { message: `must be one of ${SORT_KEYS.join(', ')}` }).default('created_at'),
  dir: z.enum(SORT_DIRS, { message: "must be 'asc' or 'desc'" }).default('desc'),
};

const cursor = z.string().transform((s, ctx) => {
  const c = decodeCursor(s);
  if (!c) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid cursor: start again from the first page' });
    return z.NEVER;
  }
  return c;
});

export const browseQuerySchema = z
  .strictObject({
    ...filterFields,
    ...sortFields,
    after: cursor.optional(),
    before: cursor.optional(),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 200')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 200, 'must be a whole number from 1 to 200')
      .default(50),
  })
  .superRefine((v, ctx) => {
    checkRanges(v, ctx);
    if (v.after && v.before) ctx.addIssue({ code: 'custom', path: ['before'], message: 'give after or before, not both' });
    for (const key of ['after', 'before'] as const) {
      const c = v[key];
      if (c && (c.s !== v.sort || c.d !== v.dir)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `belongs to another sort (${c.s} ${c.d}): start again from the first page` });
      }
    }
  });
export type BrowseQuery = z.infer<typeof browseQuerySchema>;

export const exportQuerySchema = z.strictObject({ ...filterFields, ...sortFields }).superRefine(checkRanges);
export type ExportQuery = z.infer<typeof exportQuerySchema>;

export const distributionQuerySchema = z
  .strictObject({
    forum: filterFields.forum,
    from: filterFields.from,
    to: filterFields.to,
    bins: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number from 5 to 100')
      .transform(Number)
      .refine((n) => n >= 5 && n <= 100, 'must be a whole number from 5 to 100')
      .default(20),
    // `estimate`: a first answer from a sample of the table's pages, each figure with its 95 %
    // interval (exact anyway when few rows match); `exact` (the default): every row.
    mode: z.enum(DISTRIBUTION_MODES, { message: "must be 'estimate' or 'exact'" }).default('exact'),
  })
  .superRefine(checkRanges);
export type DistributionQuery = z.infer<typeof distributionQuerySchema>;

export const evaluationIdSchema = z.strictObject({
  id: z.string().regex(/^[1-9]\d{0,9}$/, 'is not an evaluation id').transform(Number).refine((n) => n <= 2_147_483_647, 'is not an evaluation id'),
});

/** A parameter in a page's URL that the API would refuse: which, what was given, and why. */
export type QueryProblem = { field: string; value: string | null; message: string };

/** A score as stored: a number, or the text of a value JSON cannot carry (NaN, ±Infinity). */
export type Score = number | string | null;

export type EvaluationRow = {
  id: number;
  forumId: number | null;
  forumName: string | null;
  contentType: string;
  contentId: number;
  /** The topic's title or the post's first characters; null when the content is gone. */
  content: string | null;
  orphan: boolean;
  quality: Score;
  relevance: Score;
  summary: string | null;
  createdAt: string;
};

export type BrowsePage = { rows: EvaluationRow[]; next: string | null; prev: string | null };
export type MatchCount = { count: number; estimated: boolean };
export type Forum = { id: number; name: string };

export type EvaluationDetail = {
  evaluation: EvaluationRow & { metadata: unknown; updatedAt: string };
  content:
    | { kind: 'topic'; id: number; title: string; body: string; author: string; createdAt: string }
    | { kind: 'post'; id: number; topicId: number | null; topicTitle: string | null; body: string; author: string; createdAt: string }
    | null;
  others: { rows: (Pick<EvaluationRow, 'id' | 'quality' | 'relevance' | 'summary' | 'createdAt'> & { metadata: unknown })[]; total: number };
};

/** A 95 % interval around an estimated figure: [low, high]. */
export type Interval = [low: number, high: number];

export type MetricStats = {
  count: number;
  /** NULL, NaN or infinite: left out of every other figure. */
  invalid: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** p10, p25, p50, p75, p90 (percentile_cont). */
  percentiles: (number | null)[];
  /** In an estimate only (min and max are exact there too). */
  intervals?: { count: Interval; invalid: Interval; mean: Interval | null; percentiles: (Interval | null)[] };
};

/** `interval`: in an estimate only. */
export type Histogram = { lo: number; hi: number; count: number; interval?: Interval }[];

export type GroupDistribution = {
  /** A content type, or null for all of them together. */
  contentType: string | null;
  rows: number;
  /** In an estimate only. */
  rowsInterval?: Interval;
  quality: MetricStats;
  relevance: MetricStats;
  qualityHistogram: Histogram;
  relevanceHistogram: Histogram;
};

export type WeeklyDistribution = {
  week: string;
  contentType: string | null;
  count: number;
  qualityMedian: number | null;
  relevanceMedian: number | null;
  /** In an estimate only. */
  intervals?: { count: Interval; qualityMedian: Interval | null; relevanceMedian: Interval | null };
};

/**
 * What the figures were computed from. An estimate reads a sample of the table's pages
 * (TABLESAMPLE SYSTEM): counts are scaled to the table, every estimated figure carries its 95 %
 * interval, and the bin edges, minima, maxima and weeks are exact (so the exact answer that
 * follows draws on the same axes). `reason` says why an estimate was asked for and the exact
 * figures came instead.
 */
export type DistributionBasis =
  | { kind: 'exact'; reason: string | null }
  | {
      kind: 'estimate';
      method: 'TABLESAMPLE SYSTEM';
      /** The share of the table's pages read, in %. */
      percent: number;
      sampledRows: number;
      sampledPages: number;
      /** The planner's count of the table's rows (pg_class.reltuples). */
      tableRows: number;
      confidence: number;
    };

export type Distributions = {
  bins: number;
  basis: DistributionBasis;
  groups: GroupDistribution[];
  /** Counts by quality bin (rows of the grid) and relevance bin (columns); `intervals` in an estimate only. */
  heatmap: { quality: { lo: number; hi: number }[]; relevance: { lo: number; hi: number }[]; counts: number[][]; intervals?: Interval[][] };
  weekly: WeeklyDistribution[];
};
