// Generated data (lib/generator) loaded into a test database on a connection of its own, which
// ends before the test's knex needs its turn (the embedded database takes one at a time): binary
// COPY on a server, batched INSERT on the embedded database, whose socket server has no COPY.
import pg from 'pg';
import { generate } from '../../lib/generator/load';
import type { Scale } from '../../lib/generator/scales';
import type { TestDb } from './db';

export async function loadGenerated(db: TestDb, scale: Scale, seed: number): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await generate(client, { scale, seed, replace: false, method: db.mode === 'embedded' ? 'insert' : 'copy' });
  } finally {
    await client.end();
  }
}
