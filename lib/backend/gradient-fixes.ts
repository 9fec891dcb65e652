// Gradients tfjs 4.22 computes slowly on every backend, re-registered (tf.registerGradient
// replaces the entry). Sum's and Mean's gradients multiply dy by tf.ones(x.shape), which builds the
// ones as a JavaScript array element by element and uploads it: for a [64,32,32,32] activation,
// ~23 ms per call, 37% of a batch-norm layer's training step on wasm (batch norm takes two means).
// Here the broadcast factor comes from tf.fill, a backend kernel. Same values.
import * as tf from '@tensorflow/tfjs';

function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis, x.shape)) shape[a] = 1;
  return tf.reshape(dy, shape);
}

const sumGrad: tf.GradConfig = {
  kernelName: 'Sum',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as { axis: number | number[] };
    return { x: () => tf.mul(expandedDy(dy as tf.Tensor, x, axis), tf.fill(x.shape, 1, 'float32')) };
  },
};

const meanGrad: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as { axis: number | number[] };
    const n = tf.util.parseAxisParam(axis, x.shape).reduce((p, a) => p * x.shape[a], 1);
    return { x: () => tf.mul(expandedDy(dy as tf.Tensor, x, axis), tf.fill(x.shape, 1 / n, 'float32')) };
  },
};

/** The replacement gradient configs (exported so tests can check they are the active ones). */
export const GRADIENT_FIXES: readonly tf.GradConfig[] = [sumGrad, meanGrad];

let done = false;

/** Register (once) the faster gradients; returns the kernel names whose gradient was replaced. */
export function registerGradientFixes(): string[] {
  if (!done) {
    for (const g of GRADIENT_FIXES) tf.registerGradient(g);
    done = true;
  }
  return GRADIENT_FIXES.map((g) => g.kernelName);
}
