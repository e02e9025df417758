// How the vector health page writes numbers: grouped counts, human sizes, and estimates that say so.
import type { Estimate } from '@/lib/schemas/vector-health';

export const count = (n: number) => Math.round(n).toLocaleString('en-US');

export function bytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${count(v)} bytes` : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '—';
  if (part <= 0) return '0%';
  const p = (100 * part) / whole;
  return `${p > 0 && p < 0.1 ? '<0.1' : p.toFixed(p < 10 ? 1 : 0)}%`;
}

export function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n >= 10 ? Math.round(n) : n.toFixed(1)} ms`;
}

/** "1,204" when exact; "≈ 1,204" with the reason when estimated. */
export function estimateText(e: Estimate | null): { text: string; how: string | null } {
  if (!e) return { text: '—', how: 'unknown: the table has no statistics yet (run ANALYZE)' };
  if (e.method === 'exact') return { text: count(e.value), how: null };
  if (e.method === 'statistics') return { text: `≈ ${count(e.value)}`, how: 'estimate from the planner statistics' };
  return {
    text: `≈ ${count(e.value)}`,
    how: `estimate: ${count(e.sampleHits ?? 0)} in a sample of ${count(e.sampleRows ?? 0)} rows`,
  };
}
