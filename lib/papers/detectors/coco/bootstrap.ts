// Paired bootstrap over images for COCO metrics. AP is not a mean over images, so we resample image
// indices (with replacement), re-run accumulate() on each model's per-image matches with the SAME
// indices, and read percentile intervals of each model's metric and of its difference to a reference.
import { makeRng } from '../../../util/random';
import type { BoxEvalResult, EvalState } from './types';
import { accumulateEval } from './eval';

export type CocoMetric = 'AP' | 'AP50' | 'AP75' | 'APs' | 'APm' | 'APl' | 'AR1' | 'AR10' | 'AR100' | 'ARs' | 'ARm' | 'ARl';

export interface BootstrapOptions {
  /** Number of resamples (spec §7: 200). */
  resamples?: number;
  /** Two-sided level of the percentile interval (spec §7: 0.90). */
  level?: number;
  seed?: number;
  /** Metrics to report; default ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl']. */
  metrics?: CocoMetric[];
  /** Index of the model the deltas are taken against. Default 0. */
  reference?: number;
}

export interface Interval { estimate: number; lo: number; hi: number }

export interface BootstrapResult {
  /** Per model, per metric: the full-data value and the percentile interval. */
  models: Record<string, Interval>[];
  /** Per model, per metric: model minus reference (paired), estimate + interval; the reference's own row is 0. */
  deltas: Record<string, Interval>[];
  /** Per model, per metric: fraction of resamples where the model beat the reference. */
  pBetter: Record<string, number>[];
  resamples: number;
  level: number;
}

/** Linear-interpolated percentile (same rule as lib/metrics bootstrapCI), NaN-free input assumed. */
function percentile(sorted: Float64Array, p: number): number {
  const pos = p * (sorted.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Paired bootstrap of COCO metrics over images for several models evaluated on the same ground
 * truth (states from `prepareEval`, same imgIds). A resample where a metric is -1 (e.g. no large
 * GT drawn) is skipped for that metric.
 */
export function bootstrapCocoEval(states: EvalState[], o: BootstrapOptions = {}): BootstrapResult {
  if (states.length === 0) throw new Error('bootstrapCocoEval: needs at least one EvalState');
  const ids = states[0].params.imgIds;
  states.forEach((s, i) => {
    if (s.params.imgIds.length !== ids.length || s.params.imgIds.some((id, j) => id !== ids[j])) {
      throw new Error(`bootstrapCocoEval: state ${i} was evaluated on other images than state 0 (paired resampling needs the same imgIds)`);
    }
  });
  const B = o.resamples ?? 200, level = o.level ?? 0.9, ref = o.reference ?? 0;
  if (!(Number.isInteger(B) && B >= 2)) throw new Error(`bootstrapCocoEval: resamples must be an integer >= 2, got ${B}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapCocoEval: level must be in (0, 1), got ${level}`);
  if (!(Number.isInteger(ref) && ref >= 0 && ref < states.length)) throw new Error(`bootstrapCocoEval: reference ${ref} is not a state index`);
  const metrics = o.metrics ?? ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl'];
  const rng = makeRng(o.seed ?? 0);
  const n = ids.length;
  const full = states.map((s) => accumulateEval(s));
  // only the (area, maxDets) cells the requested metrics read: AP* use maxDets[2], AR1/AR10 [0]/[1]
  const cell: Record<CocoMetric, [number, number]> = {
    AP: [0, 2], AP50: [0, 2], AP75: [0, 2], APs: [1, 2], APm: [2, 2], APl: [3, 2],
    AR1: [0, 0], AR10: [0, 1], AR100: [0, 2], ARs: [1, 2], ARm: [2, 2], ARl: [3, 2],
  };
  for (const m of metrics) if (!(m in cell)) throw new Error(`bootstrapCocoEval: unknown metric '${m}' (known: ${Object.keys(cell).join(', ')})`);
  const only = [...new Set(metrics.map((m) => cell[m].join(',')))].map((k) => k.split(',').map(Number) as [number, number]);
  const samples: number[][][] = states.map(() => metrics.map(() => []));
  const deltas: number[][][] = states.map(() => metrics.map(() => []));
  const better: number[][] = states.map(() => metrics.map(() => 0));
  const counted: number[][] = states.map(() => metrics.map(() => 0));
  const idx = new Int32Array(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    const rs: BoxEvalResult[] = states.map((s) => accumulateEval(s, idx, undefined, only));
    metrics.forEach((m, j) => {
      const r0 = rs[ref][m];
      rs.forEach((r, k) => {
        const v = r[m];
        if (v === -1) return;
        samples[k][j].push(v);
        if (r0 === -1) return;
        deltas[k][j].push(v - r0);
        counted[k][j]++;
        if (v > r0) better[k][j]++;
      });
    });
  }
  const a = (1 - level) / 2;
  const interval = (est: number, vals: number[]): Interval => {
    if (vals.length < 2) return { estimate: est, lo: NaN, hi: NaN };
    const s = Float64Array.from(vals).sort();
    return { estimate: est, lo: percentile(s, a), hi: percentile(s, 1 - a) };
  };
  return {
    models: states.map((_, k) => Object.fromEntries(metrics.map((m, j) => [m, interval(full[k][m], samples[k][j])]))),
    deltas: states.map((_, k) => Object.fromEntries(metrics.map((m, j) => {
      const est = full[k][m] === -1 || full[ref][m] === -1 ? NaN : full[k][m] - full[ref][m];
      return [m, interval(est, deltas[k][j])];
    }))),
    pBetter: states.map((_, k) => Object.fromEntries(metrics.map((m, j) => [m, counted[k][j] ? better[k][j] / counted[k][j] : NaN]))),
    resamples: B, level,
  };
}
