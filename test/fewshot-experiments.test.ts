// Runner-level checks for lib/papers/fewshot with tiny budgets: the same runners notebook 04 calls.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { countParams, disposeLayer } from '../lib/nn/tree';
import { resnet50 } from '../lib/nn/backbones';
import * as fewshot from '../lib/papers/fewshot';

const inUnit = (v: number) => v >= 0 && v <= 1;

describe('fewshot: backbones', () => {
  it('ConvS and Ours-Simple conv-4 have n = 64 and their parameter counts; ResNet-50 900-way has n = 2048', () => {
    const s = fewshot.convS(makeRng(1), { numClasses: 7, inputSize: 28 });
    // conv 9*1*16 + 9*16*32 + 9*32*64 = 23,184; BN 2*(16+32+64) = 224; fc 64*7+7 = 455.
    assert.equal(s.featureDim, 64); assert.equal(countParams(s), 23184 + 224 + 455);
    const a = tf.tidy(() => s.applyBody(tf.zeros([2, 28, 28, 1]), { training: false }));
    assert.deepEqual(a.shape, [2, 7, 7, 64]); a.dispose();
    disposeLayer(s);
    const simple = fewshot.simpleConv4(makeRng(1), { numClasses: 80, inChannels: 3, inputSize: 80 });
    assert.equal(countParams(simple), 118032);
    const b = tf.tidy(() => simple.applyBody(tf.zeros([1, 80, 80, 3]), { training: false }));
    assert.deepEqual(b.shape, [1, 10, 10, 64]); b.dispose();
    disposeLayer(simple);
    const r = resnet50(makeRng(2), { numClasses: 900 });
    assert.equal(r.featureDim, 2048);
    assert.equal(countParams(r), 25557032 - 100 * 2049);
    disposeLayer(r);
    assert.throws(() => fewshot.convS(makeRng(1), { numClasses: -1 }), /numClasses must be a non-negative integer/);
  });
});

describe('fewshot: experiment runners (tiny budgets)', function () {
  this.timeout(600000);
  let bundle: fewshot.FeatureBundle;
  before(async () => {
    bundle = await fewshot.prepareFashionFewShot({ seed: 3, perClassLarge: 40, novelPoolPerClass: 12, testPerClass: 15, backboneEpochs: 1, backboneMaxSteps: 3, batchSize: 32 });
  });

  it('builds a Fashion-MNIST 7+3 feature bundle with non-negative activations', () => {
    assert.deepEqual(bundle.largeClasses, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(bundle.novelClasses, [7, 8, 9]);
    assert.equal(bundle.dLarge.labels.length, 280); assert.equal(bundle.novelPool.labels.length, 36); assert.equal(bundle.test.labels.length, 150);
    assert.ok(bundle.dLarge.labels.every((l) => l < 7)); assert.ok(bundle.novelPool.labels.every((l) => l >= 7));
    assert.ok(bundle.dLarge.x.every((v) => v >= 0), 'post-ReLU GAP activations are non-negative');
    assert.equal(bundle.wpt.kernel.length, 64 * 7);
    assert.equal(bundle.backbone.pretrain.steps, 3);
  });

  it('rejects a bad class split', async () => {
    await assert.rejects(fewshot.prepareFashionFewShot({ seed: 1, perClassLarge: 1, novelPoolPerClass: 1, testPerClass: 1, backboneEpochs: 1, novelClasses: [10] }), /classes must be 0..9/);
  });

  it('runs the joint evaluation: every method x shots, accuracies in [0, 1], no tensor growth', () => {
    const n0 = tf.memory().numTensors;
    const r = fewshot.runJointFewShot(bundle, { seed: 1, shots: [1, 2], draws: 2, phiIterations: 15, ftSteps: 5, oracleSteps: 10 });
    assert.equal(tf.memory().numTensors, n0);
    assert.equal(r.seed, 1); assert.equal(r.backend, tf.getBackend()); assert.ok(r.wallTimeMs > 0);
    const methods = ['Ours-phi1', 'Ours-phi2', 'Ours-phi2*', 'NN+Cosine 100%', 'NN+Cosine 10%', 'NN+Cosine 1%', 'FT-FC', 'LLaC-FC'];
    for (const m of methods) for (const k of [1, 2]) {
      const row = r.rows.find((x) => x.method === m && x.shots === k);
      assert.ok(row, `row ${m} ${k}`);
      assert.equal(row!.draws, 2);
      for (const v of [row!.top1Large, row!.top1Few, row!.top2Large, row!.top2Few]) assert.ok(inUnit(v), `${m}: ${v}`);
      assert.ok(row!.top2Few >= row!.top1Few && row!.top2Large >= row!.top1Large);
    }
    // The large-class rows of NN+Cosine do not depend on the shots (gallery of D_large), nor on phi's novel rows.
    assert.equal(r.oracles.length, 2);
    assert.ok(r.adaptation.some((a) => a.method === 'FT-FC') && r.adaptation.some((a) => a.method === 'Ours-phi2'));
    assert.equal(r.phiCurves.filter((p) => p.variant === 'phi2').at(-1)!.iteration, 15);
    const a = r.analysis;
    assert.equal(a.cosMeanVsWeight.length, 49); assert.equal(a.pcaMeans.length, 14);
    assert.ok(a.phi1 && a.phi1.osPhi1.length === 64 && Math.abs(a.phi1.osPhi1[63] - 1) < 1e-9, 'OS(k = n) = 1');
    assert.throws(() => fewshot.runJointFewShot(bundle, { seed: 1, shots: [0], draws: 1, phiIterations: 1, ftSteps: 1, oracleSteps: 1 }), /shots must be positive integers/);
    assert.throws(() => fewshot.runJointFewShot(bundle, { seed: 1, shots: [1], draws: 1, phiIterations: 1, ftSteps: 1, oracleSteps: 1, variants: ['phi3' as never] }), /unknown variant 'phi3'/);
  });

  it('phi at identity init is the cosine classifier: one-shot joint accuracy equals cosine NN over class means + shots', () => {
    // 0 iterations: phi(s) = s/||s||, so z_y(x) = ||a(x)|| cos(s_y, a(x)) and the argmax is the cosine NN
    // over {abar_y} of C_large plus the single shot of each novel class.
    const r = fewshot.runJointFewShot(bundle, { seed: 2, shots: [1], draws: 1, phiIterations: 0, ftSteps: 1, oracleSteps: 1, variants: ['phi2'], galleryFractions: [1] });
    const store = fewshot.makeActivationStore(bundle.dLarge, bundle.largeClasses);
    const shots = fewshot.drawShots(bundle.novelPool, bundle.novelClasses, 1, makeRng(fewshot.shotSeed(2, 1, 0)));
    const gallery = fewshot.concatFeatures([
      { x: store.means, labels: Int32Array.from(bundle.largeClasses), dim: 64 },
      ...shots.map((s) => ({ x: s.shots, labels: Int32Array.from([s.label]), dim: 64 })),
    ]);
    const classes = [...bundle.largeClasses, ...bundle.novelClasses];
    const nn = fewshot.buildCosineNN(gallery, classes);
    const s = fewshot.scoreInChunks(bundle.test, (q) => fewshot.cosineNNScores(nn, q)); nn.dispose();
    const want = fewshot.jointAccuracy(s, bundle.test, bundle.largeClasses, bundle.novelClasses);
    const row = r.rows.find((x) => x.method === 'Ours-phi2')!;
    assert.ok(Math.abs(row.top1Large - want.top1Large) < 1e-12, `${row.top1Large} vs ${want.top1Large}`);
    assert.ok(Math.abs(row.top1Few - want.top1Few) < 1e-12, `${row.top1Few} vs ${want.top1Few}`);
  });

  it('sweeps p_mean and reports one row per value', () => {
    const r = fewshot.runPMeanSweep(bundle, { seed: 1, pMeans: [0, 1], iterations: 5, shots: 1, draws: 2 });
    assert.deepEqual(r.rows.map((x) => x.pMean), [0, 1]);
    assert.ok(r.rows.every((x) => inUnit(x.top1Large) && inUnit(x.top1Few)));
    assert.throws(() => fewshot.runPMeanSweep(bundle, { seed: 1, pMeans: [1.5], iterations: 1, shots: 1, draws: 1 }), /pMeans must be in \[0, 1\]/);
  });

  it('runs 5-way glyph episodes with 95% CIs, deterministically for a seed', async () => {
    const g = await fewshot.prepareGlyphFewShot({ seed: 4, numLarge: 8, numFew: 6, perClassLarge: 6, perClassFew: 7, backboneEpochs: 1, backboneMaxSteps: 2, batchSize: 16 });
    assert.equal(g.backbone.pretrain.steps, 2);
    assert.deepEqual(g.novelClasses, [8, 9, 10, 11, 12, 13]);
    const cfg = { seed: 5, tasks: 4, shots: [1, 5], phiIterations: 5, ftSteps: 3 };
    const a = fewshot.runEpisodes(g, cfg); const b = fewshot.runEpisodes(g, cfg);
    assert.deepEqual(a.rows, b.rows);
    const methods = new Set(a.rows.map((r) => r.method));
    for (const m of ['Ours-phi2 (max, thesis)', 'Nearest Neighbor', 'Fine-tuned baseline']) assert.ok(methods.has(m), m);
    assert.ok(!a.rows.some((r) => r.method.includes('mean of shots') && r.shots === 1));
    for (const r of a.rows) { assert.equal(r.tasks, 4); assert.ok(inUnit(r.mean)); assert.ok(r.ci95 >= 0); }
    // 'rest' queries: 7 images per class - k shots, 5 classes.
    assert.equal(a.perTask.length, 4 * 3 + 4 * 4);
  });
});
