// The row every benchmark prints: a result beside a baseline measured in the same run.
export type Result = { name: string; value: string; baseline: string; baselineValue: string; ratio: string };

export function table(rows: Result[]): string {
  const head = ['benchmark', 'result', 'baseline', 'baseline result', 'ratio'];
  const cells = [head, ...rows.map((r) => [r.name, r.value, r.baseline, r.baselineValue, r.ratio])];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * How much faster a result took than its baseline (both in the same unit): "2.13x faster", or
 * "1.06x slower" when it took longer, so that a ratio under one never reads as a gain.
 */
export function speed(baseline: number, result: number, digits = 2): string {
  const r = baseline / result;
  return r >= 1 ? `${r.toFixed(digits)}x faster` : `${(1 / r).toFixed(digits)}x slower`;
}
