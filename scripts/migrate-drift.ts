// npm run migrate:drift [-- --json]
// Compares the live schema (DATABASE_URL, or the embedded database; only its catalog is read)
// with the replay of its applied migrations on a shadow database, and prints each difference with
// the SQL that would make the live database match the migrations. Exits 1 on drift, 2 when the
// comparison could not be made.
import { parseArgs } from 'node:util';
import knex from 'knex';
import { readConfig } from '../lib/config';
import { knexConfig } from '../lib/db/knex-config';
import { keepSpareEngine } from '../lib/shadow/embedded-engine';
import { closeOwnedEmbedded, describeTarget, resolveTarget } from '../lib/db/target';
import { checkDrift } from '../lib/migrations/drift';
import { driftText } from '../lib/migrations/report-text';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  const config = readConfig();
  // One shot: no engine kept ready for a next use that will not come.
  keepSpareEngine(false);
  const target = await resolveTarget(config);
  const where = describeTarget(target);
  console.error(`Drift of ${where.host}/${where.database} (${target.kind}) against ${config.migrationsDir}.`);
  const live = knex(knexConfig(target, config));
  try {
    const report = await checkDrift(live, config);
    console.log(values.json ? JSON.stringify(report, null, 2) : driftText(report));
    return report.problem ? 2 : report.drift?.length ? 1 : 0;
  } finally {
    await live.destroy();
    await closeOwnedEmbedded();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
