// The three terms of the Deep Co-Training objective (thesis eqs. 3.3-3.5, Algorithm 1 lines 3-5).
// Everything is computed from logits via logSoftmax (spec pitfall 19); the JSD mixture is taken in
// log space so confident predictions never hit log(0).
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../../nn/ops';

function check2d(what: string, ...ts: tf.Tensor[]): void {
  for (const t of ts) {
    if (t.rank !== 2) throw new Error(`${what}: expected [N, C] logits, got [${t.shape.join(', ')}]`);
    if (!tf.util.arraysEqual(t.shape, ts[0].shape)) throw new Error(`${what}: shapes [${ts[0].shape}] and [${t.shape}] differ`);
  }
}

/** H(softmax(z)) = -sum p log p per row: [N, C] -> [N] (natural log). */
export function softmaxEntropy(logits: tf.Tensor): tf.Tensor1D {
  check2d('softmaxEntropy', logits);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits as tf.Tensor2D);
    return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
  });
}

/** H(t, softmax(z)) = -sum t log q per row, target distribution first: [N, C] x2 -> [N]. */
export function rowCrossEntropy(target: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  check2d('rowCrossEntropy', target, logits);
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits as tf.Tensor2D)), 1)) as tf.Tensor1D);
}

/**
 * Jensen-Shannon divergence of softmax(z1) and softmax(z2) per row (eq. 3.4):
 * H((p1+p2)/2) - (H(p1)+H(p2))/2, computed as 0.5 KL(p1||m) + 0.5 KL(p2||m) with
 * log m = logAddExp(logp1, logp2) - ln 2. In [0, ln 2].
 */
export function jsDivergence(z1: tf.Tensor, z2: tf.Tensor): tf.Tensor1D {
  check2d('jsDivergence', z1, z2);
  return tf.tidy(() => {
    const l1 = tf.logSoftmax(z1 as tf.Tensor2D), l2 = tf.logSoftmax(z2 as tf.Tensor2D);
    const mx = tf.maximum(l1, l2);
    const logm = tf.sub(tf.add(mx, tf.log(tf.add(tf.exp(tf.sub(l1, mx)), tf.exp(tf.sub(l2, mx))))), Math.LN2);
    const kl1 = tf.sum(tf.mul(tf.exp(l1), tf.sub(l1, logm)), 1);
    const kl2 = tf.sum(tf.mul(tf.exp(l2), tf.sub(l2, logm)), 1);
    // Rounding can leave tiny negatives when p1 == p2; the divergence is >= 0 by definition.
    return tf.relu(tf.mul(tf.add(kl1, kl2), 0.5)) as tf.Tensor1D;
  });
}

/** L_sup = (1/b) [sum_{b1} H(y, p1) + sum_{b2} H(y, p2)]: the sum of the two per-view mean CEs (eq. 3.3). */
export function supervisedLoss(logits1: tf.Tensor, y1: tf.Tensor, logits2: tf.Tensor, y2: tf.Tensor): tf.Scalar {
  if (logits1.shape[0] !== logits2.shape[0]) {
    throw new Error(`supervisedLoss: the two views need labelled batches of equal size b, got ${logits1.shape[0]} and ${logits2.shape[0]}`);
  }
  const c = logits1.shape[1] as number;
  return tf.tidy(() => {
    const t1 = tf.oneHot(tf.cast(y1, 'int32') as tf.Tensor1D, c), t2 = tf.oneHot(tf.cast(y2, 'int32') as tf.Tensor1D, c);
    return tf.add(tf.mean(rowCrossEntropy(t1, logits1)), tf.mean(rowCrossEntropy(t2, logits2))) as tf.Scalar;
  });
}

/** L_cot = mean over the shared unlabelled batch of JSD(p1(x), p2(x)) (Algorithm 1 line 4). */
export function coTrainingLoss(logitsU1: tf.Tensor, logitsU2: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(jsDivergence(logitsU1, logitsU2)) as tf.Scalar);
}

/**
 * L_dif (eq. 3.5, Algorithm 1 line 5):
 *   (1/(b+|b_u|)) [ sum_{x in x_b1 ∪ x_u} H(p1(x), p2(g1(x))) + sum_{x in x_b2 ∪ x_u} H(p2(x), p1(g2(x))) ]
 * `clean1` = view 1's logits on x_b1 ∪ x_u, `advOn2` = view 2's logits on g1(x) of the same rows;
 * symmetrically for `clean2`, `advOn1`. The divisor is b+|b_u| (not twice that: spec pitfall 8).
 * `stopGradTargets` detaches p_i(x) so only the network evaluated on adversarial inputs learns
 * (the thesis' wording); default false = literal Algorithm 1 (spec §2.4 [choice]).
 */
export function viewDifferenceLoss(
  clean1: tf.Tensor, advOn2: tf.Tensor, clean2: tf.Tensor, advOn1: tf.Tensor, stopGradTargets = false,
): tf.Scalar {
  check2d('viewDifferenceLoss', clean1, advOn2, clean2, advOn1);
  return tf.tidy(() => {
    const target = (z: tf.Tensor) => {
      const p = tf.softmax(z as tf.Tensor2D);
      return stopGradTargets ? stopGradient(p) : p;
    };
    const s1 = tf.sum(rowCrossEntropy(target(clean1), advOn2));
    const s2 = tf.sum(rowCrossEntropy(target(clean2), advOn1));
    return tf.div(tf.add(s1, s2), clean1.shape[0] as number) as tf.Scalar;
  });
}
