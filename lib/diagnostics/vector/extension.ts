import 'server-only';
// pgvector's installed and available versions, and what an operator should know about them.
import type { Knex } from 'knex';
import { VECTOR_CHECK_SQL } from '../../db/preflight';
import type { ExtensionInfo, Notice } from '../../schemas/vector-health';
import { rows } from '../read-only';

type Issue = { from: string; below: string; tone: Notice['tone']; title: string; detail: string; sql?: string };

// From pgvector's CHANGELOG: the releases whose index code had a bug worth acting on.
const KNOWN_INDEX_ISSUES: Issue[] = [
  {
    from: '0.2.7',
    below: '0.3.1',
    tone: 'error',
    title: 'Inserts can silently corrupt ivfflat indexes in this version',
    detail: 'Fixed in 0.3.1. After upgrading, recreate every ivfflat index so that all rows are indexed.',
  },
  {
    from: '0.0.0',
    below: '0.5.0',
    tone: 'warn',
    title: 'ivfflat returns wrong results for NULL and NaN distances in this version',
    detail: 'Fixed in 0.5.0, which also keeps cosine distance in range.',
  },
  {
    from: '0.5.0',
    below: '0.5.1',
    tone: 'warn',
    title: 'HNSW index scans do not check for an MVCC-compliant snapshot in this version',
    detail: 'Fixed in 0.5.1.',
  },
  {
    from: '0.6.0',
    below: '0.7.4',
    tone: 'warn',
    title: 'Parallel HNSW index builds have a locking bug in this version',
    detail: 'Fixed in 0.7.4. Until then, build HNSW indexes with max_parallel_maintenance_workers = 0.',
  },
  {
    from: '0.7.0',
    below: '0.7.2',
    tone: 'warn',
    title: 'Indexes on unlogged tables get a wrong initialization fork in this version',
    detail: 'Fixed in 0.7.2; such an index can be unusable after a crash. Rebuild it after upgrading.',
  },
  {
    from: '0.7.0',
    below: '0.7.3',
    tone: 'warn',
    title: 'Inserting sparsevec values into an HNSW index can fail in this version',
    detail: 'Fixed in 0.7.3 ("failed to add index item").',
  },
];

function parts(v: string): number[] {
  return v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function extensionNotices(installed: string | null, available: string | null): Notice[] {
  if (!installed && !available) {
    return [
      {
        tone: 'error',
        title: 'The pgvector extension is not available on this server',
        detail: 'Vector columns and ANN indexes need it. Install pgvector on the database server, then run the migrations. Check with:',
        sql: VECTOR_CHECK_SQL,
      },
    ];
  }
  if (!installed) {
    return [
      {
        tone: 'warn',
        title: `pgvector ${available} is available but not installed in this database`,
        detail: 'The first guide migration creates it; until then there are no vector columns to check.',
        sql: 'CREATE EXTENSION vector;',
      },
    ];
  }
  const out: Notice[] = [];
  if (available && compareVersions(available, installed) > 0) {
    out.push({
      tone: 'info',
      title: `pgvector ${installed} can be upgraded to ${available}`,
      detail: 'The server has a newer version than this database uses. The upgrade rewrites no data; read pgvector’s CHANGELOG for the versions in between.',
      sql: 'ALTER EXTENSION vector UPDATE;',
    });
  }
  for (const i of KNOWN_INDEX_ISSUES) {
    if (compareVersions(installed, i.from) >= 0 && compareVersions(installed, i.below) < 0) {
      out.push({ tone: i.tone, title: i.title, detail: i.detail });
    }
  }
  return out;
}

export async function readExtension(knex: Knex): Promise<ExtensionInfo> {
  const [row] = await rows<{ installed: string | null; available: string | null; schema: string | null }>(
    knex.raw(
      `SELECT e.extversion AS installed, a.default_version AS available, n.nspname AS schema
         FROM (SELECT 1) one
         LEFT JOIN pg_available_extensions a ON a.name = 'vector'
         LEFT JOIN pg_extension e ON e.extname = 'vector'
         LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`,
    ),
  );
  const installed = row?.installed ?? null;
  const available = row?.available ?? null;
  return { installedVersion: installed, availableVersion: available, schema: row?.schema ?? null, notices: extensionNotices(installed, available) };
}
