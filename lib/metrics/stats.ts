// Summaries over seeds / episodes: mean, std, 95% confidence intervals, bootstrap.
import { makeRng } from '../util/random';

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1). 0 for n = 1. */
  std: number;
  /** Standard error std / sqrt(n). */
  sem: number;
  /** Half width of the 95% CI: t(0.975, n-1) * sem (Student t; use `z: true` for 1.96). */
  ci95: number;
  min: number;
  max: number;
}

// Two-sided 97.5% quantiles of Student's t for df 1..30; beyond that the normal 1.96 is used.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  return df <= 30 ? T975[df - 1] : 1.96;
}

/** mean, sample std, standard error and 95% CI half-width of a list of values (e.g. one per seed). */
export function summarize(values: ArrayLike<number>, o: { z?: boolean } = {}): Summary {
  const n = values.length;
  if (n === 0) throw new Error('summarize: no values');
  let s = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) { s += values[i]; min = Math.min(min, values[i]); max = Math.max(max, values[i]); }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const sem = std / Math.sqrt(n);
  const q = o.z ? 1.96 : n > 1 ? tQuantile975(n - 1) : NaN;
  return { n, mean, std, sem, ci95: n > 1 ? q * sem : NaN, min, max };
}

/** "mean ± ci95" (or ± std) formatted, e.g. for tables: `formatMeanCI(s, 2, 100)` -> "91.23 ± 0.41". */
export function formatMeanCI(s: Summary, digits = 2, scale = 1, use: 'ci95' | 'std' = 'ci95'): string {
  const half = use === 'ci95' ? s.ci95 : s.std;
  return `${(s.mean * scale).toFixed(digits)} ± ${Number.isNaN(half) ? '-' : (half * scale).toFixed(digits)}`;
}

/**
 * Percentile bootstrap CI of a statistic (default the mean): resample with replacement `resamples`
 * times with a seeded Rng. Returns the point estimate and the [alpha/2, 1 - alpha/2] percentiles.
 */
export function bootstrapCI(
  values: ArrayLike<number>,
  o: { statistic?: (v: Float64Array) => number; resamples?: number; alpha?: number; seed?: number } = {},
): { estimate: number; lo: number; hi: number } {
  const n = values.length;
  if (n === 0) throw new Error('bootstrapCI: no values');
  const stat = o.statistic ?? ((v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length);
  const B = o.resamples ?? 2000, alpha = o.alpha ?? 0.05;
  const rng = makeRng(o.seed ?? 0);
  const base = Float64Array.from(values as ArrayLike<number>);
  const stats = new Float64Array(B);
  const buf = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) buf[i] = base[rng.int(n)];
    stats[b] = stat(buf);
  }
  stats.sort();
  const q = (p: number) => {
    const pos = p * (B - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
    return stats[lo] + (stats[hi] - stats[lo]) * (pos - lo);
  };
  return { estimate: stat(base), lo: q(alpha / 2), hi: q(1 - alpha / 2) };
}
