import 'server-only';
// The forums, for the filter menus.
import type { Knex } from 'knex';
import type { Forum } from '../schemas/evaluations';
import { readOnly } from './read';

/** Enough for any forum menu; a database with more forums is filtered by id in the URL. */
const FORUMS_LISTED = 2_000;

export async function listForums(knex: Knex): Promise<Forum[]> {
  return readOnly(knex, (trx) => trx('forums').select('id', 'name').orderBy([{ column: 'name' }, { column: 'id' }]).limit(FORUMS_LISTED));
}
