import 'server-only';
// Index health for every table of the user's schemas, in the manner of PgHero: invalid, unused and
// duplicate indexes, and sizes. Everything comes from the catalog and the statistics views.
import type { Knex } from 'knex';
import type { Fix, IndexHealth, IndexRow } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { num, rows } from '../read-only';
import { USER_SCHEMAS_BINDINGS, USER_SCHEMAS_SQL } from './columns';
import { dropIndexFix, rebuildInvalidFix } from './fixes';

const LIST_AT_MOST = 200;

type Row = {
  schema: string;
  table: string;
  name: string;
  method: string;
  definition: string;
  size_bytes: string;
  idx_scan: string | null;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  indkey: string;
  indclass: string;
  nkey: number;
  exprs: string | null;
  pred: string | null;
  backs_constraint: boolean;
  building: boolean;
  /** Schema and name as quote_ident writes them, for the fixes' SQL. */
  q_index: string;
};

type Parsed = Row & { cols: string[]; classes: string[]; hasInclude: boolean };

export async function statisticsState(trx: Knex.Transaction): Promise<IndexHealth['statistics']> {
  const [r] = await rows<{ stats_reset: Date | null; xact_commit: string | null }>(
    trx.raw('SELECT stats_reset, xact_commit FROM pg_stat_database WHERE datname = current_database()'),
  );
  // A server that counts nothing (the embedded one can) would make every index look unused.
  return { available: num(r?.xact_commit) > 0, resetAt: r?.stats_reset ? new Date(r.stats_reset).toISOString() : null };
}

const startsWith = (whole: string[], part: string[]) => part.length <= whole.length && part.every((v, i) => whole[i] === v);

/** PgHero's rule: an index whose key columns lead another index of the same kind is not needed. */
export function duplicatesOf(all: Parsed[]): IndexHealth['duplicates'] {
  const out: IndexHealth['duplicates'] = [];
  for (const ix of all) {
    if (!ix.valid || ix.primary || ix.unique || ix.hasInclude) continue;
    const covering = all.find(
      (o) =>
        o.valid &&
        o.name !== ix.name &&
        o.schema === ix.schema &&
        o.table === ix.table &&
        o.method === ix.method &&
        o.exprs === ix.exprs &&
        o.pred === ix.pred &&
        startsWith(o.cols, ix.cols) &&
        startsWith(o.classes, ix.classes) &&
        // Only a btree can serve a search on the leading columns of a longer key.
        (ix.method === 'btree' || o.cols.length === ix.cols.length) &&
        (o.cols.length !== ix.cols.length || ix.name > o.name || o.primary || o.unique),
    );
    if (covering) out.push({ index: qualified(ix.schema, ix.name), coveredBy: qualified(covering.schema, covering.name), table: qualified(ix.schema, ix.table) });
  }
  return out;
}

/**
 * `online`: whether the fixes may use CONCURRENTLY (not on the embedded database, whose one
 * backend would wait for itself).
 */
export async function readIndexHealth(trx: Knex.Transaction, online = true): Promise<IndexHealth> {
  const statistics = await statisticsState(trx);
  const found = await rows<Row>(
    trx.raw(
      `SELECT n.nspname AS schema, t.relname AS table, i.relname AS name, am.amname AS method,
              pg_get_indexdef(i.oid) AS definition, pg_relation_size(i.oid) AS size_bytes, s.idx_scan,
              x.indisunique AS unique, x.indisprimary AS primary, x.indisvalid AS valid,
              x.indkey::text AS indkey, x.indclass::text AS indclass, x.indnkeyatts AS nkey,
              pg_get_expr(x.indexprs, x.indrelid) AS exprs, pg_get_expr(x.indpred, x.indrelid) AS pred,
              EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) AS backs_constraint,
              EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.relid = x.indrelid) AS building,
              quote_ident(n.nspname) || '.' || quote_ident(i.relname) AS q_index
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_am am ON am.oid = i.relam
         LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
        WHERE ${USER_SCHEMAS_SQL}
        ORDER BY pg_relation_size(i.oid) DESC, n.nspname, i.relname`,
      USER_SCHEMAS_BINDINGS,
    ),
  );
  const parsed: Parsed[] = found.map((r) => {
    const keys = r.indkey.split(' ');
    return { ...r, cols: keys.slice(0, r.nkey), classes: r.indclass.split(' ').slice(0, r.nkey), hasInclude: keys.length > r.nkey };
  });
  const invalid = parsed.filter((r) => !r.valid && !r.building);
  const unused = statistics.available
    ? parsed.filter((r) => r.valid && !r.unique && !r.primary && !r.backs_constraint && num(r.idx_scan) === 0)
    : [];
  const duplicates = duplicatesOf(parsed);
  const flagged = new Set([...invalid, ...unused].map((r) => qualified(r.schema, r.name)).concat(duplicates.map((d) => d.index)));
  const listed = parsed.filter((r, i) => i < LIST_AT_MOST || flagged.has(qualified(r.schema, r.name)));
  const invalidNames = new Set(invalid.map((r) => qualified(r.schema, r.name)));
  const dropNames = new Set([...unused.map((r) => qualified(r.schema, r.name)), ...duplicates.map((d) => d.index)]);
  const fixOf = (r: Parsed): Fix | null => {
    if (invalidNames.has(qualified(r.schema, r.name))) return rebuildInvalidFix(r.definition, r.q_index, online, r.backs_constraint);
    if (dropNames.has(qualified(r.schema, r.name))) {
      const dup = duplicates.find((d) => d.index === qualified(r.schema, r.name));
      return dropIndexFix(r.q_index, online, dup ? `${dup.coveredBy} serves the same searches.` : 'Only if nothing needs it: check replicas and rare jobs first.');
    }
    return null;
  };
  const toRow = (r: Parsed): IndexRow => ({
    schema: r.schema,
    table: r.table,
    name: r.name,
    method: r.method,
    definition: r.definition,
    sizeBytes: num(r.size_bytes),
    scans: r.idx_scan === null || !statistics.available ? null : num(r.idx_scan),
    unique: r.unique,
    primary: r.primary,
    valid: r.valid,
    building: r.building && !r.valid,
    fix: fixOf(r),
  });
  return {
    statistics,
    indexes: listed.map(toRow),
    truncated: listed.length < parsed.length,
    invalid: invalid.map((r) => qualified(r.schema, r.name)),
    unused: unused.map((r) => qualified(r.schema, r.name)),
    duplicates,
    totalBytes: parsed.reduce((a, r) => a + num(r.size_bytes), 0),
  };
}
