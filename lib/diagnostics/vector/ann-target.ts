import 'server-only';
// Finds one ANN index by schema and name for a job that works on it (a recall run, a rebuild),
// and refuses what the job cannot do with it.
import type { Knex } from 'knex';
import { ApiError } from '../../api/errors';
import type { QualifiedName } from '../../schemas/vector-health';
import { qualified } from '../../schemas/vector-health';
import { readOnly } from '../read-only';
import { findAnnIndexes, type AnnRow } from './ann-indexes';
import { readExtension } from './extension';
import { readable } from './sample';

export type AnnTarget = AnnRow & { vectorSchema: string; label: string };

export async function findAnnTarget(knex: Knex, index: QualifiedName): Promise<AnnTarget> {
  return readOnly(knex, 5_000, async (trx) => {
    const ext = await readExtension(trx);
    if (!ext.schema) throw new ApiError('conflict', 'pgvector is not installed in this database');
    const [row] = await findAnnIndexes(trx, 'n.nspname = ? AND i.relname = ?', [index.schema, index.name]);
    if (!row) throw new ApiError('not_found', `No ivfflat or HNSW index named ${qualified(index.schema, index.name)}`);
    if (!readable(row.schema, row.table, row.column)) {
      throw new ApiError('conflict', 'Strata does not run jobs on tables or columns whose names contain a dot');
    }
    return { ...row, vectorSchema: ext.schema, label: qualified(row.schema, row.name) };
  });
}
