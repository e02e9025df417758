import { Knex } from 'knex';

// Indexes for browsing content_evaluations a page at a time. Each page continues from the sort
// value and id of the previous page's last row, `WHERE (col, id) > (?, ?) ORDER BY col, id`, so
// each sort needs a btree on (col, id): the guide's single-column score indexes cannot order ties
// by id. Filtering by forum is the common case, and scores differ by forum, so a forum's page
// needs (forum_id, col, id) too; without it a page reads on through other forums' rows.
//
// Plain CREATE INDEX inside the migration's transaction, not CONCURRENTLY (which would need
// `config = { transaction: false }`): the migration stays all-or-nothing with its down, can be
// dry-run in a rolled-back transaction, and never leaves an INVALID half-built index behind. The
// price is that writes to content_evaluations wait while the indexes build: about 0.5 s per index
// on 1,000,000 rows (3 s in all, measured on 2 cores). For tables far larger than that, a
// CONCURRENTLY migration with `transaction: false` and IF NOT EXISTS is the better trade.
const INDEXES: [name: string, columns: string][] = [
  ['content_evaluations_created_at_id_idx', 'created_at, id'],
  ['content_evaluations_quality_score_id_idx', 'quality_score, id'],
  ['content_evaluations_relevance_score_id_idx', 'relevance_score, id'],
  ['content_evaluations_forum_created_at_id_idx', 'forum_id, created_at, id'],
  ['content_evaluations_forum_quality_score_id_idx', 'forum_id, quality_score, id'],
  ['content_evaluations_forum_relevance_score_id_idx', 'forum_id, relevance_score, id'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [name, columns] of INDEXES) {
    await knex.raw(`CREATE INDEX ${name} ON content_evaluations (${columns})`);
  }
}

// Every migration has a down that undoes its up: `npm run migrate:rollback` runs it.
export async function down(knex: Knex): Promise<void> {
  for (const [name] of [...INDEXES].reverse()) {
    await knex.raw(`DROP INDEX IF EXISTS ${name}`);
  }
}
