// Classification losses on logits. Labels are int class indices ([N] int32 tensor or number[]).
import * as tf from '@tensorflow/tfjs';

function toLabels(labels: tf.Tensor | number[] | Int32Array, n: number, numClasses: number): tf.Tensor1D {
  const t = labels instanceof tf.Tensor ? labels : tf.tensor1d(Array.from(labels), 'int32');
  if (t.rank !== 1 || t.shape[0] !== n) {
    throw new Error(`softmaxCrossEntropy: expected labels [${n}] (int class indices), got [${t.shape.join(', ')}]`);
  }
  void numClasses;
  return (t.dtype === 'int32' ? t : tf.cast(t, 'int32')) as tf.Tensor1D;
}

/**
 * Mean softmax cross-entropy of logits [N, C] and int labels [N]: -mean(logSoftmax(z)[i, y_i]).
 * `labelSmoothing` e mixes the one-hot target with the uniform (PyTorch's label_smoothing).
 * `reduction: 'none'` returns the per-example losses [N].
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor, labels: tf.Tensor | number[] | Int32Array,
  o: { labelSmoothing?: number; reduction?: 'mean' | 'sum' | 'none'; weights?: tf.Tensor } = {},
): tf.Tensor {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: expected logits [N, C], got [${logits.shape.join(', ')}]`);
  const [n, c] = logits.shape as [number, number];
  return tf.tidy(() => {
    const y = toLabels(labels, n, c);
    const logp = tf.logSoftmax(logits as tf.Tensor2D);
    let target = tf.oneHot(y, c) as tf.Tensor;
    const e = o.labelSmoothing ?? 0;
    if (e > 0) target = tf.add(tf.mul(target, 1 - e), e / c);
    let per = tf.neg(tf.sum(tf.mul(target, logp), 1));
    if (o.weights) per = tf.mul(per, o.weights);
    const r = o.reduction ?? 'mean';
    return r === 'none' ? per : r === 'sum' ? tf.sum(per) : tf.mean(per);
  });
}

/** Cross-entropy with a soft target distribution q [N, C] (treated as given): mean of -sum q log softmax(z). */
export function softCrossEntropy(q: tf.Tensor, logits: tf.Tensor, temperature = 1): tf.Scalar {
  if (q.rank !== 2 || !tf.util.arraysEqual(q.shape, logits.shape)) {
    throw new Error(`softCrossEntropy: target [${q.shape}] and logits [${logits.shape}] must both be [N, C]`);
  }
  return tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(q, tf.logSoftmax(tf.div(logits, temperature) as tf.Tensor2D)), 1))) as tf.Scalar);
}

/** Mean KL(p || q) for logits zp, zq [N, C] at temperature T. */
export function klDivLogits(zp: tf.Tensor, zq: tf.Tensor, temperature = 1): tf.Scalar {
  return tf.tidy(() => {
    const lp = tf.logSoftmax(tf.div(zp, temperature) as tf.Tensor2D);
    const lq = tf.logSoftmax(tf.div(zq, temperature) as tf.Tensor2D);
    return tf.mean(tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), 1)) as tf.Scalar;
  });
}
