import 'server-only';
// An evaluations page's URL checked as the API checks it, so that the page can say once what is
// wrong with it (and not offer a CSV export or charts the API would refuse).
import type { z } from 'zod';
import type { QueryProblem } from '../schemas/evaluations';

export function checkQuery<T extends z.ZodType>(
  schema: T,
  params: URLSearchParams,
): { ok: true; data: z.infer<T> } | { ok: false; problem: QueryProblem } {
  const parsed = schema.safeParse(Object.fromEntries(params));
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? String(issue.path[0]) : '';
  return { ok: false, problem: { field, value: field ? params.get(field) : null, message: issue?.message ?? 'is not valid' } };
}
