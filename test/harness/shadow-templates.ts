// Saved replays (template databases) that tests leave on the shadow server, dropped when the test
// file ends: each test database is a scope of its own, which the week-long expiry would keep.
import knex, { type Knex } from 'knex';
import { liveScope, templatePattern } from '../../lib/shadow/scope';

export async function dropShadowTemplates(adminUrl: string, live: Knex, configs: { migrationsTable: string; migrationsDir: string }[]): Promise<void> {
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    for (const config of configs) {
      const { rows } = await admin.raw<{ rows: { datname: string }[] }>('SELECT datname FROM pg_database WHERE datname LIKE ?', [templatePattern(await liveScope(live, config))]);
      for (const r of rows) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [r.datname]);
    }
  } finally {
    await admin.destroy();
  }
}
