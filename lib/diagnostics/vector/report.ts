import 'server-only';
// The vector health page's first answer: each part in its own read-only transaction with a
// statement_timeout, in parallel where the pool allows, and none of them scanning a big table.
import type { Db } from '../../db/knex';
import { readConfig } from '../../config';
import type { AnnReport, Estimate, ExtensionInfo, IndexBuild, Section, VectorColumn, VectorHealthReport } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { readOnly, rows, section } from '../read-only';
import { describeAnnIndex, findAnnIndexes, overlapsOf, readSearchSettings } from './ann-indexes';
import { calibrationOf } from './ann-rules';
import { readBuilds, readPastRebuilds } from './builds';
import { readVectorColumns } from './columns';
import { readCoverage } from './coverage';
import { readExtension } from './extension';
import { readIndexHealth, statisticsState } from './index-health';

export const PAGE_TIMEOUT_MS = 5_000;

export type ReportOptions = { expectedDimensions: number | null; timeoutMs?: number };

export async function getIndexBuilds(db: Db): Promise<IndexBuild[]> {
  return readOnly(db.knex, PAGE_TIMEOUT_MS, (trx) => readBuilds(trx));
}

export async function serverInfo(db: Db): Promise<VectorHealthReport['server']> {
  const [r] = await readOnly(db.knex, PAGE_TIMEOUT_MS, (trx) =>
    rows<{ v: string; n: number }>(trx.raw("SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n")),
  );
  const versionNum = r?.n ?? 0;
  // The embedded database is one backend: a concurrent rebuild would wait for itself.
  return { version: r?.v ?? 'unknown', versionNum, kind: db.target.kind, concurrentReindex: db.target.kind === 'external' && versionNum >= 120000 };
}

function skipped<T>(why: string): Section<T> {
  return { ok: false, error: why, ms: 0 };
}

export async function getVectorHealth(db: Db, opts: ReportOptions = { expectedDimensions: readConfig().expectedDimensions }): Promise<VectorHealthReport> {
  const t0 = performance.now();
  const timeout = opts.timeoutMs ?? PAGE_TIMEOUT_MS;
  const { knex } = db;
  const [server, extension] = await Promise.all([
    serverInfo(db),
    section<ExtensionInfo>('extension', timeout, () => readOnly(knex, timeout, (trx) => readExtension(trx))),
  ]);
  const vectorSchema = extension.ok ? extension.data.schema : null;
  const noVector = extension.ok ? 'pgvector is not installed in this database.' : 'The pgvector extension could not be read.';

  const columnsAndAnn = (async (): Promise<[Section<VectorColumn[]>, Section<AnnReport>]> => {
    if (!vectorSchema) return [skipped(noVector), skipped(noVector)];
    const columns = await section('columns', timeout, () =>
      readOnly(knex, timeout, (trx) => readVectorColumns(trx, vectorSchema, opts.expectedDimensions), { vectorSchema }),
    );
    const known = new Map<string, Estimate | null>();
    if (columns.ok) for (const c of columns.data) known.set(`${c.schema}\u0000${c.table}`, c.estimatedRows);
    const ann = await section('ann', timeout, () =>
      readOnly(
        knex,
        timeout,
        async (trx): Promise<AnnReport> => {
          const { settings, maintenanceWorkMemBytes } = await readSearchSettings(trx);
          const stats = await statisticsState(trx);
          const found = await findAnnIndexes(trx);
          const methods = new Map(found.map((r) => [qualified(r.schema, r.name), r.method]));
          const calibration = calibrationOf(await readPastRebuilds(trx, (label) => methods.get(label)));
          const ctx = {
            calibration,
            settings,
            maintenanceWorkMemBytes,
            statisticsAvailable: stats.available,
            concurrentReindex: server.concurrentReindex,
            rowsOf: (schema: string, table: string) => known.get(`${schema}\u0000${table}`) ?? null,
          };
          const indexes = found.map((r) => describeAnnIndex(r, ctx));
          return { indexes, settings, overlaps: overlapsOf(indexes, server.concurrentReindex), maintenanceWorkMemBytes };
        },
        { vectorSchema },
      ),
    );
    if (columns.ok && ann.ok) {
      for (const c of columns.data) {
        c.annIndexes = ann.data.indexes.filter((i) => i.schema === c.schema && i.table === c.table && i.column === c.column).map((i) => i.name);
      }
    }
    return [columns, ann];
  })();

  const [[columns, ann], indexHealth, coverage, builds] = await Promise.all([
    columnsAndAnn,
    section('index health', timeout, () => readOnly(knex, timeout, (trx) => readIndexHealth(trx, server.concurrentReindex))),
    vectorSchema
      ? section('coverage', timeout, () => readOnly(knex, timeout, (trx) => readCoverage(trx, vectorSchema), { vectorSchema }))
      : Promise.resolve(skipped<never>(noVector)),
    section('builds', timeout, () => readOnly(knex, timeout, (trx) => readBuilds(trx))),
  ]);
  return {
    generatedAt: new Date().toISOString(),
    ms: Math.round(performance.now() - t0),
    server,
    expectedDimensions: opts.expectedDimensions,
    extension,
    columns,
    ann,
    indexHealth,
    coverage,
    builds,
  };
}
