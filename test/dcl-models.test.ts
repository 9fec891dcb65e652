// Built models (exact parameter counts), oracle, training smoke tests and the runners at tiny budgets
// (spec §8 checks 2, 12, 15; runners called exactly as the notebook calls them).
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { collectParams } from '../lib/nn/tree';
import { trainStep } from '../lib/train/step';
import { adam } from '../lib/train/optimizers';
import { softmaxCrossEntropy } from '../lib/nn/losses';
import { loadFashionMnist } from '../lib/data/shipped';
import { toTensors } from '../lib/data/batches';
import {
  mnistModel, buildNet, oracleNet, oracleLoss, oracleDecode, wrn16, wrnParamCount, paramCount,
  analyzeArch, mnistLeNetArch, genericLeNetArch, bigNetArch, runCompare, runFilterCurve, analyzeResponses,
  runGeneric, makeMultiDigitData, disposeModel, type Net,
} from '../lib/papers/dcl';

describe('DCL models: exact parameter counts of the built networks', () => {
  it('MNIST LeNet variants match the analytic table (100 classes)', () => {
    const expected: Record<string, number> = { baseline: 476170, A2: 336870, A3S: 467470, A3D: 467470, B2: 450310, B3D: 462430 };
    for (const [id, n] of Object.entries(expected)) {
      const m = mnistModel(id, 100, makeRng(1));
      assert.equal(paramCount(m), n, id);
      const x = tf.zeros([2, 28, 28, 1]);
      const y = m.apply(x, { training: false });
      assert.deepEqual(y.shape, [2, 100]);
      tf.dispose([x, y]);
      disposeModel(m);
    }
    assert.throws(() => mnistModel('A4', 100, makeRng(1)), /unknown variant 'A4'/);
  });

  it('§4.2 LeNet5 and BigNet build with their analytic counts; input shape errors name the layer', () => {
    for (const arch of [genericLeNetArch({ classes: 10, dcl: true }), bigNetArch({ classes: 10, dcl: true }), bigNetArch({ classes: 10 })]) {
      const m = buildNet(arch, makeRng(2));
      assert.equal(paramCount(m), analyzeArch(arch).params, arch.name);
      const x = tf.zeros([1, ...arch.input]);
      const y = m.apply(x, { training: false });
      assert.deepEqual(y.shape, [1, 10]);
      tf.dispose([x, y]);
      disposeModel(m);
    }
    assert.equal(analyzeArch(bigNetArch({ classes: 10 })).weights, 5742272);
    const bad = tf.zeros([1, 28, 28, 3]);
    const m = buildNet(mnistLeNetArch({ classes: 10 }), makeRng(3));
    assert.throws(() => m.apply(bad, { training: false }), /conv2d 'conv1': expected input \[N, H, W, 1\]/);
    assert.throws(() => buildNet(genericLeNetArch({ classes: 10, input: [28, 28, 1] }), makeRng(3)), /ceil-mode pool .*use a 32x32 input/);
    tf.dispose(bad); disposeModel(m);
  });

  it('WRN-16-8 full size: 10,961,370 parameters (10 classes); DCL on the classifier', () => {
    assert.equal(wrnParamCount(16, 8, 10), 10961370);
    const w = wrn16(makeRng(4), { classes: 10 });
    assert.equal(paramCount(w), 10961370);
    disposeModel(w);
    const wd = wrn16(makeRng(5), { classes: 100, k: 1, dcl: { branches: 2, filtersPerBranch: 25 } });
    assert.equal(paramCount(wd), wrnParamCount(16, 1, 100) - (64 * 100 + 100) + (64 * 50 + 50 + 100 * 50 + 200));
    const x = tf.zeros([2, 32, 32, 3]);
    const y = wd.apply(x, { training: false });
    assert.deepEqual(y.shape, [2, 100]);
    tf.dispose([x, y]); disposeModel(wd);
  });
});

describe('oracle', () => {
  it('decodes per-position argmaxes into the number; loss is the sum of per-position CEs', () => {
    const logits = tf.tensor2d([[0, 0, 5, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0, 0, 0, 0, 9, 0]]);
    const pred = oracleDecode(logits, 2, 10);
    assert.deepEqual(Array.from(pred.dataSync()), [28]);
    const dg = tf.tensor2d([[2, 8]], [1, 2], 'int32');
    const l = oracleLoss(logits, dg, 2, 10).dataSync()[0];
    const ce = (row: number[], k: number) => -(row[k] - Math.log(row.reduce((a, v) => a + Math.exp(v), 0)));
    const r = Array.from(logits.dataSync());
    assert.ok(Math.abs(l - (ce(r.slice(0, 10), 2) + ce(r.slice(10), 8))) < 1e-4);
    assert.throws(() => oracleLoss(logits, dg, 3, 10), /logits must be \[N, 30\]/);
    tf.dispose([logits, pred, dg]);
    const o = oracleNet(makeRng(6), { numDigits: 2, kind: 'separate' });
    assert.equal(paramCount(o), 2 * (476170 - 50100 + 5010));
    const os = oracleNet(makeRng(6), { numDigits: 3, kind: 'shared' });
    assert.equal(paramCount(os), 476170 - 50100 + 3 * 5010);
    disposeModel(o); disposeModel(os);
  });
});

describe('training smoke tests', () => {
  it('baseline, A2, A3D, A3S and B2: finite loss; baseline and A2 over-fit 64 multi-digit images in 40 steps', function () {
    const data = makeMultiDigitData({ level: 'II-01', nTrain: 64, nTest: 1 });
    const b = toTensors(data.train);
    const x = b.x, y = b.y;
    for (const id of ['baseline', 'A2', 'A3D', 'A3S', 'B2']) {
      const m = mnistModel(id, 100, makeRng(7), { fusionBiasInit: 0.1 });
      const vars = collectParams(m), opt = adam({ lr: 1e-3 }), rng = makeRng(8);
      const steps = id === 'A2' || id === 'baseline' ? 40 : 3;
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        losses.push(trainStep({ vars, optimizer: opt, loss: () => softmaxCrossEntropy(m.apply(x, { training: true, rng }), y) as tf.Scalar }).loss);
      }
      assert.ok(losses.every(Number.isFinite), `${id}: ${losses}`);
      if (steps === 40) assert.ok(losses[losses.length - 1] < 0.4 * losses[0], `${id} over-fit: ${losses[0]} -> ${losses[losses.length - 1]}`);
      opt.dispose(); disposeModel(m);
    }
    tf.dispose([x, y]);
  });
});

describe('DCL runners (tiny budgets)', () => {
  let trained: Net | null = null;
  it('runCompare: baseline, A2, A3S + oracle, curves and seeded, no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const cfg = { level: 'II-05', nTrain: 128, nTest: 100, models: ['baseline', 'A2', 'A3S'], epochs: 2, seed: 3, trainEvalSize: 64, oracle: { epochs: 1, kind: 'shared' as const }, keepModels: true };
    const r = await runCompare(cfg);
    assert.equal(r.seed, 3);
    assert.ok(r.backend.length > 0);
    assert.ok(r.wallTimeMs > 0);
    assert.equal(r.data.classes, 100);
    assert.deepEqual(Object.keys(r.models), ['baseline', 'A2', 'A3S']);
    for (const m of Object.values(r.models)) {
      assert.equal(m.curve.length, 2);
      for (const p of m.curve) for (const v of [p.trainLoss, p.testLoss, p.testErr, p.trainErr]) assert.ok(Number.isFinite(v));
    }
    assert.equal(r.models.A2.params, 336870);
    assert.ok(r.oracle && r.oracle.digitErr!.length === 2);
    trained = r.trained!.A2 as Net;
    for (const [k, m] of Object.entries(r.trained!)) if (k !== 'A2') disposeModel(m);
    assert.equal(tf.memory().numTensors - before, collectParams(trained).length, 'only the kept model remains');
    await assert.rejects(runCompare({ ...cfg, models: [] }), /models must be a non-empty list/);
    await assert.rejects(runCompare({ ...cfg, level: 'II-77' }), /unknown level 'II-77'/);
  });

  it('analyzeResponses: per-class means, branch groupings, specialization fraction in [0,1]', async () => {
    const data = makeMultiDigitData({ level: 'II-05', nTrain: 10, nTest: 200 });
    const a = await analyzeResponses(trained!, data.test);
    assert.equal(a.units, 500); assert.equal(a.classes, 100);
    assert.equal(a.meanZ.length, 500); assert.equal(a.meanZ[0].length, 100);
    assert.equal(a.meanV.length, 2); assert.equal(a.meanV[0].length, 2); assert.equal(a.meanV[0][0][0].length, 10);
    for (const row of a.meanZ) for (const v of row) assert.ok(v === 0 || v >= 0.1 - 1e-6, 'mean z respects the floor (0 = empty class)');
    assert.ok(a.specializationFraction >= 0 && a.specializationFraction <= 1);
    assert.ok(a.mostSelective >= 0 && a.mostSelective < 500);
  });

  it('runFilterCurve: one point per M on the frozen trunk, parameter counts grow with M', async () => {
    const r = await runFilterCurve({ level: 'II-05', nTrain: 128, nTest: 100, Ms: [5, 20], epochs: 1, seed: 4, trunk: trained! });
    assert.deepEqual(r.points.map((p) => p.M), [5, 20]);
    assert.ok(r.points[1].params > r.points[0].params);
    assert.equal(r.points[1].headParams - r.points[0].headParams, 2 * 15 * (800 + 500 + 1));
    assert.ok(r.baseline.testAcc >= 0 && r.baseline.testAcc <= 100);
    await assert.rejects(runFilterCurve({ level: 'II-05', nTrain: 8, nTest: 8, Ms: [0], epochs: 1, seed: 1, trunk: trained! }), /Ms must be positive integers/);
    disposeModel(trained!);
  });

  it('runGeneric on Fashion-MNIST: baseline and DCL (2 x 125) results', async () => {
    const r = await runGeneric({ nTrain: 128, nTest: 100, epochs: 1, seed: 5 }, (split) => loadFashionMnist({ split }));
    assert.equal(r.models.baseline.params, 476170 - 50100 + 5010);
    assert.equal(r.models.dcl.params, 800 * 250 + 500 * 250 + 250 + 1000 + 25050 + 520 + 5010);
    assert.ok(Number.isFinite(r.models.dcl.final.testLoss));
  });
});
