// ViP-DeepLab (thesis ch. 7): the notebook's runners with tiny budgets, asserting the oracle
// sanity checks of spec §7 A and the shape of the training/evaluation record.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { runOracleDemos, runTrainEval } from '../lib/papers/vip-deeplab';

describe('vip-deeplab experiment runners', () => {
  it('oracle demos: DVPQ = 1, noise hurts smaller lambda more, oracle stitching is perfect', () => {
    const r = runOracleDemos({ numVal: 3, sigmas: [0, 0.4], speeds: [1, 3], ks: [1, 2] });
    assert.deepEqual(r.oracle.mean, { all: 1, thing: 1, stuff: 1 });
    const at = (s: number, l: number) => r.noiseRows.find((q) => q.sigma === s && q.lambda === l)!.dvpq;
    for (const l of [0, 0.5, 0.25, 0.1]) assert.equal(at(0, l), 1);
    assert.equal(at(0.4, 0), 1); // lambda = 0 is plain VPQ
    assert.ok(at(0.4, 0.1) < at(0.4, 0.25) && at(0.4, 0.25) < at(0.4, 0.5) && at(0.4, 0.5) < 1);
    for (const q of r.trackRows.filter((q) => q.method === 'oracle pairs + stitch')) assert.equal(q.vpq, 1);
    const perm = r.trackRows.filter((q) => q.method === 'permuted');
    assert.equal(perm.find((q) => q.k === 1)!.vpq, 1);
    assert.ok(perm.find((q) => q.k === 2)!.thing < 1);
    assert.equal(r.seed, 0);
    assert.ok(r.wallTimeMs >= 0 && typeof r.backend === 'string');
  });

  it('train + evaluate record with a tiny budget', async () => {
    const before = tf.memory().numTensors;
    const r = await runTrainEval({ steps: 3, batch: 2, numTrain: 2, numVal: 1, ks: [1, 2], lambdas: [0.5] });
    assert.equal(r.history.length, 3);
    assert.equal(r.dvpq.cells.length, 2);
    assert.equal(r.vpqRows.length, 4);
    assert.ok(r.params > 100_000);
    assert.ok(Number.isFinite(r.depth.absRel) && r.depth.absRel > 0);
    assert.equal(r.kept.length, 1);
    assert.equal(tf.memory().numTensors, before);
  });
});
