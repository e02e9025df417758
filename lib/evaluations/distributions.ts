import 'server-only';
// Score distributions of content_evaluations: the exact answer (every row, distribution-sql.ts)
// or a first estimate from a sample of the table's pages (distribution-estimate.ts).
import type { Knex } from 'knex';
import type { DistributionQuery, Distributions } from '../schemas/evaluations';
import { estimateDistributions } from './distribution-estimate';
import { DISTRIBUTION_SETTINGS, distributionStatements, shapeDistributions, type RawResults } from './distribution-sql';
import { readOnly } from './read';

export { DISTRIBUTION_SETTINGS, distributionStatements };

/** Every row, read in one snapshot. */
export async function exactDistributions(knex: Knex, q: DistributionQuery, reason: string | null = null): Promise<Distributions> {
  const statements = distributionStatements(knex, q);
  const results = await readOnly(
    knex,
    async (trx) => {
      await trx.raw(DISTRIBUTION_SETTINGS);
      const out: unknown[][] = [];
      for (const s of statements) out.push((await trx.raw(s.knex.sql, s.knex.bindings)).rows);
      return out as RawResults;
    },
    { snapshot: true, timeoutMs: 60_000 },
  );
  return shapeDistributions(q, results, { basis: { kind: 'exact', reason } });
}

/** The answer of GET /api/evaluations/distributions: `mode=exact` (the default) or `estimate`. */
export async function getDistributions(knex: Knex, q: DistributionQuery): Promise<Distributions> {
  if (q.mode === 'estimate') {
    const estimate = await estimateDistributions(knex, q);
    return 'exactBecause' in estimate ? exactDistributions(knex, q, estimate.exactBecause) : estimate;
  }
  return exactDistributions(knex, q);
}
