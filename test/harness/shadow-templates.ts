// Saved replays (template databases) that tests leave on the shadow server, dropped when the test
// file ends: each test database is a scope of its own, which the week-long expiry would keep.
import type { Knex } from 'knex';
import { dropScopeTemplates, liveScope } from '../../lib/shadow/scope';

export async function dropShadowTemplates(adminUrl: string, live: Knex, configs: { migrationsTable: string; migrationsDir: string }[]): Promise<void> {
  await dropScopeTemplates(adminUrl, await Promise.all(configs.map((c) => liveScope(live, c))));
}
