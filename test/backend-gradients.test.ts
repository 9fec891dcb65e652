// The Sum and Mean gradients lib/backend re-registers (gradient-fixes.ts) against their closed
// forms, and batch norm's gradient through them against tf.batchNorm's own.
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { GRADIENT_FIXES } from '../lib/backend/gradient-fixes';
import { batchNormForward } from '../lib/nn';
import { makeRng } from '../lib/util/random';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('backend: re-registered Sum and Mean gradients', () => {
  it('initBackend made them the active gradients', () => {
    for (const g of GRADIENT_FIXES) assert.strictEqual(tf.getGradient(g.kernelName)?.gradFunc, g.gradFunc, g.kernelName);
  });

  it('d/dx sum(x * w, axes) = w broadcast, d/dx mean = w / n, for any axes and keepDims', () => {
    const rng = makeRng(5);
    const x = tf.tensor(Array.from({ length: 2 * 3 * 4 * 5 }, () => rng.next() - 0.5), [2, 3, 4, 5]);
    for (const axis of [0, [1, 2], -1, [0, 1, 2, 3], 3]) {
      for (const keepDims of [false, true]) {
        tf.tidy(() => {
          // Weight the reduced output so that dy is not all ones.
          const outShape = tf.sum(x, axis, keepDims).shape;
          const w = tf.range(1, 1 + outShape.reduce((p, q) => p * q, 1)).reshape(outShape);
          const axes = tf.util.parseAxisParam(axis, x.shape);
          const wFull = tf.broadcastTo(tf.reshape(w, x.shape.map((d, i) => (axes.includes(i) ? 1 : d))), x.shape);
          const n = axes.reduce((p, a) => p * x.shape[a], 1);
          const gSum = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sum(t, axis, keepDims), w)))(x);
          const gMean = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, axis, keepDims), w)))(x);
          assert.ok(maxAbsDiff(gSum, wFull) < 1e-6, `sum axis ${JSON.stringify(axis)} keepDims ${keepDims}`);
          assert.ok(maxAbsDiff(gMean, tf.div(wFull, n)) < 1e-6, `mean axis ${JSON.stringify(axis)} keepDims ${keepDims}`);
        });
      }
    }
    x.dispose();
  });

  it("lib/nn's batch norm has tf.batchNorm's values and gradients (training mode)", () => {
    const rng = makeRng(6);
    const rnd = (shape: number[], s = 1, m = 0) => tf.tensor(Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => m + s * (rng.next() - 0.5)), shape);
    const x = rnd([4, 5, 6, 3], 4, 1), g = rnd([3], 1, 1), b = rnd([3]), r = rnd([4, 5, 6, 3]);
    const stats = { runningMean: tf.zeros([3]), runningVar: tf.ones([3]) };
    const ours = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(batchNormForward(xx, { ...stats, gamma: gg, beta: bb }, true).y, r));
    const ref = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(xx, mean, variance, bb, gg, 1e-5), r));
    };
    const a = tf.grads(ours)([x, g, b]), e = tf.grads(ref)([x, g, b]);
    for (let i = 0; i < 3; i++) assert.ok(maxAbsDiff(a[i], e[i]) < 1e-4, `gradient ${['x', 'gamma', 'beta'][i]}: ${maxAbsDiff(a[i], e[i])}`);
    assert.ok(maxAbsDiff(ours(x, g, b), ref(x, g, b)) < 1e-3);
    tf.dispose([x, g, b, r, ...a, ...e, ...Object.values(stats)]);
  });
});
