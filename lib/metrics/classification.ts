// Classification metrics on plain arrays or tensors (read once, then plain TS).
import * as tf from '@tensorflow/tfjs';

type IntLike = ArrayLike<number> | tf.Tensor;

function toArray(a: IntLike): ArrayLike<number> {
  return a instanceof tf.Tensor ? a.dataSync() : a;
}

/** Top-1 accuracy: predictions (class indices) or logits [N, C] vs labels [N]. */
export function accuracy(predOrLogits: IntLike, labels: IntLike): number {
  if (predOrLogits instanceof tf.Tensor && predOrLogits.rank === 2) return topKAccuracy(predOrLogits, labels, 1);
  const p = toArray(predOrLogits), y = toArray(labels);
  if (p.length !== y.length) throw new Error(`accuracy: ${p.length} predictions vs ${y.length} labels`);
  if (p.length === 0) throw new Error('accuracy: no examples');
  let c = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === y[i]) c++;
  return c / p.length;
}

/**
 * Top-k accuracy of scores [N, C] (tensor or row-major array with `numClasses`): the label is
 * among the k highest scores. Ties are broken toward the lower class index (like argmax).
 */
export function topKAccuracy(scores: tf.Tensor | ArrayLike<number>, labels: IntLike, k: number, numClasses?: number): number {
  let s: ArrayLike<number>, n: number, c: number;
  if (scores instanceof tf.Tensor) {
    if (scores.rank !== 2) throw new Error(`topKAccuracy: expected scores [N, C], got [${scores.shape}]`);
    [n, c] = scores.shape as [number, number];
    s = scores.dataSync();
  } else {
    if (!numClasses) throw new Error('topKAccuracy: give numClasses with a flat score array');
    c = numClasses; n = scores.length / c; s = scores;
  }
  const y = toArray(labels);
  if (y.length !== n) throw new Error(`topKAccuracy: ${n} score rows vs ${y.length} labels`);
  if (!(k >= 1 && k <= c)) throw new Error(`topKAccuracy: k must be in [1, ${c}], got ${k}`);
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const t = y[i], st = s[i * c + t];
    // rank = number of classes that beat the true class (strictly higher, or equal with lower index)
    let rank = 0;
    for (let j = 0; j < c && rank < k; j++) {
      const v = s[i * c + j];
      if (v > st || (v === st && j < t)) rank++;
    }
    if (rank < k) hit++;
  }
  return hit / n;
}

/** Confusion matrix counts[true][pred] as a flat Int32Array (row-major) plus its size. */
export function confusionMatrix(pred: IntLike, labels: IntLike, numClasses: number): { counts: Int32Array; numClasses: number; rows: number[][] } {
  const p = toArray(pred), y = toArray(labels);
  if (p.length !== y.length) throw new Error(`confusionMatrix: ${p.length} predictions vs ${y.length} labels`);
  const counts = new Int32Array(numClasses * numClasses);
  for (let i = 0; i < p.length; i++) {
    if (!(y[i] >= 0 && y[i] < numClasses && p[i] >= 0 && p[i] < numClasses)) {
      throw new Error(`confusionMatrix: class out of [0, ${numClasses}) at ${i} (label ${y[i]}, prediction ${p[i]})`);
    }
    counts[y[i] * numClasses + p[i]]++;
  }
  const rows = Array.from({ length: numClasses }, (_, r) => Array.from(counts.subarray(r * numClasses, (r + 1) * numClasses)));
  return { counts, numClasses, rows };
}

/** Per-class recall (accuracy on each true class) from a confusion matrix; NaN for absent classes. */
export function perClassAccuracy(cm: { counts: Int32Array; numClasses: number }): number[] {
  const k = cm.numClasses;
  return Array.from({ length: k }, (_, r) => {
    let tot = 0;
    for (let j = 0; j < k; j++) tot += cm.counts[r * k + j];
    return tot === 0 ? NaN : cm.counts[r * k + r] / tot;
  });
}

/** argmax per row of [N, C] scores -> Int32Array [N]. */
export function argmaxRows(scores: tf.Tensor): Int32Array {
  const p = tf.tidy(() => tf.argMax(scores, 1));
  const out = Int32Array.from(p.dataSync());
  p.dispose();
  return out;
}
