import 'server-only';
// Which table embeds which: a table with a vector column and a single-column foreign key to the
// content it embeds (topic_vectors.topic_id -> topics.id in the guide's layout). Found from the
// catalog, so other names and other schemas work too.
import type { Knex } from 'knex';
import { rows } from '../read-only';
import { USER_SCHEMAS_BINDINGS, USER_SCHEMAS_SQL } from './columns';
import { readable } from './sample';

export type Pair = {
  v_schema: string;
  v_table: string;
  v_key: string;
  c_schema: string;
  c_table: string;
  c_key: string;
  v_rows: number;
  c_rows: number;
  v_updated: boolean;
  c_updated: boolean;
  key_indexed: boolean;
};

const VECTOR_COLUMN_EXISTS = `EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
  WHERE a.attrelid = vt.oid AND a.attnum > 0 AND NOT a.attisdropped
    AND ty.typname IN ('vector', 'halfvec', 'sparsevec') AND ty.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?))`;

const hasColumn = (rel: string, name: string) =>
  `EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = ${rel}.oid AND x.attname = '${name}' AND NOT x.attisdropped)`;

function singular(name: string): string {
  return name.replace(/ies$/, 'y').replace(/s$/, '');
}

/** How likely a foreign key points at the content its table embeds: the vector table is named after it (post_vectors, article_embeddings). */
function score(p: Pair): number {
  const noun = singular(p.c_table).toLowerCase();
  return p.v_table.toLowerCase().includes(noun) ? 1 : 0;
}

export async function findPairs(trx: Knex.Transaction, vectorSchema: string): Promise<Pair[]> {
  const found = await rows<Pair>(
    trx.raw(
      `SELECT vn.nspname AS v_schema, vt.relname AS v_table, va.attname AS v_key,
              n.nspname AS c_schema, ct.relname AS c_table, ca.attname AS c_key,
              vt.reltuples::float8 AS v_rows, ct.reltuples::float8 AS c_rows,
              ${hasColumn('vt', 'updated_at')} AS v_updated, ${hasColumn('ct', 'updated_at')} AS c_updated,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = vt.oid AND i.indkey[0] = con.conkey[1] AND i.indisvalid AND i.indpred IS NULL) AS key_indexed
         FROM pg_constraint con
         JOIN pg_class vt ON vt.oid = con.conrelid
         JOIN pg_namespace vn ON vn.oid = vt.relnamespace
         JOIN pg_class ct ON ct.oid = con.confrelid
         JOIN pg_namespace n ON n.oid = ct.relnamespace
         JOIN pg_attribute va ON va.attrelid = vt.oid AND va.attnum = con.conkey[1]
         JOIN pg_attribute ca ON ca.attrelid = ct.oid AND ca.attnum = con.confkey[1]
        WHERE con.contype = 'f' AND cardinality(con.conkey) = 1 AND vt.oid <> ct.oid
          AND ${USER_SCHEMAS_SQL} AND ${VECTOR_COLUMN_EXISTS}
        ORDER BY vn.nspname, vt.relname`,
      [...USER_SCHEMAS_BINDINGS, vectorSchema],
    ),
  );
  const best = new Map<string, Pair>();
  for (const p of found) {
    if (!readable(p.v_schema, p.v_table, p.v_key, p.c_schema, p.c_table, p.c_key)) continue;
    const key = `${p.v_schema}\u0000${p.v_table}`;
    const seen = best.get(key);
    if (!seen || score(p) > score(seen) || (score(p) === score(seen) && p.c_rows > seen.c_rows)) best.set(key, p);
  }
  return [...best.values()];
}
