// GUNN training runner (Figure 4-3 / Table 4-IV analogue) at a tiny budget.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { runTrainingComparison, MINI_MODELS } from '../lib/papers/gunn';

describe('GUNN: training comparison runner', () => {
  it('trains SUNN-mini, GUNN-mini and GUNN-mini-NoRes with equal budgets and returns curves', async () => {
    const n0 = tf.memory().numTensors;
    const r = await runTrainingComparison({ seeds: [0], steps: 6, evalEvery: 3, testSubset: 100, finalTest: 200, batchSize: 16 });
    assert.equal(tf.memory().numTensors, n0, 'no tensors left behind');
    assert.equal(r.runs.length, 3);
    assert.deepEqual(r.runs.map((x) => x.model), MINI_MODELS);
    for (const run of r.runs) {
      assert.equal(run.params, 47_834, `${run.model} has the GUNN-mini parameter count`);
      assert.equal(run.losses.length, 6, 'equal number of optimiser steps');
      assert.deepEqual(run.curve.map((c) => c.step), [3, 6]);
      assert.ok(run.curve.every((c) => c.testError >= 0 && c.testError <= 1));
      assert.ok(run.losses.every(Number.isFinite));
      assert.ok(run.finalTestError >= 0 && run.finalTestError <= 1);
    }
    assert.equal(r.summary.length, 3);
    assert.equal(r.config.finalTest, 200);
    assert.equal(r.backend, tf.getBackend());
    assert.ok(r.wallTimeMs > 0);
  });

  it('runs (seed, model) tasks in worker threads with the same budgets', async () => {
    const r = await runTrainingComparison({ seeds: [0, 1], models: ['SUNN-mini', 'GUNN-mini'], steps: 3, evalEvery: 3, testSubset: 50, finalTest: 50, batchSize: 8, workers: 2 });
    assert.deepEqual(r.runs.map((x) => `${x.model}/${x.seed}`), ['SUNN-mini/0', 'GUNN-mini/0', 'SUNN-mini/1', 'GUNN-mini/1']);
    assert.ok(r.runs.every((x) => x.losses.length === 3 && x.params === 47_834));
    assert.equal(r.summary.length, 2);
    assert.equal(r.summary[0].seeds, 2);
    assert.ok(Number.isFinite(r.summary[1].meanTestError));
  });

  it('rejects an unknown model name', async () => {
    await assert.rejects(runTrainingComparison({ models: ['ResNet-mini' as never], steps: 1 }), /unknown model 'ResNet-mini'/);
  });
});
