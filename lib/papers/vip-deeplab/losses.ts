// ViP-DeepLab losses (spec §2.2, §2.5): bootstrapped (top-k%) weighted cross-entropy for semantics,
// weighted MSE for the center heatmap, weighted L1 for offsets and next-frame offsets, and the
// thesis's depth loss (eq. 7.4). Averaging (D, spec §2.2): weighted sum / number of pixels with
// non-zero weight.
import * as tf from '@tensorflow/tfjs';

function checkSame(what: string, a: tf.Tensor, b: tf.Tensor): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) throw new Error(`${what}: shapes differ, [${a.shape}] vs [${b.shape}]`);
}

/**
 * Weighted softmax cross-entropy over the hardest `topK` fraction of pixels of each image.
 * logits [N,H,W,K], labels int [N,H,W], weights [N,H,W] (0 = ignore). The top-k is taken over
 * the valid (weight > 0) pixels of each image (pitfall 16), k = ceil(topK * valid).
 */
export function bootstrappedCrossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D, weights: tf.Tensor3D, topK = 0.2): tf.Scalar {
  const [N, H, W, K] = logits.shape;
  if (!tf.util.arraysEqual(labels.shape, [N, H, W])) throw new Error(`bootstrappedCrossEntropy: labels must be [${N},${H},${W}], got [${labels.shape}]`);
  checkSame('bootstrappedCrossEntropy (labels vs weights)', labels, weights);
  if (!(topK > 0 && topK <= 1)) throw new Error(`bootstrappedCrossEntropy: topK must be in (0, 1], got ${topK}`);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(tf.reshape(logits, [N * H * W, K]));
    const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, K)), 1));
    const per = tf.reshape(tf.mul(nll, tf.reshape(weights, [-1])), [N, H * W]);
    if (topK >= 1) {
      const nz = tf.sum(tf.cast(tf.greater(weights, 0), 'float32'));
      return tf.div(tf.sum(per), tf.maximum(nz, 1)) as tf.Scalar;
    }
    // Threshold per image from the (gradient-free) values; the mask selects the hard pixels.
    const vals = per.dataSync(), w = weights.dataSync();
    const mask = new Float32Array(N * H * W);
    let count = 0;
    for (let n = 0; n < N; n++) {
      const idx: number[] = [];
      for (let i = 0; i < H * W; i++) if (w[n * H * W + i] > 0) idx.push(i);
      if (idx.length === 0) continue;
      const k = Math.ceil(topK * idx.length);
      idx.sort((a, b) => vals[n * H * W + b] - vals[n * H * W + a]);
      for (let j = 0; j < k; j++) mask[n * H * W + idx[j]] = 1;
      count += k;
    }
    return tf.div(tf.sum(tf.mul(per, tf.tensor2d(mask, [N, H * W]))), Math.max(count, 1)) as tf.Scalar;
  });
}

/** sum_i w_i * (p_i - t_i)^2 / #(w_i > 0). pred/target [N,H,W,1] or [N,H,W], weights [N,H,W]. */
export function weightedMse(pred: tf.Tensor, target: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  checkSame('weightedMse', pred, target);
  return tf.tidy(() => {
    const w = tf.reshape(weights, pred.shape);
    const nz = tf.sum(tf.cast(tf.greater(w, 0), 'float32'));
    return tf.div(tf.sum(tf.mul(w, tf.square(tf.sub(pred, target)))), tf.maximum(nz, 1)) as tf.Scalar;
  });
}

/**
 * L1 on (dy, dx) maps [N,H,W,2]: sum over pixels and both channels of w * |p - t|, divided by the
 * number of pixels with non-zero weight (D: deeplab2 also sums the two channels per pixel).
 */
export function weightedL1(pred: tf.Tensor4D, target: tf.Tensor4D, weights: tf.Tensor3D): tf.Scalar {
  checkSame('weightedL1', pred, target);
  return tf.tidy(() => {
    const w = tf.expandDims(weights, 3);
    const nz = tf.sum(tf.cast(tf.greater(weights, 0), 'float32'));
    return tf.div(tf.sum(tf.mul(w, tf.abs(tf.sub(pred, target)))), tf.maximum(nz, 1)) as tf.Scalar;
  });
}

/**
 * Depth loss of T eq. 7.4 on one image's valid pixels (gt > 0), natural log:
 * mean(e^2) - mean(e)^2 + sqrt(mean(((d - d^)/d)^2)), e = log d - log d^. Plain-number version.
 */
export function depthLossValue(gt: ArrayLike<number>, pred: ArrayLike<number>): number {
  if (gt.length !== pred.length) throw new Error(`depthLossValue: gt has ${gt.length} values, pred ${pred.length}`);
  let n = 0, se = 0, se2 = 0, rel = 0;
  for (let i = 0; i < gt.length; i++) {
    const d = gt[i];
    if (!(d > 0)) continue;
    const e = Math.log(d) - Math.log(pred[i]);
    n++; se += e; se2 += e * e; rel += ((d - pred[i]) / d) ** 2;
  }
  if (n === 0) return NaN;
  return se2 / n - (se * se) / (n * n) + Math.sqrt(rel / n);
}

/**
 * Tensor depth loss: eq. 7.4 per image over valid pixels (gt > 0), averaged over the images that
 * have any valid pixel (pitfall 16: images with n = 0 are skipped). gt/pred [N,H,W,1].
 */
export function depthLoss(pred: tf.Tensor, gt: tf.Tensor): tf.Scalar {
  checkSame('depthLoss', pred, gt);
  return tf.tidy(() => {
    const N = pred.shape[0];
    const p = tf.reshape(pred, [N, -1]), d = tf.reshape(gt, [N, -1]);
    const valid = tf.cast(tf.greater(d, 0), 'float32');
    const dSafe = tf.add(tf.mul(d, valid), tf.sub(1, valid)); // 1 where invalid: log 1 = 0, masked anyway
    const pSafe = tf.add(tf.mul(p, valid), tf.sub(1, valid));
    const n = tf.sum(valid, 1);
    const nSafe = tf.maximum(n, 1);
    const e = tf.mul(tf.sub(tf.log(dSafe), tf.log(pSafe)), valid);
    const t1 = tf.div(tf.sum(tf.square(e), 1), nSafe);
    const t2 = tf.div(tf.square(tf.sum(e, 1)), tf.square(nSafe));
    const rel = tf.div(tf.sum(tf.mul(tf.square(tf.div(tf.sub(dSafe, pSafe), dSafe)), valid), 1), nSafe);
    const t3 = tf.sqrt(tf.add(rel, 1e-12)); // epsilon keeps the sqrt's gradient finite at 0
    const per = tf.add(tf.sub(t1, t2), t3);
    const has = tf.cast(tf.greater(n, 0), 'float32');
    return tf.div(tf.sum(tf.mul(per, has)), tf.maximum(tf.sum(has), 1)) as tf.Scalar;
  });
}
