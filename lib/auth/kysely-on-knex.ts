import 'server-only';
// better-auth talks to PostgreSQL through Kysely. This gives it connections from the dashboard's
// own knex pool instead of a second pool: on the embedded database only one connection may be
// open at a time, and elsewhere one pool keeps the connection count predictable.
import type { Knex } from 'knex';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { PoolClient } from 'pg';

type KnexClient = {
  acquireConnection(): Promise<PoolClient>;
  releaseConnection(conn: PoolClient): Promise<void>;
};

// Kysely types rows per schema; better-auth supplies its own types on top, so the database type
// here is deliberately open.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kyselyOnKnex(knex: Knex): Kysely<any> {
  const client = knex.client as unknown as KnexClient;
  const pool: PostgresPool = {
    async connect(): Promise<PostgresPoolClient> {
      const conn = await client.acquireConnection();
      return {
        query: ((sql: string, parameters: ReadonlyArray<unknown>) => conn.query(sql, [...parameters])) as unknown as PostgresPoolClient['query'],
        release: () => void client.releaseConnection(conn),
      };
    },
    // The knex instance owns the connections and closes them.
    end: async () => {},
  };
  return new Kysely({ dialect: new PostgresDialect({ pool }) });
}
