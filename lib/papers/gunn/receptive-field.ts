// Receptive field per partition (spec 2.2 [derived]): with one 3x3 conv per unit, output partition k
// (1-based) of a GUNN layer sees a (2k+1) x (2k+1) window of the layer input; every SUNN partition
// sees 3 x 3. Measured, not assumed: the gradient of partition k at the centre pixel w.r.t. the input.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { GunnLayer } from './layer';

export interface ReceptiveField {
  /** 1-based partition index. */
  partition: number;
  width: number;
  height: number;
}

/**
 * Support of d(sum of partition k at the centre pixel)/d(input), unioned over `trials` random
 * inputs (so a ReLU that happens to be off at one input cannot shrink it). BN in eval mode: in
 * training mode batch statistics couple every pixel and the support would be the whole image.
 */
export function receptiveFieldProbe(layer: GunnLayer, o: { size?: number; trials?: number; rng: Rng }): ReceptiveField[] {
  const size = o.size ?? 16, trials = o.trials ?? 3;
  const c = Math.floor(size / 2);
  const n = layer.N / layer.P;
  const out: ReceptiveField[] = [];
  for (let k = 0; k < layer.P; k++) {
    const support = new Uint8Array(size * size);
    for (let t = 0; t < trials; t++) {
      const g = tf.tidy(() => {
        const x = tf.randomNormal([1, size, size, layer.N], 0, 1, 'float32', o.rng.seed());
        return tf.grad((xx: tf.Tensor) => tf.sum(tf.slice(layer.apply(xx, { training: false }), [0, c, c, k * n], [1, 1, 1, n])))(x);
      });
      const abs = tf.tidy(() => tf.sum(tf.abs(g), [0, 3]));
      const v = abs.dataSync();
      for (let i = 0; i < v.length; i++) if (v[i] > 0) support[i] = 1;
      g.dispose();
      abs.dispose();
    }
    let r0 = size, r1 = -1, c0 = size, c1 = -1;
    for (let r = 0; r < size; r++) for (let col = 0; col < size; col++) {
      if (!support[r * size + col]) continue;
      r0 = Math.min(r0, r); r1 = Math.max(r1, r); c0 = Math.min(c0, col); c1 = Math.max(c1, col);
    }
    out.push({ partition: k + 1, width: c1 >= c0 ? c1 - c0 + 1 : 0, height: r1 >= r0 ? r1 - r0 + 1 : 0 });
  }
  return out;
}
