import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { trainFashionCnn, tourConfig } from '../lib/tour';

describe('tour: reference CNN on Fashion-MNIST (tiny budget)', function () {
  this.timeout(600000);

  it('learns, records its run, and leaks no tensors across epochs', async () => {
    const before = tf.memory().numTensors;
    const rec = await trainFashionCnn(tourConfig({ epochs: 2, trainLimit: 640, testLimit: 500, samples: 8, seed: 3 }));
    const m = rec.metrics;
    assert.strictEqual(rec.seed, 3);
    assert.strictEqual(rec.config.epochs, 2);
    assert.ok(rec.backend.length > 0 && rec.wallTimeMs > 0);
    assert.strictEqual(m.params, 421642);
    assert.strictEqual(m.history.length, 2);
    assert.strictEqual(m.numTensorsPerEpoch.length, 2);
    assert.strictEqual(m.numTensorsPerEpoch[1], m.numTensorsPerEpoch[0], `tensors leaked: ${m.numTensorsPerEpoch}`);
    assert.strictEqual(tf.memory().numTensors, before, 'the model and its optimiser state are disposed after the run');
    // 640 images, 20 steps: far from converged but well above chance (10%).
    assert.ok(m.testAccuracy > 0.5, `test accuracy ${m.testAccuracy}`);
    assert.ok(m.history[1].trainLoss < m.history[0].trainLoss, 'training loss decreases');
    assert.strictEqual(m.predictions.length, 500);
    assert.strictEqual(m.samples.predictions.length, 8);
  });

  it('rejects a bad budget with a clear error', async () => {
    await assert.rejects(() => trainFashionCnn(tourConfig({ trainLimit: -5 })), /limits must be positive integers/);
  });
});
