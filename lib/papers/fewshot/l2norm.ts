// L2 normalisation of rows, x / sqrt(max(sum x^2, 1e-12)) (spec pitfall 22: never divide by a zero norm).
import * as tf from '@tensorflow/tfjs';

export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1, true);
    return tf.div(x, tf.sqrt(tf.maximum(sq, 1e-12))) as tf.Tensor2D;
  });
}

/** The same on a plain vector (JS side). */
export function l2NormalizeVec(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const d = Math.sqrt(Math.max(s, 1e-12));
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / d;
  return out;
}
