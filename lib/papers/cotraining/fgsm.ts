// FGSM (Goodfellow et al. 2015, thesis ref [94]) as DCT's adversarial generator g_i (thesis §3.2.2).
// The result is a constant: built outside any gradient tape, so nothing flows back through sign().
import * as tf from '@tensorflow/tfjs';
import type { Layer } from '../../nn/types';
import { withFrozenBatchStats } from '../../nn/layers';
import type { Rng } from '../../util/random';
import { rowCrossEntropy } from './losses';

export type AttackMode = 'eval' | 'train';

export interface FgsmOptions {
  /** Step size in input units. Not given in the thesis; default 0.02 on [0,1] pixels [choice, spec §2.4]. */
  eps: number;
  /** Clip range of valid inputs ([0,1] for images); null = no clipping (2-D toy) [choice]. */
  clip?: [number, number] | null;
  /**
   * 'eval' (default [choice]): inference mode, BN running statistics, no dropout/noise, so the
   * direction is deterministic and BN statistics are untouched. 'train': training-mode forward with
   * BN running statistics frozen (needs rng for stochastic layers).
   */
  mode?: AttackMode;
  rng?: Rng;
}

/**
 * g(x) = clip(x + eps * sign(grad_x H(t, p(x)))), targets one-hot [N, C]. Gradient of the mean CE
 * (the 1/N factor does not change the sign). Model variables and BN statistics are not modified.
 */
export function fgsm(model: Layer, x: tf.Tensor, targets: tf.Tensor, o: FgsmOptions): tf.Tensor {
  if (!(o.eps >= 0) || !Number.isFinite(o.eps)) throw new Error(`fgsm: eps must be a finite number >= 0, got ${o.eps}`);
  if (targets.rank !== 2 || targets.shape[0] !== x.shape[0]) {
    throw new Error(`fgsm: targets must be one-hot [${x.shape[0]}, C], got [${targets.shape.join(', ')}]`);
  }
  const mode = o.mode ?? 'eval';
  if (mode !== 'eval' && mode !== 'train') throw new Error(`fgsm: unknown attack mode '${mode}' (use 'eval' or 'train')`);
  const training = mode === 'train';
  const adv = tf.tidy(() => {
    const lossOf = (xi: tf.Tensor) => tf.mean(rowCrossEntropy(targets, model.apply(xi, { training, rng: o.rng })));
    const g = withFrozenBatchStats(() => tf.grad(lossOf)(x));
    let a = tf.add(x, tf.mul(tf.sign(g), o.eps));
    if (o.clip) a = tf.clipByValue(a, o.clip[0], o.clip[1]);
    return a;
  });
  // Re-materialise from values: a constant with no history, even when called under an outer tape
  // (nothing can flow back through sign(), spec §2.4).
  const out = tf.tensor(adv.dataSync() as Float32Array, adv.shape, 'float32');
  adv.dispose();
  return out;
}

/** Which label FGSM aims away from (spec §2.4 [choice]). */
export type AttackTargets = 'label-for-labelled' | 'predicted-for-all';

/**
 * FGSM targets for a stream batch [x_s; x_u]: the true one-hot labels for the first `yS.length` rows
 * (labelled part) and the one-hot argmax of the attacked network's own prediction for the rest.
 * `'predicted-for-all'` uses the argmax everywhere.
 */
export function attackTargets(cleanLogits: tf.Tensor, yS: tf.Tensor | null, how: AttackTargets = 'label-for-labelled'): tf.Tensor2D {
  const [n, c] = cleanLogits.shape as [number, number];
  return tf.tidy(() => {
    const pred = tf.oneHot(tf.argMax(cleanLogits, 1) as tf.Tensor1D, c);
    const b = yS ? yS.shape[0] : 0;
    if (how === 'predicted-for-all' || b === 0) return tf.cast(pred, 'float32') as tf.Tensor2D;
    if (how !== 'label-for-labelled') throw new Error(`attackTargets: unknown option '${how}'`);
    if (b > n) throw new Error(`attackTargets: ${b} labels for a batch of ${n}`);
    const lab = tf.oneHot(tf.cast(yS as tf.Tensor, 'int32') as tf.Tensor1D, c);
    const rest = tf.slice(pred, [b, 0], [n - b, c]);
    return tf.cast(tf.concat([lab, rest], 0), 'float32') as tf.Tensor2D;
  });
}
