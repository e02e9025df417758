import 'server-only';
// Whether the configured database answers, and if not, why. Used by GET /api/health and by the
// proxy in front of every page (a page answers 503 with a banner instead of failing).
import { log } from '../log';
import { databaseFailure, type DatabaseFailure } from './failure';
import { embeddedBusy } from './embedded-busy';
import { getDb } from './knex';

export type DatabaseState = { ok: true } | { ok: false; failure: DatabaseFailure };

// The connect timeout and the stall guard end a check sooner; this is the outer bound whatever
// the cause (an embedded database that is still starting, say).
const CHECK_LIMIT_MS = 4_500;

export async function checkDatabase(): Promise<DatabaseState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        const { knex, target } = await getDb();
        // This process's own run or job holds the embedded database's only connection: it is
        // alive, and busy (the pages say so themselves).
        if (embeddedBusy(target)) return;
        await knex.raw('select 1');
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${CHECK_LIMIT_MS / 1000} s`), { name: 'DatabaseStalledError' })), CHECK_LIMIT_MS);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    const failure = databaseFailure(err) ?? { kind: 'not_answering' as const, reason: 'the database check failed; the server log has the cause' };
    log.warn({ err, reason: failure.kind }, 'database check failed');
    return { ok: false, failure };
  } finally {
    clearTimeout(timer);
  }
}

/** True when the configured database answers a trivial query (GET /api/health). */
export async function checkHealth(): Promise<boolean> {
  return (await checkDatabase()).ok;
}
