import 'server-only';
// How many evaluations match a filter: exact when PostgreSQL can count them within a short
// budget, otherwise the planner's estimate, labelled as such.
import type { Knex } from 'knex';
import type { EvaluationFilters, MatchCount } from '../schemas/evaluations';
import { applyFilters } from './filters';
import { readOnly } from './read';

/**
 * How long an exact count may take before the estimate stands in for it. Generous, because the
 * planner misjudges some filters badly (the orphan anti-joins, text in the summary), and the
 * count is a request of its own that the page does not wait for.
 */
export const EXACT_COUNT_BUDGET_MS = 1_500;

type PlanNode = { 'Plan Rows': number };

export async function countMatching(
  knex: Knex,
  filters: Partial<EvaluationFilters>,
  budgetMs = EXACT_COUNT_BUDGET_MS,
): Promise<MatchCount> {
  return readOnly(knex, async (trx) => {
    try {
      // A savepoint, so that a cancelled count leaves the transaction usable for the estimate.
      const n = await trx.transaction(async (sp) => {
        await sp.raw("SELECT set_config('statement_timeout', ?, true)", [String(budgetMs)]);
        const r = (await applyFilters(sp('content_evaluations as e'), filters, 'e').count({ n: '*' })) as { n: string }[];
        return Number(r[0]!.n);
      });
      return { count: n, estimated: false };
    } catch (err) {
      if ((err as { code?: unknown }).code !== '57014') throw err;
    }
    return { count: await estimateMatching(trx, filters), estimated: true };
  });
}

/** The planner's estimate of the matching rows (from the table's statistics; no rows are read). */
export async function estimateMatching(trx: Knex, filters: Partial<EvaluationFilters>): Promise<number> {
  const { sql, bindings } = applyFilters(trx('content_evaluations as e'), filters, 'e').select('e.id').toSQL();
  const plan = await trx.raw<{ rows: { 'QUERY PLAN': { Plan: PlanNode }[] }[] }>(`EXPLAIN (FORMAT JSON) ${sql}`, bindings as Knex.RawBinding[]);
  return Math.round(plan.rows[0]!['QUERY PLAN'][0]!.Plan['Plan Rows']);
}
