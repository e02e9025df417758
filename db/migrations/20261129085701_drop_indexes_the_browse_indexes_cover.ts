import { Knex } from 'knex';

// The browse indexes (20261125180209) begin with the columns of three of the guide's
// single-column indexes on content_evaluations, so those three serve no search that the browse
// indexes do not serve as well (a btree searches by the leading columns of its key), and every
// write maintains them for nothing. The vector health page flagged them as duplicates on every
// install, a problem Strata made itself. The guide's migration stays as the guide has it; this
// one drops them, and its down builds them again.
//
// In the migration's transaction, not CONCURRENTLY (which needs `config = { transaction: false }`),
// for the reasons the browse migration gives, and one more: a migration outside a transaction
// cannot be dry-run, nor can any migration whose down runs after its down, so the plan for
// rolling back a batch that holds this one (every fresh install's first batch) could no longer
// list the tables and rows it destroys. A plain DROP INDEX is quick but takes an ACCESS EXCLUSIVE
// lock on the table; lock_timeout makes it give up after 5 s rather than queue every other query
// on content_evaluations behind a long one (the migration then fails whole, and can be run again).
// The down's CREATE INDEX blocks writes while it builds: about 0.5 s an index on 1,000,000 rows.
const COVERED: [name: string, column: string][] = [
  // covered by content_evaluations_quality_score_id_idx (quality_score, id)
  ['content_evaluations_quality_score_index', 'quality_score'],
  // covered by content_evaluations_relevance_score_id_idx (relevance_score, id)
  ['content_evaluations_relevance_score_index', 'relevance_score'],
  // covered by content_evaluations_forum_created_at_id_idx (forum_id, created_at, id)
  ['content_evaluations_forum_id_index', 'forum_id'],
];

async function withLockTimeout(knex: Knex, work: () => Promise<void>): Promise<void> {
  await knex.raw("SELECT set_config('lock_timeout', '5s', true)");
  await work();
  // The batch's later migrations, in the same transaction, get the session's own setting back.
  await knex.raw('SET LOCAL lock_timeout TO DEFAULT');
}

export async function up(knex: Knex): Promise<void> {
  await withLockTimeout(knex, async () => {
    for (const [name] of COVERED) await knex.raw(`DROP INDEX IF EXISTS ${name}`);
  });
}

// Every migration has a down that undoes its up: `npm run migrate:rollback` runs it.
export async function down(knex: Knex): Promise<void> {
  await withLockTimeout(knex, async () => {
    for (const [name, column] of [...COVERED].reverse()) {
      await knex.raw(`CREATE INDEX IF NOT EXISTS ${name} ON content_evaluations (${column})`);
    }
  });
}
