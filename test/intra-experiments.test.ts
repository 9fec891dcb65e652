// The notebook's runners at tiny budgets: seeded records, equal inference size, no tensor leak,
// label noise reaches training only, diagnostics present.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as ic from '../lib/papers/intra-collab';

const tiny = { trainPerClass: 4, testPerClass: 3, epochs: 2, batchSize: 20, widthMult: 0.5, inputSize: 14 as const };

describe('intra-collab experiment runners', function () {
  this.timeout(600000);
  it('runIntra: baseline and all collaborations give complete seeded records; no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const a = await ic.runIntra({ ...tiny, label: 'base', seed: 1, collab: {}, probe: true });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked by a run');
    const b = await ic.runIntra({ ...tiny, label: 'all', seed: 1, collab: { out: true, mid: true, pullPush: true, kernel: true }, probe: true });
    for (const r of [a, b]) {
      assert.equal(r.seed, 1);
      assert.ok(typeof r.backend === 'string' && r.wallTimeMs > 0);
      assert.equal(r.metrics.history.length, 2);
      for (const h of r.metrics.history) assert.ok(h.testErr >= 0 && h.testErr <= 100 && Number.isFinite(h.trainLoss));
      assert.equal(r.metrics.bestErr, Math.min(...r.metrics.history.map((h) => h.testErr)));
      assert.equal(r.metrics.probe!.Sy.length, 30);
    }
    assert.equal(a.metrics.inferenceParams, b.metrics.inferenceParams);
    assert.ok(b.metrics.trainParams > a.metrics.trainParams);
    assert.equal(b.metrics.localAcc!.length, 7);
    assert.ok(b.metrics.history[0].mid > 0 && b.metrics.history[0].kernel > 0 && a.metrics.history[0].mid === 0);
    // same seed, same config: same numbers
    const a2 = await ic.runIntra({ ...tiny, label: 'base', seed: 1, collab: {} });
    assert.deepEqual(a2.metrics.history.map((h) => h.trainLoss), a.metrics.history.map((h) => h.trainLoss));
  });
  it('label noise and Song & Chai runs', async () => {
    const n = await ic.runIntra({ ...tiny, label: 'noise', seed: 2, collab: {}, noise: 0.5 });
    const c = await ic.runIntra({ ...tiny, label: 'noise', seed: 2, collab: {} });
    assert.notDeepEqual(n.metrics.history.map((h) => h.trainLoss), c.metrics.history.map((h) => h.trainLoss));
    const s = await ic.runIntra({ ...tiny, label: 'sc', seed: 2, songChai: { splits: [1, 2, 2], cuts: [2, 4] } });
    assert.equal(s.metrics.inferenceParams, c.metrics.inferenceParams);
    assert.ok(s.metrics.trainParams > 3 * c.metrics.inferenceParams);
  });
  it('measureCosts and gradNormDiagnostic', async () => {
    const m = await ic.measureCosts({ steps: 1, batchSize: 8, widthMult: 0.5, inputSize: 14, methods: ['baseline', 'out', 'Song&Chai tree H=4'] });
    assert.equal(m.metrics.length, 3);
    assert.ok(m.metrics.every((r) => r.peakMB > 0 && r.imgPerSec > 0));
    assert.equal(new Set(m.metrics.map((r) => r.inferenceParams)).size, 1);
    const g = await ic.gradNormDiagnostic({ collab: { mid: true, pullPush: true, kernel: true }, steps: 2, batchSize: 16, widthMult: 0.5, inputSize: 14 });
    assert.equal(g.metrics.length, 8);
    assert.ok(g.metrics.every((r) => Number.isFinite(r.norm) && r.norm > 0));
  });
  it('bad run configs name the problem', async () => {
    await assert.rejects(ic.runIntra({ ...tiny, label: 'x', seed: 0, arch: 'lenet' as 'vgg16' }), /unknown arch 'lenet'/);
    await assert.rejects(ic.runIntra({ ...tiny, label: 'x', seed: 0, collab: { mid: { units: [40] } } }), /unit index 40/);
  });
});
