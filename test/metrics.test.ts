import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as metrics from '../lib/metrics';

describe('metrics', () => {
  it('accuracy from predictions and from logits; top-k with ties', () => {
    assert.strictEqual(metrics.accuracy([0, 1, 2, 2], [0, 1, 1, 2]), 0.75);
    const logits = tf.tensor2d([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.3, 0.3, 0.4]]);
    assert.strictEqual(metrics.accuracy(logits, [1, 1, 2]), 2 / 3);
    // row 3 [0.3, 0.3, 0.4]: label 1 ties with class 0, which wins the tie -> rank 3, outside top-2
    assert.strictEqual(metrics.topKAccuracy(logits, [2, 1, 1], 2), 2 / 3);
    assert.strictEqual(metrics.topKAccuracy(logits, [2, 1, 0], 2), 1);
    assert.strictEqual(metrics.topKAccuracy(logits, [0, 2, 1], 2), 0);
    assert.strictEqual(metrics.topKAccuracy(logits, [0, 2, 1], 3), 1);
    assert.throws(() => metrics.accuracy([1, 2], [1]), /2 predictions vs 1 labels/);
    logits.dispose();
  });

  it('confusion matrix and per-class accuracy', () => {
    const cm = metrics.confusionMatrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], 3);
    assert.deepStrictEqual(cm.rows, [[1, 0, 1], [0, 1, 0], [0, 1, 2]]);
    const pc = metrics.perClassAccuracy(cm);
    assert.deepStrictEqual(pc.map((v) => +v.toFixed(4)), [0.5, 1, 0.6667]);
    assert.throws(() => metrics.confusionMatrix([3], [0], 3), /out of \[0, 3\)/);
  });

  it('mean, sample std and Student-t 95% CI over seeds', () => {
    const s = metrics.summarize([1, 2, 3, 4]);
    assert.strictEqual(s.mean, 2.5);
    assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12);
    assert.ok(Math.abs(s.ci95 - 3.182 * Math.sqrt(5 / 3) / 2) < 1e-9);
    assert.ok(Math.abs(metrics.summarize([1, 2, 3, 4], { z: true }).ci95 - 1.96 * Math.sqrt(5 / 3) / 2) < 1e-9);
    assert.strictEqual(metrics.formatMeanCI(metrics.summarize([0.9, 0.92]), 1, 100), `91.0 ± ${(12.706 * Math.sqrt(0.0002) / Math.sqrt(2) * 100).toFixed(1)}`);
    assert.ok(Number.isNaN(metrics.summarize([5]).ci95));
  });

  it('bootstrap CI is seeded, brackets the estimate and narrows with more data', () => {
    const vals = Array.from({ length: 40 }, (_, i) => (i % 7) / 7);
    const a = metrics.bootstrapCI(vals, { seed: 1 });
    const b = metrics.bootstrapCI(vals, { seed: 1 });
    assert.deepStrictEqual(a, b);
    assert.ok(a.lo < a.estimate && a.estimate < a.hi);
    const big = metrics.bootstrapCI([...vals, ...vals, ...vals, ...vals], { seed: 1 });
    assert.ok(big.hi - big.lo < a.hi - a.lo);
    // The bootstrap SE of the mean approximates std/sqrt(n): half-width ~ 1.96 * sem.
    const s = metrics.summarize(vals, { z: true });
    assert.ok(Math.abs((a.hi - a.lo) / 2 - s.ci95) < 0.3 * s.ci95, `${(a.hi - a.lo) / 2} vs ${s.ci95}`);
  });
});
