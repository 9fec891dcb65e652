// Eq. 2.2 on one batch (Figure 2-4b): W = phi(S) becomes the bias-free FC layer, the training
// activations T (raw, not normalised: their scale is the softmax temperature, spec 2.5) are classified
// by it, and the mean softmax cross-entropy is the loss. With pMean = 1 the same code is Eq. 2.1.
import * as tf from '@tensorflow/tfjs';
import type { ParamPredictor } from './param-predictor';

/** logits = T · phi(S)^T, [rows of T, rows of S]. */
export function predictedLogits(phi: ParamPredictor, S: tf.Tensor2D, T: tf.Tensor2D): tf.Tensor2D {
  if (S.shape[1] !== T.shape[1]) throw new Error(`predictedLogits: statistic dim ${S.shape[1]} != activation dim ${T.shape[1]}`);
  return tf.tidy(() => tf.matMul(T, phi.apply(S, { training: true }) as tf.Tensor2D, false, true));
}

/** Mean cross-entropy of integer labels under logits (stable log-softmax). */
export function meanCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1])), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** The data term of Eq. 2.2 for one batch (the weight decay is applied by the optimiser). */
export function phiBatchLoss(phi: ParamPredictor, S: tf.Tensor2D, T: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => meanCrossEntropy(predictedLogits(phi, S, T), labels));
}
