// Accuracy bookkeeping of the thesis tables: top-k over ALL classes C, reported separately for test
// images of C_large and of C_few (spec pitfall 19: both ranked among every class), and episode
// mean ± 95% confidence interval (1.96 · std / sqrt(T), sample std with T-1: our documented choice).
import * as tf from '@tensorflow/tfjs';
import type { Features } from './features';
import { summarize } from '../../metrics/stats';

/** Score matrix kept on the JS side: row-major [N, C], column c = class position c. */
export interface Scores { values: Float32Array; numClasses: number }

/** Run `score` over query rows in chunks (bounded memory), collect [N, C] on the JS side. */
export function scoreInChunks(queries: Features, score: (q: tf.Tensor2D) => tf.Tensor2D, chunk = 1024): Scores {
  const N = queries.labels.length;
  let out: Float32Array | null = null;
  let C = 0;
  for (let s = 0; s < N; s += chunk) {
    const e = Math.min(N, s + chunk);
    const q = tf.tensor2d(queries.x.subarray(s * queries.dim, e * queries.dim), [e - s, queries.dim]);
    const z = score(q);
    q.dispose();
    if (!out) { C = z.shape[1]; out = new Float32Array(N * C); }
    out.set(z.dataSync(), s * C);
    z.dispose();
  }
  return { values: out ?? new Float32Array(0), numClasses: C };
}

/**
 * Whether the true class position is among the k highest scores. Only strictly higher scores outrank
 * it (a tie resolves in its favour); lib/metrics topKAccuracy instead breaks ties toward the lower
 * class index, which is why this file keeps its own top-k.
 */
export function inTopK(scores: Scores, row: number, truePos: number, k: number): boolean {
  const C = scores.numClasses;
  const v = scores.values;
  const t = v[row * C + truePos];
  let higher = 0;
  for (let c = 0; c < C; c++) if (c !== truePos && v[row * C + c] > t) higher++;
  return higher < k;
}

/**
 * Top-k accuracy of query rows whose dataset label is in `subset` (all rows when omitted).
 * `classes` maps class positions to dataset labels; a label outside `classes` is an error.
 */
export function topKAccuracy(scores: Scores, labels: Int32Array, classes: number[], k: number, subset?: number[]): number {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKAccuracy: k must be a positive integer, got ${k}`);
  if (scores.values.length !== labels.length * scores.numClasses) throw new Error(`topKAccuracy: ${labels.length} labels but scores hold ${scores.values.length / Math.max(1, scores.numClasses)} rows`);
  if (classes.length !== scores.numClasses) throw new Error(`topKAccuracy: ${classes.length} class labels for ${scores.numClasses} score columns`);
  const pos = new Map(classes.map((c, i) => [c, i]));
  const keep = subset ? new Set(subset) : null;
  let hit = 0; let n = 0;
  for (let r = 0; r < labels.length; r++) {
    if (keep && !keep.has(labels[r])) continue;
    const p = pos.get(labels[r]);
    if (p === undefined) throw new Error(`topKAccuracy: label ${labels[r]} is not one of the classifier's classes [${classes}]`);
    n++;
    if (inTopK(scores, r, p, k)) hit++;
  }
  if (n === 0) throw new Error('topKAccuracy: no query rows in the requested subset');
  return hit / n;
}

export interface MeanCI { mean: number; ci95: number; std: number; count: number }

/** mean ± 1.96 · s / sqrt(T) with the sample standard deviation s (T-1); 0 for a single episode. */
export function meanCI95(values: number[]): MeanCI {
  const T = values.length;
  if (T === 0) throw new Error('meanCI95: no values');
  // lib/metrics summarize gives mean and sample std; its own ci95 uses Student t (NaN for T = 1),
  // the thesis tables use the normal 1.96, so the half-width is formed here.
  const { mean, std } = summarize(values);
  return { mean, std, count: T, ci95: (1.96 * std) / Math.sqrt(T) };
}

/** mean and sample std (for spreads over seeds / shot draws). */
export function meanStd(values: number[]): { mean: number; std: number } {
  const r = meanCI95(values);
  return { mean: r.mean, std: r.std };
}
