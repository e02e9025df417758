// How sure a recall measurement is. Recall@k over q queries is hits out of q × k neighbour pairs,
// but the pairs of one query are not independent (a query in a sparse region misses several at
// once), so the interval is the wider of two: Wilson's on the pairs, and the mean of the queries'
// own recalls with Student's t. Pure functions, so that the tests can pin them.

const Z95 = 1.959964;
// Student's t, 97.5th percentile, for 1 to 30 degrees of freedom.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function t95(df: number): number {
  if (df < 1) return Infinity;
  if (df <= T95.length) return T95[df - 1]!;
  // Cornish-Fisher: within 0.001 of the table's values from 30 degrees of freedom on.
  return Z95 + (Z95 ** 3 + Z95) / (4 * df) + (5 * Z95 ** 5 + 16 * Z95 ** 3 + 3 * Z95) / (96 * df * df);
}

/** Wilson's 95% interval for `hits` successes out of `n`. */
export function wilson(hits: number, n: number): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = hits / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At 0 and at n the bound is exactly 0 or 1; the arithmetic would land a rounding error short.
  return { low: hits <= 0 ? 0 : Math.max(0, centre - half), high: hits >= n ? 1 : Math.min(1, centre + half) };
}

export type RecallUncertainty = {
  /** 95% interval of the recall. */
  low: number;
  high: number;
  /** Neighbour pairs compared: queries × k (fewer where the table had fewer than k rows). */
  pairs: number;
  /** Queries a measurement needs for a 95% interval of about ±0.02. */
  queriesForTwoHundredths: number;
};

/** The uncertainty of a recall measured as `recalls` (one per query), `hits` out of `pairs`. */
export function recallUncertainty(recalls: number[], hits: number, pairs: number, k: number): RecallUncertainty {
  const q = recalls.length;
  const w = wilson(hits, pairs);
  let low = w.low;
  let high = w.high;
  let sd = 0;
  if (q >= 2) {
    const mean = recalls.reduce((a, b) => a + b, 0) / q;
    sd = Math.sqrt(recalls.reduce((a, r) => a + (r - mean) ** 2, 0) / (q - 1));
    const half = (t95(q - 1) * sd) / Math.sqrt(q);
    low = Math.min(low, Math.max(0, mean - half));
    high = Math.max(high, Math.min(1, mean + half));
  } else {
    low = 0;
    high = 1;
  }
  // Pairs: Agresti-Coull's p, so that a measured 1.000 still asks for enough queries to show it.
  const p = (hits + Z95 ** 2 / 2) / (pairs + Z95 ** 2);
  const byPairs = Math.ceil(((Z95 ** 2 * p * (1 - p)) / 0.02 ** 2) / Math.max(1, k));
  const bySpread = Math.ceil(((Z95 * sd) / 0.02) ** 2);
  return { low, high, pairs, queriesForTwoHundredths: Math.max(byPairs, bySpread, 1) };
}
