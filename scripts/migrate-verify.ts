// npm run migrate:verify [-- --all | --from NAME --to NAME] [--json]
// The guide's rule "test both migration and rollback", checked: each migration taken through
// up → down → up on a shadow database, comparing catalog snapshots. By default the migrations that
// are pending on the configured database (DATABASE_URL, or the embedded one; only read); --all
// takes every file from an empty shadow and needs no database. Exits 1 on a finding, 2 when the
// check could not be made, so a team can run it in its own CI.
import { parseArgs } from 'node:util';
import knex, { type Knex } from 'knex';
import { readConfig } from '../lib/config';
import { knexConfig } from '../lib/db/knex-config';
import { keepSpareEngine } from '../lib/shadow/embedded-engine';
import { closeOwnedEmbedded, describeTarget, resolveTarget } from '../lib/db/target';
import { roundTripText } from '../lib/migrations/report-text';
import { verifyMigrations } from '../lib/migrations/round-trip';
import { verifyBodySchema, type VerifyBody } from '../lib/schemas/shadow';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { all: { type: 'boolean', default: false }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const body: VerifyBody = verifyBodySchema.parse(values.all ? { scope: 'all' } : values.from || values.to ? { scope: 'range', from: values.from, to: values.to } : { scope: 'pending' });
  const config = readConfig();
  // One shot: no engine kept ready for a next use that will not come.
  keepSpareEngine(false);
  let live: Knex | null = null;
  try {
    if (body.scope === 'pending') {
      const target = await resolveTarget(config);
      const where = describeTarget(target);
      console.error(`Pending on ${where.host}/${where.database} (${target.kind}), in ${config.migrationsDir}.`);
      live = knex(knexConfig(target, config));
    }
    const report = await verifyMigrations(live, config, body);
    console.log(values.json ? JSON.stringify(report, null, 2) : roundTripText(report));
    return report.problem ? 2 : report.findings.length ? 1 : 0;
  } finally {
    await live?.destroy();
    await closeOwnedEmbedded();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
