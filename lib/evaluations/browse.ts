import 'server-only';
// Browsing content_evaluations a page at a time with keyset (cursor) pagination: a page starts
// right after (or before) the sort value and id of a row, so any depth costs the same as the
// first page, and rows inserted meanwhile neither repeat nor push rows off a page boundary.
import type { Knex } from 'knex';
import { encodeCursor, type BrowsePage, type BrowseQuery, type Cursor, type EvaluationRow, type SortDir, type SortKey } from '../schemas/evaluations';
import { applyFilters } from './filters';
import { readOnly, scoreOut } from './read';

export const SORT_COLUMN: Record<SortKey, { column: string; type: 'real' | 'timestamptz' }> = {
  created_at: { column: 'created_at', type: 'timestamptz' },
  quality: { column: 'quality_score', type: 'real' },
  relevance: { column: 'relevance_score', type: 'real' },
};

/** How many characters of a post stand for it in a list. */
const POST_PREVIEW_CHARS = 240;

type RawRow = {
  id: number;
  forum_id: number | null;
  forum_name: string | null;
  content_type: string;
  content_id: number;
  content: string | null;
  orphan: boolean;
  quality_score: number | null;
  relevance_score: number | null;
  summary: string | null;
  created_at: string;
  sort_value: string;
};

export type PageRequest = {
  filters: Partial<BrowseQuery>;
  sort: SortKey;
  dir: SortDir;
  limit: number;
  after?: Cursor;
  before?: Cursor;
};

export function toEvaluationRow(r: Omit<RawRow, 'sort_value'>): EvaluationRow {
  return {
    id: r.id,
    forumId: r.forum_id,
    forumName: r.forum_name,
    contentType: r.content_type,
    contentId: r.content_id,
    content: r.content,
    orphan: r.orphan,
    quality: scoreOut(r.quality_score),
    relevance: scoreOut(r.relevance_score),
    summary: r.summary,
    createdAt: r.created_at,
  };
}

/**
 * The rows a page (or an export) reads, in the order asked for, without their select list: the
 * keyset condition and ORDER BY match the (sort column, id) indexes, and the joins that name the
 * forum (`f`) and the content (`t`, `p`) run on the rows the limit keeps only. `limit: null` reads
 * every matching row.
 */
export function pageSource(trx: Knex, req: Omit<PageRequest, 'limit'> & { limit: number | null }): { query: Knex.QueryBuilder; column: string; order: SortDir } {
  const { column, type } = SORT_COLUMN[req.sort];
  const backwards = req.before !== undefined;
  // Walking backwards from `before` reads the opposite order, then turns the page round.
  const ascending = (req.dir === 'asc') !== backwards;
  const order = ascending ? 'asc' : 'desc';
  const cursor = req.before ?? req.after;

  const inner = trx('content_evaluations as e').select(
    'e.id',
    'e.forum_id',
    'e.content_type',
    'e.content_id',
    'e.quality_score',
    'e.relevance_score',
    'e.summary',
    'e.created_at',
  );
  applyFilters(inner, req.filters, 'e');
  if (cursor) {
    inner.whereRaw(`(??, e.id) ${ascending ? '>' : '<'} (CAST(? AS ${type}), ?)`, [`e.${column}`, cursor.v, cursor.i]);
  }
  // Ordered below the joins only to take the first rows: the whole set is sorted once, above them.
  if (req.limit !== null) {
    inner.orderBy([
      { column: `e.${column}`, order },
      { column: 'e.id', order },
    ]);
    inner.limit(req.limit);
  }

  const query = trx
    .from(inner.as('e'))
    .leftJoin('forums as f', 'f.id', 'e.forum_id')
    .leftJoin('topics as t', (j) => j.on('t.id', '=', 'e.content_id').andOnVal('e.content_type', '=', 'topic'))
    .leftJoin('posts as p', (j) => j.on('p.id', '=', 'e.content_id').andOnVal('e.content_type', '=', 'post'))
    .orderBy([
      { column: `e.${column}`, order },
      { column: 'e.id', order },
    ]);
  return { query, column, order };
}

/** The evaluated content as a list shows it: the topic's title or the post's first characters. */
export const CONTENT_SQL = `COALESCE(t.title, left(p.content, ${POST_PREVIEW_CHARS}))`;
export const ORPHAN_SQL = '(t.id IS NULL AND p.id IS NULL)';

/**
 * One page in the order asked for: `limit + 1` rows are read to learn whether another page
 * follows.
 */
export async function fetchPage(trx: Knex, req: PageRequest): Promise<{ rows: RawRow[]; more: boolean }> {
  const { query, column } = pageSource(trx, { ...req, limit: req.limit + 1 });
  const rows = (await query.select(
    'e.id',
    'e.forum_id',
    'f.name as forum_name',
    'e.content_type',
    'e.content_id',
    trx.raw(`${CONTENT_SQL} AS content`),
    trx.raw(`${ORPHAN_SQL} AS orphan`),
    'e.quality_score',
    'e.relevance_score',
    'e.summary',
    trx.raw(`to_json(e.created_at) #>> '{}' AS created_at`),
    trx.raw(`to_json(??) #>> '{}' AS sort_value`, [`e.${column}`]),
  )) as RawRow[];
  const more = rows.length > req.limit;
  const page = rows.slice(0, req.limit);
  if (req.before !== undefined) page.reverse();
  return { rows: page, more };
}

export function cursorOf(row: RawRow, sort: SortKey, dir: SortDir): string {
  return encodeCursor({ s: sort, d: dir, v: row.sort_value, i: row.id });
}

export async function browse(knex: Knex, q: BrowseQuery): Promise<BrowsePage> {
  return readOnly(knex, async (trx) => {
    const base = { filters: q, sort: q.sort, dir: q.dir, limit: q.limit };
    let got = await fetchPage(trx, { ...base, after: q.after, before: q.before });
    let hasPrev: boolean;
    let hasNext: boolean;
    if (q.before && !got.more) {
      // Fewer rows than a page before the cursor: that is the first page, shown whole.
      got = await fetchPage(trx, base);
      hasPrev = false;
      hasNext = got.more;
    } else if (q.before) {
      hasPrev = true;
      // The row the cursor names (or its successors) lies ahead.
      hasNext = true;
    } else {
      hasPrev = q.after !== undefined;
      hasNext = got.more;
    }
    const first = got.rows[0];
    const last = got.rows[got.rows.length - 1];
    return {
      rows: got.rows.map(toEvaluationRow),
      prev: hasPrev && first ? cursorOf(first, q.sort, q.dir) : null,
      next: hasNext && last ? cursorOf(last, q.sort, q.dir) : null,
    };
  });
}
