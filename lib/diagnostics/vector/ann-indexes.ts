import 'server-only';
// ivfflat and HNSW indexes: options, size, validity, use, and how they fit the table they index.
import type { Knex } from 'knex';
import type { AnnIndex, AnnReport, Estimate, Finding, Fix, Health, RebuildPlan, SearchSetting, VectorType } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { num, rows } from '../read-only';
import {
  DEFAULT_EF_SEARCH,
  distanceOf,
  hnswBuildBytes,
  ivfflatBuildBytes,
  listsVerdict,
  rebuildEstimate,
  type BuildCalibration,
  recommendedLists,
  recommendedProbes,
  reindexLock,
} from './ann-rules';
import { USER_SCHEMAS_BINDINGS, USER_SCHEMAS_SQL } from './columns';
import { dropIndexFix, memoryFix, probesFix, recreateWithListsFix, reindexFix } from './fixes';

export type AnnRow = {
  schema: string;
  table: string;
  name: string;
  method: 'ivfflat' | 'hnsw';
  opclass: string;
  opfamily: string;
  operator: string | null;
  column: string;
  /** Indexed on an expression, not a column: `column` is the expression's text. */
  expression: boolean;
  type: string;
  dims: number;
  reloptions: string[] | null;
  size_bytes: string;
  valid: boolean;
  ready: boolean;
  idx_scan: string | null;
  reltuples: number;
  relpages: number;
  /** The index's definition (pg_get_indexdef), and names as quote_ident writes them, for the fixes' SQL. */
  definition: string;
  q_schema: string;
  q_name: string;
  q_new_name: string;
  q_database: string;
};

/** The ANN indexes of the user's schemas, straight from the catalog. */
export async function findAnnIndexes(trx: Knex.Transaction, where = 'true', bindings: Knex.RawBinding[] = []): Promise<AnnRow[]> {
  const found = await rows<AnnRow & { definition: string | null }>(
    trx.raw(
      `SELECT n.nspname AS schema, t.relname AS table, i.relname AS name, am.amname AS method,
              opc.opcname AS opclass, opf.opfname AS opfamily,
              (SELECT o.oprname FROM pg_amop ao JOIN pg_operator o ON o.oid = ao.amopopr
                WHERE ao.amopfamily = opf.oid AND ao.amoppurpose = 'o' ORDER BY ao.amopstrategy LIMIT 1) AS operator,
              CASE WHEN x.indkey[0] = 0 THEN pg_get_indexdef(x.indexrelid, 1, true) ELSE a.attname END AS column,
              x.indkey[0] = 0 AS expression,
              CASE WHEN ityp.oid = 'bit'::regtype THEN 'bit' ELSE ityp.typname END AS type, ia.atttypmod AS dims,
              i.reloptions, pg_relation_size(i.oid) AS size_bytes, x.indisvalid AS valid, x.indisready AS ready,
              s.idx_scan, t.reltuples::float8 AS reltuples, t.relpages,
              pg_get_indexdef(i.oid) AS definition, quote_ident(n.nspname) AS q_schema, quote_ident(i.relname) AS q_name,
              quote_ident(left(i.relname, 59) || '_new') AS q_new_name, quote_ident(current_database()) AS q_database
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_am am ON am.oid = i.relam
         JOIN pg_opclass opc ON opc.oid = x.indclass[0]
         JOIN pg_opfamily opf ON opf.oid = opc.opcfamily
         JOIN pg_attribute ia ON ia.attrelid = i.oid AND ia.attnum = 1
         JOIN pg_type ityp ON ityp.oid = ia.atttypid
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
         LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.oid
        WHERE am.amname IN ('ivfflat', 'hnsw') AND ${USER_SCHEMAS_SQL} AND ${where}
        ORDER BY n.nspname, t.relname, i.relname`,
      [...USER_SCHEMAS_BINDINGS, ...bindings],
    ),
  );
  // An index dropped while the catalog was read (a rebuild swapping it in) has no definition any
  // more: it is gone, not an index to report.
  return found.filter((r): r is AnnRow => r.definition !== null);
}

export function parseOptions(reloptions: string[] | null): AnnIndex['options'] & Record<string, number | undefined> {
  const raw = Object.fromEntries((reloptions ?? []).map((o) => o.split('=') as [string, string]));
  const n = (k: string) => (raw[k] !== undefined ? Number(raw[k]) : undefined);
  return { lists: n('lists'), m: n('m'), efConstruction: n('ef_construction') };
}

export async function readSearchSettings(trx: Knex.Transaction): Promise<{ settings: SearchSetting[]; maintenanceWorkMemBytes: number }> {
  // pgvector defines its settings when its library loads; reading a vector loads it in this session.
  await trx.raw("SELECT '[1]'::vector");
  const found = await rows<{ name: string; setting: string; unit: string | null; source: string; short_desc: string }>(
    trx.raw(
      `SELECT name, setting, unit, source, short_desc FROM pg_settings
        WHERE name ~ '^(ivfflat|hnsw)[.]' OR name = 'maintenance_work_mem' ORDER BY name`,
    ),
  );
  const mwm = found.find((s) => s.name === 'maintenance_work_mem');
  return {
    settings: found.filter((s) => s !== mwm).map((s) => ({ name: s.name, setting: s.setting, unit: s.unit, source: s.source, description: s.short_desc })),
    maintenanceWorkMemBytes: num(mwm?.setting) * 1024,
  };
}

const mb = (b: number) => `${Math.ceil(b / (1024 * 1024)).toLocaleString('en-US')} MB`;

type Context = {
  settings: SearchSetting[];
  maintenanceWorkMemBytes: number;
  statisticsAvailable: boolean;
  concurrentReindex: boolean;
  /** How this server's finished rebuilds went against the reference machine (see rebuildEstimate). */
  calibration?: BuildCalibration;
  /** The best row count known for a table (an exact count from a small table's sample, or the statistics). */
  rowsOf(schema: string, table: string): Estimate | null;
};

export function describeAnnIndex(r: AnnRow, ctx: Context): AnnIndex {
  const options = parseOptions(r.reloptions);
  const problems: Finding[] = [];
  let health: Health = 'ok';
  const online = ctx.concurrentReindex;
  const qIndex = `${r.q_schema}.${r.q_name}`;
  const flag = (h: Health, text: string, fix: Fix | null) => {
    problems.push({ text, fix });
    if (h === 'error' || (h === 'warn' && health === 'ok')) health = h;
  };
  const tableRows = ctx.rowsOf(r.schema, r.table) ?? (r.reltuples >= 0 ? { value: Math.round(r.reltuples), method: 'statistics' as const } : null);
  const rowsNow = tableRows?.value ?? 0;
  const dims = r.dims > 0 ? r.dims : null;
  const type = (['vector', 'halfvec', 'sparsevec', 'bit'].includes(r.type) ? r.type : 'vector') as VectorType;
  const setting = (name: string) => {
    const s = ctx.settings.find((x) => x.name === name);
    return s ? Number(s.setting) : null;
  };

  if (!r.valid) flag('error', 'Invalid: queries do not use it (a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed, or one still running). Rebuild it, or drop it.', reindexFix(qIndex, online));
  else if (!r.ready) flag('error', 'Not ready: it is still being built.', null);

  let lists: AnnIndex['lists'] = null;
  let search: AnnIndex['search'];
  let requiredBytes: number;
  let basis: string;
  if (r.method === 'ivfflat') {
    const l = options.lists ?? 100;
    lists = { lists: l, recommended: recommendedLists(rowsNow), rowsPerList: tableRows ? Math.round(rowsNow / l) : null };
    if (tableRows) {
      const v = listsVerdict(l, rowsNow);
      const fix =
        v.status === 'empty'
          ? { ...reindexFix(qIndex, online), note: 'Once the table holds its data; rebuilt now, on an empty table, it would be no better.', rebuild: false }
          : recreateWithListsFix(r.definition, { index: qIndex, newName: r.q_new_name, schema: r.q_schema, name: r.q_name }, lists.recommended, online);
      if (v.message) flag(v.severity === 'error' ? 'error' : 'warn', v.message, fix);
    }
    const probes = setting('ivfflat.probes');
    const rec = recommendedProbes(l);
    search = { setting: 'ivfflat.probes', current: probes, recommended: rec, note: `Start from probes ≈ √lists = ${rec}, then measure recall and raise it until recall is enough.` };
    if (probes !== null && probes * 2 <= rec) {
      flag('warn', `ivfflat.probes = ${probes} searches ${probes} of ${l} lists; recall is usually low. Start from probes = ${rec} and measure.`, probesFix(r.q_database, rec));
    }
    requiredBytes = ivfflatBuildBytes(l, dims ?? 0, rowsNow, type);
    basis = `k-means on a sample of ${Math.max(l * 50, 10_000).toLocaleString('en-US')} vectors for ${l.toLocaleString('en-US')} lists`;
  } else {
    const m = options.m ?? 16;
    const ef = setting('hnsw.ef_search');
    search = { setting: 'hnsw.ef_search', current: ef, recommended: DEFAULT_EF_SEARCH, note: 'ef_search must be at least the LIMIT of your queries; raise it for recall, at the cost of speed.' };
    requiredBytes = hnswBuildBytes(m, dims ?? 0, rowsNow, type);
    basis = `the whole graph in memory: ${rowsNow.toLocaleString('en-US')} rows with m = ${m}`;
  }
  const fits = requiredBytes <= ctx.maintenanceWorkMemBytes;
  if (!fits && r.method === 'ivfflat') {
    flag('warn', `A rebuild needs about ${mb(requiredBytes)} of maintenance_work_mem (${mb(ctx.maintenanceWorkMemBytes)} now): REINDEX fails with "memory required is …" unless it is raised for the session.`, memoryFix(requiredBytes));
  } else if (!fits) {
    flag('warn', `A rebuild's graph (about ${mb(requiredBytes)}) does not fit in maintenance_work_mem (${mb(ctx.maintenanceWorkMemBytes)}): the build goes on on disk, much slower.`, memoryFix(requiredBytes));
  }
  const scans = r.idx_scan === null ? null : num(r.idx_scan);
  if (ctx.statisticsAvailable && scans === 0 && r.valid) {
    flag(
      'warn',
      'No index scans since the statistics were reset: queries may not use it (check their ORDER BY operator and LIMIT).',
      dropIndexFix(qIndex, online, 'Only if no query needs it: check the queries’ ORDER BY operator and LIMIT, and replicas and rare jobs, first.'),
    );
  }

  const sizeBytes = num(r.size_bytes);
  const tableName = qualified(r.schema, r.table);
  return {
    schema: r.schema,
    table: r.table,
    name: r.name,
    column: r.column,
    method: r.method,
    opclass: r.opclass,
    opfamily: r.opfamily,
    distance: distanceOf(r.opclass),
    options: r.method === 'ivfflat' ? { lists: options.lists ?? 100 } : { m: options.m ?? 16, efConstruction: options.efConstruction ?? 64 },
    dimensions: dims,
    sizeBytes,
    valid: r.valid,
    ready: r.ready,
    scans,
    tableRows,
    lists,
    search,
    buildMemory: { requiredBytes, maintenanceWorkMemBytes: ctx.maintenanceWorkMemBytes, fits, basis },
    sqlName: qIndex,
    reindex: {
      concurrently: ctx.concurrentReindex ? rebuildPlan(r, tableName, sizeBytes, true, ctx.calibration) : null,
      plain: rebuildPlan(r, tableName, sizeBytes, false, ctx.calibration),
    },
    health,
    problems,
  };
}

function rebuildPlan(r: AnnRow, table: string, sizeBytes: number, concurrently: boolean, calibration?: BuildCalibration): RebuildPlan {
  const index = qualified(r.schema, r.name);
  return {
    statement: `REINDEX INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${index};`,
    lock: reindexLock(table, index, concurrently),
    estimate: rebuildEstimate(r.method, sizeBytes, concurrently, calibration),
  };
}

export function overlapsOf(indexes: AnnIndex[], online: boolean): AnnReport['overlaps'] {
  const groups = new Map<string, AnnIndex[]>();
  for (const ix of indexes) {
    const key = [ix.schema, ix.table, ix.column, ix.opfamily].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), ix]);
  }
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => {
      // Keep the valid one queries use most; drop the rest.
      const keep = [...g].sort((a, b) => Number(b.valid) - Number(a.valid) || (b.scans ?? 0) - (a.scans ?? 0))[0]!;
      const drop = g.filter((ix) => ix !== keep);
      return {
        table: qualified(g[0]!.schema, g[0]!.table),
        column: g[0]!.column,
        opfamily: g[0]!.opfamily,
        indexes: g.map((ix) => ix.name),
        sameMethod: new Set(g.map((ix) => ix.method)).size === 1,
        fix: {
          sql: drop.map((ix) => dropIndexFix(ix.sqlName, online).sql).join('\n'),
          note: `Keeps ${keep.name}${keep.scans ? ', which queries use most' : ''}; check first that no query needs the other's method or options.`,
          rebuild: false,
        },
      };
    });
}
