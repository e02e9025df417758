import 'server-only';
import { log } from '../log';
import { embeddedBusy } from './embedded-busy';
import { getDb } from './knex';

/**
 * True when the configured database answers a trivial query within two seconds, or when this
 * process's own run or job is using the embedded database's only connection (it is alive: busy).
 */
export async function checkHealth(): Promise<boolean> {
  try {
    const { knex, target } = await getDb();
    if (embeddedBusy(target)) return true;
    await knex.raw('select 1').timeout(2_000, { cancel: false });
    return true;
  } catch (err) {
    log.warn({ err }, 'health check failed');
    return false;
  }
}
