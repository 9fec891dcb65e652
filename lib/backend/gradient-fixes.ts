// Gradients tfjs 4.22 computes slowly on every backend, re-registered (tf.registerGradient
// replaces the entry). Sum's and Mean's gradients multiply dy by tf.ones(x.shape), which builds the
// ones as a JavaScript array element by element and uploads it: for a [64,32,32,32] activation,
// ~23 ms per call, 37% of a batch-norm layer's training step on wasm (batch norm takes two means).
// Here the broadcast factor comes from tf.fill, a backend kernel. Same values.
import * as tf from '@tensorflow/tfjs';

/** d/dx of a reduction over `axis` whose output is `scale` times the sum: dy broadcast, times scale. */
function broadcastGrad(kernelName: 'Sum' | 'Mean', scale: (x: tf.Tensor, axes: number[]) => number): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, shape), tf.fill(x.shape, scale(x, axes), 'float32')) };
    },
  };
}

const sumGrad = broadcastGrad('Sum', () => 1);
const meanGrad = broadcastGrad('Mean', (x, axes) => 1 / axes.reduce((p, a) => p * x.shape[a], 1));

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
