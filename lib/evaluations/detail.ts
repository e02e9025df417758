import 'server-only';
// One evaluation with its metadata, the content it evaluates (when that still exists) and the
// other evaluations of the same content.
import type { Knex } from 'knex';
import type { EvaluationDetail } from '../schemas/evaluations';
import { readOnly, scoreOut } from './read';
import { toEvaluationRow } from './browse';

/** How many other evaluations of the same content the detail lists. */
const OTHERS_SHOWN = 100;

const ts = (knex: Knex, column: string) => knex.raw(`to_json(??) #>> '{}'`, [column]);

export async function getEvaluation(knex: Knex, id: number): Promise<EvaluationDetail | null> {
  return readOnly(knex, async (trx) => {
    const e = await trx('content_evaluations as e')
      .leftJoin('forums as f', 'f.id', 'e.forum_id')
      .leftJoin('topics as t', (j) => j.on('t.id', '=', 'e.content_id').andOnVal('e.content_type', '=', 'topic'))
      .leftJoin('posts as p', (j) => j.on('p.id', '=', 'e.content_id').andOnVal('e.content_type', '=', 'post'))
      .where('e.id', id)
      .first(
        'e.id',
        'e.forum_id',
        'f.name as forum_name',
        'e.content_type',
        'e.content_id',
        trx.raw('COALESCE(t.title, left(p.content, 240)) AS content'),
        trx.raw('(t.id IS NULL AND p.id IS NULL) AS orphan'),
        'e.quality_score',
        'e.relevance_score',
        'e.summary',
        'e.metadata',
        { created_at: ts(trx, 'e.created_at') },
        { updated_at: ts(trx, 'e.updated_at') },
      );
    if (!e) return null;

    let content: EvaluationDetail['content'] = null;
    if (e.content_type === 'topic') {
      const t = await trx('topics').where('id', e.content_id).first('id', 'title', 'content', 'author', { created_at: ts(trx, 'created_at') });
      if (t) content = { kind: 'topic', id: t.id, title: t.title, body: t.content, author: t.author, createdAt: t.created_at };
    } else if (e.content_type === 'post') {
      const p = await trx('posts as p')
        .leftJoin('topics as t', 't.id', 'p.topic_id')
        .where('p.id', e.content_id)
        .first('p.id', 'p.topic_id', 't.title as topic_title', 'p.content', 'p.author', { created_at: ts(trx, 'p.created_at') });
      if (p) {
        content = { kind: 'post', id: p.id, topicId: p.topic_id, topicTitle: p.topic_title, body: p.content, author: p.author, createdAt: p.created_at };
      }
    }

    const same = () => trx('content_evaluations').where({ content_id: e.content_id, content_type: e.content_type }).whereNot('id', id);
    const others = await same()
      .select('id', 'quality_score', 'relevance_score', 'summary', 'metadata', { created_at: ts(trx, 'created_at') })
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(OTHERS_SHOWN);
    const [{ n }] = (await same().count({ n: '*' })) as { n: string }[] as [{ n: string }];

    return {
      evaluation: { ...toEvaluationRow(e), metadata: e.metadata, updatedAt: e.updated_at },
      content,
      others: {
        total: Number(n),
        rows: others.map((o: { id: number; quality_score: number; relevance_score: number; summary: string | null; metadata: unknown; created_at: string }) => ({
          id: o.id,
          quality: scoreOut(o.quality_score),
          relevance: scoreOut(o.relevance_score),
          summary: o.summary,
          metadata: o.metadata,
          createdAt: o.created_at,
        })),
      },
    };
  });
}
