import 'server-only';
// The WHERE clause that browse, count, export and the distributions share. Values are bound;
// column names are fixed here.
import type { Knex } from 'knex';
import type { EvaluationFilters } from '../schemas/evaluations';

/** `%`, `_` and `\` in the user's text match themselves. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * An evaluation is an orphan when the topic or post it names is gone (content_id has no foreign
 * key) or its content_type names neither. Two NOT EXISTS, each carrying its type test, let the
 * planner use anti-joins for a count and index probes when paging.
 */
export function orphanCondition(qb: Knex.QueryBuilder, alias = 'e'): Knex.QueryBuilder {
  return qb
    .whereNotExists((sub) =>
      sub.select('ot.id').from('topics as ot').whereRaw(`?? = 'topic' AND ot.id = ??`, [`${alias}.content_type`, `${alias}.content_id`]),
    )
    .whereNotExists((sub) =>
      sub.select('op.id').from('posts as op').whereRaw(`?? = 'post' AND op.id = ??`, [`${alias}.content_type`, `${alias}.content_id`]),
    );
}

export function applyFilters(qb: Knex.QueryBuilder, f: Partial<EvaluationFilters>, alias = 'e'): Knex.QueryBuilder {
  const c = (name: string) => `${alias}.${name}`;
  if (f.forum?.length) {
    if (f.forum.length === 1) qb.where(c('forum_id'), f.forum[0]!);
    else qb.whereIn(c('forum_id'), f.forum);
  }
  if (f.type) qb.where(c('content_type'), f.type);
  if (f.qmin !== undefined) qb.where(c('quality_score'), '>=', f.qmin);
  if (f.qmax !== undefined) qb.where(c('quality_score'), '<=', f.qmax);
  if (f.rmin !== undefined) qb.where(c('relevance_score'), '>=', f.rmin);
  if (f.rmax !== undefined) qb.where(c('relevance_score'), '<=', f.rmax);
  if (f.from) qb.where(c('created_at'), '>=', f.from);
  if (f.to) qb.where(c('created_at'), '<', f.to);
  if (f.q) qb.whereRaw(`?? ILIKE ? ESCAPE '\\'`, [c('summary'), likePattern(f.q)]);
  if (f.orphans === 'only') orphanCondition(qb, alias);
  return qb;
}
