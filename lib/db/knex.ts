import 'server-only';
// The dashboard's knex instance for the configured target. Only lib/db creates connections.
import knex, { type Knex } from 'knex';
import { readConfig } from '../config';
import { homeDatabaseUrl } from '../targets/config';
import { log } from '../log';
import { guardEmbeddedPool } from './embedded-busy';
import { knexConfig } from './knex-config';
import { resolveTarget, type DbTarget } from './target';

/** `targetName`: the target of the targets file this connection is to, when there is a file (audit rows name it). */
export type Db = { knex: Knex; target: DbTarget; targetName?: string };

// knex's own warnings (a connection that failed, a pool acquire that timed out) go to the JSON
// log like everything else, not to the console as bare text.
export const knexLog: Knex.Config['log'] = {
  warn: (message: unknown) => log.warn({ component: 'knex' }, String(message)),
  error: (message: unknown) => log.error({ component: 'knex' }, String(message)),
  deprecate: (method: string, alternative: string) => log.warn({ component: 'knex' }, `${method} is deprecated; use ${alternative}`),
  debug: (message: unknown) => log.debug({ component: 'knex' }, String(message)),
};

const holder = globalThis as { __strataDb?: Promise<Db>; __strataWorkDb?: Promise<Db> };

/**
 * The process-wide connection to the configured database (starting the embedded one if needed),
 * for pages and API requests: bounded waits (lib/db/knex-config.ts), so that a request answers
 * within seconds, with a 503, when the database does not.
 */
export function getDb(): Promise<Db> {
  holder.__strataDb ??= (async () => {
    // The home database: STRATA_HOME_DATABASE_URL, DATABASE_URL, the first target, or the embedded one.
    const config = { ...readConfig(), databaseUrl: homeDatabaseUrl() };
    const target = await resolveTarget(config);
    if (target.kind === 'embedded') {
      log.info(
        { dataDir: target.dataDir, owner: target.owner, url: target.url },
        'using the embedded database (no DATABASE_URL set)',
      );
    }
    // The owner of the embedded folder may change while the dashboard runs; knexConfig then
    // connects through the new one (or opens the folder here). `target` stays as first found.
    const onTargetChange = (now: DbTarget) => {
      if (now.kind === 'embedded') {
        log.info({ dataDir: now.dataDir, owner: now.owner, url: now.url }, 'the embedded database has a new owner');
      }
    };
    const k = knex({ ...knexConfig(target, config, { onTargetChange }), log: knexLog });
    guardEmbeddedPool(k, target);
    return { knex: k, target };
  })().catch((err: unknown) => {
    holder.__strataDb = undefined;
    throw err;
  });
  return holder.__strataDb;
}

/**
 * Connections for work that legitimately takes minutes and runs inside a request or beside it:
 * plan dry runs and index rebuilds. The same database without the read bounds (a pool of its own
 * on a server; on the embedded database, whose one connection has no bounds, the same instance).
 */
export function getWorkDb(): Promise<Db> {
  holder.__strataWorkDb ??= (async () => {
    const db = await getDb();
    if (db.target.kind === 'embedded') return db;
    const config = readConfig();
    return { knex: knex({ ...knexConfig(db.target, config, { readTimeouts: false }), pool: { min: 0, max: 4 }, log: knexLog }), target: db.target };
  })().catch((err: unknown) => {
    holder.__strataWorkDb = undefined;
    throw err;
  });
  return holder.__strataWorkDb;
}

/** Closes the process-wide connections (a clean shutdown; tests that point the process elsewhere). */
export async function closeDb(): Promise<void> {
  const [db, work] = [holder.__strataDb, holder.__strataWorkDb];
  holder.__strataDb = undefined;
  holder.__strataWorkDb = undefined;
  const w = await work?.catch(() => null);
  const d = await db?.catch(() => null);
  if (w && w.knex !== d?.knex) await w.knex.destroy();
  await d?.knex.destroy();
}
