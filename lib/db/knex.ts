import 'server-only';
// The dashboard's knex instance for the configured target. Only lib/db creates connections.
import knex, { type Knex } from 'knex';
import { readConfig } from '../config';
import { log } from '../log';
import { guardEmbeddedPool } from './embedded-busy';
import { knexConfig } from './knex-config';
import { resolveTarget, type DbTarget } from './target';

export type Db = { knex: Knex; target: DbTarget };

const holder = globalThis as { __strataDb?: Promise<Db> };

/** The process-wide connection to the configured database (starting the embedded one if needed). */
export function getDb(): Promise<Db> {
  holder.__strataDb ??= (async () => {
    const config = readConfig();
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
    const k = knex(knexConfig(target, config, { onTargetChange }));
    guardEmbeddedPool(k, target);
    return { knex: k, target };
  })().catch((err: unknown) => {
    holder.__strataDb = undefined;
    throw err;
  });
  return holder.__strataDb;
}
