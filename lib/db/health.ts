import 'server-only';
import { log } from '../log';
import { getDb } from './knex';

/** True when the configured database answers a trivial query within two seconds. */
export async function checkHealth(): Promise<boolean> {
  try {
    const { knex } = await getDb();
    await knex.raw('select 1').timeout(2_000, { cancel: false });
    return true;
  } catch (err) {
    log.warn({ err }, 'health check failed');
    return false;
  }
}
