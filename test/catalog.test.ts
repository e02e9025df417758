// The catalog snapshot and the diff of two snapshots: what a snapshot holds of a schema with every
// kind of object it covers, and that the diff's SQL really turns one catalog into the other, in
// both directions (everything dropped, then everything made again).
import { beforeAll, describe, expect, it } from 'vitest';
import { diffSnapshots, reconcilingSql } from '../lib/catalog/diff';
import { readSnapshot, toSnapshot, type CatalogSnapshot } from '../lib/catalog/snapshot';
import { viewForm } from '../lib/catalog/view-form';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();

// Every kind of object the snapshot covers, as a migration folder might leave them.
const FIXTURE = `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE SCHEMA audit;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS integer NOT NULL CHECK (VALUE > 0);
CREATE SEQUENCE ticket_numbers AS bigint START WITH 1000 INCREMENT BY 10;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TABLE forums (id serial PRIMARY KEY, name varchar(255) NOT NULL UNIQUE, metadata jsonb DEFAULT '{}');
CREATE TABLE "order" (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  forum_id integer REFERENCES forums(id) ON DELETE CASCADE,
  feeling mood NOT NULL DEFAULT 'ok',
  weight positive_int,
  price numeric(10, 2) CHECK (price >= 0),
  doubled numeric GENERATED ALWAYS AS (price * 2) STORED,
  embedding vector(3),
  updated_at timestamptz
);
CREATE INDEX order_embedding_hnsw ON "order" USING hnsw (embedding vector_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX order_embedding_ivf ON "order" USING ivfflat (embedding vector_l2_ops) WITH (lists = 7);
CREATE INDEX order_cheap ON "order" (price) WHERE price < 10;
CREATE TRIGGER order_touch BEFORE UPDATE ON "order" FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW cheap_orders AS SELECT id, price FROM "order" WHERE price < 10;
CREATE MATERIALIZED VIEW forum_counts AS SELECT forum_id, count(*) AS n FROM "order" GROUP BY forum_id;
CREATE TABLE audit.events (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), forum_id integer REFERENCES forums(id));
`;

let empty: CatalogSnapshot;
let full: CatalogSnapshot;

async function apply(sql: string[]): Promise<void> {
  for (const s of sql) if (!s.startsWith('--')) await db.knex.raw(s);
}

beforeAll(async () => {
  empty = await readSnapshot(db.knex);
  await db.knex.raw(FIXTURE);
  full = await readSnapshot(db.knex);
});

describe('readSnapshot', () => {
  it('holds every object of the fixture, as PostgreSQL prints it', () => {
    expect(Object.keys(full.schemas).sort()).toEqual(['audit', 'public']);
    expect(full.extensions.vector).toMatchObject({ name: 'vector', schema: 'public' });
    expect(Object.keys(full.tables).sort()).toEqual(['audit.events', 'public.forums', 'public.order']);
    expect(full.tables['public.order']!.columns).toMatchObject({
      id: { type: 'bigint', notNull: true, identity: 'a' },
      feeling: { type: 'mood', notNull: true, default: "'ok'::mood" },
      weight: { type: 'positive_int' },
      doubled: { generated: '(price * (2)::numeric)' },
      embedding: { type: 'vector(3)', notNull: false },
    });
    expect(full.tables['public.forums']!.columns.id).toMatchObject({ type: 'integer', sequence: 'public.forums_id_seq', default: "nextval('forums_id_seq'::regclass)" });
    expect(full.indexes['public.order_embedding_hnsw']).toMatchObject({ method: 'hnsw', opclasses: ['vector_cosine_ops'], options: { m: '8', ef_construction: '32' }, valid: true });
    expect(full.indexes['public.order_embedding_ivf']).toMatchObject({ method: 'ivfflat', options: { lists: '7' } });
    expect(full.indexes['public.order_pkey']).toMatchObject({ constraint: true, unique: true });
    expect(full.constraints['public.order.order_forum_id_fkey']).toMatchObject({ type: 'f', definition: 'FOREIGN KEY (forum_id) REFERENCES forums(id) ON DELETE CASCADE' });
    expect(full.constraints['audit.events.events_forum_id_fkey']!.definition).toBe('FOREIGN KEY (forum_id) REFERENCES forums(id)');
    // NOT NULL is a column property; PostgreSQL 18 also lists it as a constraint, which is left out.
    expect(Object.values(full.constraints).map((c) => c.type).sort()).toEqual(['c', 'f', 'f', 'p', 'p', 'p', 'u']);
    expect(full.views['public.cheap_orders']).toMatchObject({ materialized: false });
    expect(full.views['public.forum_counts']).toMatchObject({ materialized: true });
    expect(full.functions['public.touch()']).toMatchObject({ kind: 'function', definition: expect.stringContaining('NEW.updated_at := now()') });
    expect(Object.keys(full.sequences)).toEqual(['public.ticket_numbers']);
    expect(full.sequences['public.ticket_numbers']).toMatchObject({ type: 'bigint', start: '1000', increment: '10' });
    expect(full.types['public.mood']).toMatchObject({ kind: 'enum', labels: ['sad', 'ok', 'happy'] });
    expect(full.types['public.positive_int']).toMatchObject({ kind: 'domain', base: 'integer', notNull: true, checks: ['CHECK ((VALUE > 0))'] });
    expect(full.triggers['public.order.order_touch']!.definition).toMatch(/^CREATE TRIGGER order_touch BEFORE UPDATE ON public."order" FOR EACH ROW/);
    // pgvector's own functions, types and operators belong to the extension and are left out.
    expect(Object.keys(full.functions)).toEqual(['public.touch()']);
  });

  it('leaves out the schemas and tables it is told to', async () => {
    await db.knex.raw('CREATE TABLE knex_migrations (id serial primary key, name text)');
    const s = await readSnapshot(db.knex, { excludeSchemas: ['audit'], excludeTables: ['knex_migrations'] });
    expect(Object.keys(s.tables).sort()).toEqual(['public.forums', 'public.order']);
    expect(Object.keys(s.indexes).some((k) => k.includes('knex_migrations') || k.startsWith('audit.'))).toBe(false);
    await db.knex.raw('DROP TABLE knex_migrations');
  });
});

describe('diffSnapshots', () => {
  it('finds nothing between a snapshot and itself, or two reads of one catalog', async () => {
    expect(diffSnapshots(full, full)).toEqual([]);
    expect(diffSnapshots(full, await readSnapshot(db.knex))).toEqual([]);
  });

  it('lists each object once, a table with its own parts, and its SQL drops everything and makes it again', async () => {
    const down = diffSnapshots(full, empty);
    expect(down.map((c) => `${c.change} ${c.kind} ${c.name}`).sort()).toEqual(
      [
        'removed extension vector',
        'removed schema audit',
        'removed type mood',
        'removed type positive_int',
        'removed sequence ticket_numbers',
        'removed function touch()',
        'removed table forums',
        'removed table order',
        'removed table audit.events',
        'removed view cheap_orders',
        'removed materialized view forum_counts',
      ].sort(),
    );
    await apply(reconcilingSql(down));
    expect(diffSnapshots(await readSnapshot(db.knex), empty)).toEqual([]);

    const up = diffSnapshots(empty, full);
    expect(up.every((c) => c.change === 'added')).toBe(true);
    await apply(reconcilingSql(up));
    expect(diffSnapshots(await readSnapshot(db.knex), full)).toEqual([]);
  });

  it('names what changed on a column, an index and a constraint, and its SQL makes them alike', async () => {
    await db.knex.raw(`
      ALTER TABLE forums ALTER COLUMN metadata SET NOT NULL, ALTER COLUMN metadata DROP DEFAULT, ALTER COLUMN name TYPE text;
      DROP INDEX order_embedding_ivf; CREATE INDEX order_embedding_ivf ON "order" USING ivfflat (embedding vector_l2_ops) WITH (lists = 3);
      ALTER TABLE "order" DROP CONSTRAINT order_price_check, ADD CONSTRAINT order_price_check CHECK (price > 0);
      CREATE INDEX forums_by_hand ON forums (lower(name));
      ALTER TABLE audit.events DROP COLUMN at;`);
    const changed = diffSnapshots(await readSnapshot(db.knex), full);
    const byName = Object.fromEntries(changed.map((c) => [`${c.kind} ${c.name}`, c]));
    expect(Object.keys(byName).sort()).toEqual(['column audit.events.at', 'column forums.metadata', 'column forums.name', 'constraint order_price_check', 'index forums_by_hand', 'index order_embedding_ivf']);
    expect(byName['column forums.metadata']!.details).toEqual([
      { what: 'notNull', from: 'true', to: 'false' },
      { what: 'default', from: null, to: "'{}'::jsonb" },
    ]);
    expect(byName['column forums.name']!.details).toEqual([{ what: 'type', from: 'text', to: 'character varying(255)' }]);
    expect(byName['index order_embedding_ivf']).toMatchObject({ change: 'changed', table: 'order', details: [{ what: 'lists', from: '3', to: '7' }] });
    expect(byName['index forums_by_hand']).toMatchObject({ change: 'removed', sql: ['DROP INDEX forums_by_hand'] });
    expect(byName['column audit.events.at']).toMatchObject({ change: 'added', sql: ['ALTER TABLE audit.events ADD COLUMN at timestamp with time zone DEFAULT now() NOT NULL'] });
    await apply(reconcilingSql(changed));
    expect(diffSnapshots(await readSnapshot(db.knex), full)).toEqual([]);
  });

  it('builds and drops indexes concurrently when asked, for a live database', () => {
    const withoutIvf = structuredClone(full);
    delete withoutIvf.indexes['public.order_embedding_ivf'];
    expect(diffSnapshots(full, withoutIvf, { concurrently: true })[0]!.sql).toEqual(['DROP INDEX CONCURRENTLY order_embedding_ivf']);
    expect(diffSnapshots(withoutIvf, full, { concurrently: true })[0]!.sql[0]).toMatch(/^CREATE INDEX CONCURRENTLY order_embedding_ivf ON public\."order" USING ivfflat/);
  });
});

describe('extension versions', () => {
  const at = (version: string, defaultVersion: string) =>
    toSnapshot({ version: '15', schemas: ['public'], extensions: [{ name: 'vector', schema: 'public', version, defaultVersion }], tables: [], columns: [], indexes: [], constraints: [], views: [], functions: [], sequences: [], types: [], triggers: [] });

  it('are alike when each is its own server’s default, and differ when one is held back', () => {
    expect(diffSnapshots(at('0.8.0', '0.8.0'), at('0.8.7', '0.8.7'))).toEqual([]);
    expect(diffSnapshots(at('0.7.4', '0.8.0'), at('0.8.7', '0.8.7'))).toEqual([
      { kind: 'extension', name: 'vector', table: null, change: 'changed', details: [{ what: 'version', from: '0.7.4', to: '0.8.7' }], sql: ["ALTER EXTENSION vector UPDATE TO '0.8.7'"] },
    ]);
  });
});

describe('view definitions across versions', () => {
  it('compare alike when PostgreSQL 15 qualifies a single relation’s columns and 16+ does not, and differ when the query does', async () => {
    const pg15 = "SELECT h.id, h.name FROM h WHERE (h.created_at > (now() - '7 days'::interval));";
    const pg18 = "SELECT id, name FROM h WHERE (created_at > (now() - '7 days'::interval));";
    expect(await viewForm(pg15)).toBe(await viewForm(pg18));
    expect(await viewForm(pg18)).not.toBe(await viewForm("SELECT id, name FROM h WHERE (created_at > (now() - '8 days'::interval));"));
    // With two relations both versions qualify, and a qualifier is kept.
    const join = 'SELECT h.id, count(*) AS n FROM (h JOIN h g ON ((g.id = h.id))) GROUP BY h.id;';
    expect(await viewForm(join)).not.toBe(await viewForm('SELECT h.id, count(*) AS n FROM (h JOIN h g ON ((g.id = g.id))) GROUP BY h.id;'));
  });
});
