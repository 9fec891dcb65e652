// Inference exactly as the thesis (2.2.2, Figure 2-4a):
//   large class y:  W[y] = phi(abar_y)                     (E_S[s_y] = abar_y pushed inside phi, Eq. 2.6)
//   novel class y:  V[y][i] = phi(a(x_{y,i})) per shot;  z_y(x) = max_i V[y][i] · a(x)
//   P(y|x) = softmax over all classes C = C_large ∪ C_few of z(x).
// Class order: large classes first, then novel; `classes` maps positions back to dataset labels.
// Options: novelAggregation 'mean' (one row phi(mean of shots): the authors' MiniImageNet 5-shot code),
// novelIncludeMean (add phi(mean of shots) to the max), normalizeQueryActivation + logitScale.
import * as tf from '@tensorflow/tfjs';
import type { ParamPredictor } from './param-predictor';
import { l2NormalizeRows } from './l2norm';

export interface NovelClass {
  label: number;
  /** Row-major [k, dim] activations of the shots. */
  shots: Float32Array;
}

export interface ClassifierOptions {
  novelAggregation?: 'max' | 'mean';
  novelIncludeMean?: boolean;
  /** Not in the thesis' default: L2-normalise a(x) and multiply logits by logitScale. */
  normalizeQueryActivation?: boolean;
  logitScale?: number;
}

export interface PredictedClassifier {
  dim: number;
  /** Dataset label of each class position. */
  classes: number[];
  numLarge: number;
  /** All predicted weight rows [R, dim]. */
  weights: tf.Tensor2D;
  /** Class position of every weight row. */
  rowClass: Int32Array;
  options: Required<ClassifierOptions>;
  dispose(): void;
}

function meanRows(rows: Float32Array, dim: number): Float32Array {
  const k = rows.length / dim;
  const out = new Float32Array(dim);
  for (let i = 0; i < k; i++) for (let j = 0; j < dim; j++) out[j] += rows[i * dim + j] / k;
  return out;
}

/**
 * Build the joint classifier. `largeMeans` [C_l, dim] are raw class means over all of D_large;
 * `largeLabels` their dataset labels. Adding a novel class costs one phi forward per shot.
 */
export function buildPredictedClassifier(
  phi: ParamPredictor, largeMeans: Float32Array, largeLabels: number[], novel: NovelClass[], opts: ClassifierOptions = {},
): PredictedClassifier {
  const dim = phi.config.dim;
  const o: Required<ClassifierOptions> = {
    novelAggregation: opts.novelAggregation ?? 'max', novelIncludeMean: opts.novelIncludeMean ?? false,
    normalizeQueryActivation: opts.normalizeQueryActivation ?? false, logitScale: opts.logitScale ?? 10,
  };
  if (o.novelAggregation !== 'max' && o.novelAggregation !== 'mean') throw new Error(`buildPredictedClassifier: unknown novelAggregation '${o.novelAggregation}' (use max | mean)`);
  if (largeMeans.length !== largeLabels.length * dim) throw new Error(`buildPredictedClassifier: largeMeans has ${largeMeans.length} values, expected ${largeLabels.length} x ${dim}`);
  const stats: Float32Array[] = [];
  const rowClass: number[] = [];
  for (let c = 0; c < largeLabels.length; c++) { stats.push(largeMeans.subarray(c * dim, (c + 1) * dim)); rowClass.push(c); }
  novel.forEach((nc, i) => {
    if (nc.shots.length === 0 || nc.shots.length % dim !== 0) throw new Error(`buildPredictedClassifier: novel class ${nc.label} shots must be a non-empty [k, ${dim}] matrix, got ${nc.shots.length} values`);
    const pos = largeLabels.length + i;
    const k = nc.shots.length / dim;
    if (o.novelAggregation === 'mean') { stats.push(meanRows(nc.shots, dim)); rowClass.push(pos); return; }
    for (let s = 0; s < k; s++) { stats.push(nc.shots.subarray(s * dim, (s + 1) * dim)); rowClass.push(pos); }
    if (o.novelIncludeMean && k > 1) { stats.push(meanRows(nc.shots, dim)); rowClass.push(pos); }
  });
  const classes = [...largeLabels, ...novel.map((n) => n.label)];
  if (new Set(classes).size !== classes.length) throw new Error(`buildPredictedClassifier: duplicate class labels [${classes}]`);
  const S = new Float32Array(stats.length * dim);
  stats.forEach((s, i) => S.set(s, i * dim));
  const weights = tf.tidy(() => phi.apply(tf.tensor2d(S, [stats.length, dim]), { training: false }) as tf.Tensor2D);
  return {
    dim, classes, numLarge: largeLabels.length, weights, rowClass: Int32Array.from(rowClass), options: o,
    dispose: () => weights.dispose(),
  };
}

/**
 * Per-class scores z [N, C] from row logits [N, R] and the row -> class map: the max over each class's
 * rows (the thesis' "maximal response"). Rows of one class need not be contiguous.
 */
export function maxOverClassRows(rowLogits: tf.Tensor2D, rowClass: Int32Array, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => {
    const cols: tf.Tensor[] = [];
    for (let c = 0; c < numClasses; c++) {
      const idx: number[] = [];
      rowClass.forEach((rc, r) => { if (rc === c) idx.push(r); });
      if (idx.length === 0) throw new Error(`maxOverClassRows: class position ${c} has no rows`);
      cols.push(idx.length === 1 ? tf.gather(rowLogits, idx, 1) : tf.max(tf.gather(rowLogits, idx, 1), 1, true));
    }
    return tf.concat(cols, 1) as tf.Tensor2D;
  });
}

/** Class scores z(x) [N, C] for query activations [N, dim] (raw a(x) by default). */
export function classifierScores(clf: PredictedClassifier, queries: tf.Tensor2D): tf.Tensor2D {
  if (queries.rank !== 2 || queries.shape[1] !== clf.dim) throw new Error(`classifierScores: expected queries [N, ${clf.dim}], got [${queries.shape}]`);
  return tf.tidy(() => {
    let q = queries;
    if (clf.options.normalizeQueryActivation) q = l2NormalizeRows(q);
    let rowLogits = tf.matMul(q, clf.weights, false, true) as tf.Tensor2D;
    if (clf.options.normalizeQueryActivation) rowLogits = tf.mul(rowLogits, clf.options.logitScale) as tf.Tensor2D;
    return maxOverClassRows(rowLogits, clf.rowClass, clf.classes.length);
  });
}
