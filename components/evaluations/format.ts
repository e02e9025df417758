// How the evaluation pages print numbers.
import type { Score } from '@/lib/schemas/evaluations';

const grouped = new Intl.NumberFormat('en-US');

export function fmtCount(n: number): string {
  return grouped.format(n);
}

/** Scores with three decimals; NaN and infinities as PostgreSQL prints them. */
export function fmtScore(v: Score | undefined, digits = 3): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' ? v.toFixed(digits) : v;
}
