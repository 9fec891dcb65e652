import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../lib/nn';
import * as train from '../lib/train';
import { makeRng } from '../lib/util/random';

describe('nn modules: FPN, surgery, pure BN, noise, separable conv', () => {
  it('FPN: output shapes per level, extra max-pool level, gradients reach every lateral', () => {
    const f = nn.fpn({ inChannels: [4, 8, 16], outChannels: 6, extraLevels: 1 }, makeRng(1));
    const feats = [tf.randomNormal([1, 16, 16, 4]), tf.randomNormal([1, 8, 8, 8]), tf.randomNormal([1, 3, 3, 16])];
    const ps = f.applyFeatures(feats, { training: false });
    assert.deepStrictEqual(ps.map((p) => p.shape), [[1, 16, 16, 6], [1, 8, 8, 6], [1, 3, 3, 6], [1, 2, 2, 6]]);
    const vars = nn.collectParams(f);
    assert.strictEqual(nn.countParams(f), (4 * 6 + 6) + (8 * 6 + 6) + (16 * 6 + 6) + 3 * (9 * 36 + 6));
    const { grads } = tf.variableGrads(() => tf.addN(f.applyFeatures(feats, { training: false }).map((p) => tf.sum(p))) as tf.Scalar, vars.map((v) => v.variable));
    for (const v of vars) assert.ok(grads[v.variable.name] && tf.sum(tf.abs(grads[v.variable.name])).dataSync()[0] > 0, v.path);
    assert.throws(() => f.applyFeatures(feats.slice(0, 2), { training: false }), /expected 3 feature maps, got 2/);
    nn.disposeLayer(f); tf.dispose(feats);
  });

  it('upsampleTo reproduces PyTorch nearest indices floor(d * in / out)', () => {
    const x = tf.tensor4d([0, 1, 2, 3], [1, 1, 4, 1]);
    const up = nn.upsampleTo(tf.tile(x, [1, 4, 1, 1]), 4, 7);
    assert.deepStrictEqual(Array.from(up.dataSync()).slice(0, 7), [0, 1, 2, 3, 4, 5, 6].map((d) => Math.floor(d * 4 / 7)));
  });

  it('layers built from given values (surgery) copy them and check shapes', () => {
    const k = tf.randomNormal([3, 3, 2, 4]);
    const c = nn.conv2d({ inChannels: 2, filters: 4, kernelSize: 3, bias: true, values: { kernel: k, bias: tf.ones([4]) } }, makeRng(0));
    assert.deepStrictEqual(Array.from(c.kernel.dataSync()), Array.from(k.dataSync()));
    k.dispose();
    assert.ok(!c.kernel.isDisposed);
    assert.throws(() => nn.conv2d({ inChannels: 2, filters: 5, kernelSize: 3, values: { kernel: tf.zeros([3, 3, 2, 4]) } }, makeRng(0)), /initial kernel must have shape \[3,3,2,5\]/);
    const bn = nn.batchNorm({ channels: 2, values: { gamma: tf.tensor1d([0.5, 2]), runningVar: tf.tensor1d([4, 4]) } });
    assert.deepStrictEqual(Array.from(bn.gamma!.dataSync()), [0.5, 2]);
    assert.deepStrictEqual(Array.from(bn.runningVar.dataSync()), [4, 4]);
    nn.disposeLayer(c); nn.disposeLayer(bn);
  });

  it('batchNormForward is pure and returns the same running update the layer assigns', () => {
    const bn = nn.batchNorm({ channels: 3 });
    const x = tf.randomNormal([4, 2, 2, 3], 1, 2, 'float32', 5);
    const r = nn.batchNormForward(x, bn, true);
    assert.deepStrictEqual(Array.from(bn.runningMean.dataSync()), [0, 0, 0], 'no assignment');
    const y = bn.apply(x, { training: true });
    assert.deepStrictEqual(Array.from(y.dataSync()), Array.from(r.y.dataSync()));
    assert.deepStrictEqual(Array.from(bn.runningMean.dataSync()), Array.from(r.newRunningMean!.dataSync()));
    assert.deepStrictEqual(Array.from(bn.runningVar.dataSync()), Array.from(r.newRunningVar!.dataSync()));
    nn.disposeLayer(bn);
  });

  it('gaussianNoise: seeded, identity in eval; separableConv shapes and PyTorch count', () => {
    const g = nn.gaussianNoise(0.15);
    const x = tf.zeros([2000]);
    assert.deepStrictEqual(Array.from(g.apply(x, { training: false }).dataSync()).every((v) => v === 0), true);
    const a = g.apply(x, { training: true, rng: makeRng(2) }).dataSync();
    const std = Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / a.length);
    assert.ok(Math.abs(std - 0.15) < 0.015, `std ${std}`);
    const s = nn.separableConv({ inChannels: 8, filters: 16, kernelSize: 5, dilation: 2 }, makeRng(1));
    assert.strictEqual(nn.countParams(s), 25 * 8 + 2 * 8 + 8 * 16 + 2 * 16);
    assert.deepStrictEqual(s.apply(tf.zeros([1, 9, 9, 8]), { training: true }).shape, [1, 9, 9, 16]);
    nn.disposeLayer(s);
  });

  it('VGG-19 (CIFAR, BN, no conv bias) has 20,035,018 parameters at 10 classes and 20,081,188 at 100', () => {
    const a = nn.vgg(makeRng(0), { cfg: 'vgg19' }), b = nn.vgg(makeRng(0), { cfg: 'vgg19', numClasses: 100 });
    assert.strictEqual(nn.countParams(a), 20_035_018);
    assert.strictEqual(nn.countParams(b), 20_081_188);
    nn.disposeLayer(a); nn.disposeLayer(b);
  });

  it('l1Penalty transform equals adding lambda * sum|gamma| to the loss', () => {
    const run = (useTransform: boolean) => {
      const bn = nn.batchNorm({ channels: 3, gammaInit: 0.5 });
      bn.gamma!.assign(tf.tensor1d([0.5, -0.2, 0.3]));
      const vars = nn.collectParams(bn);
      const x = tf.randomNormal([6, 3], 0, 1, 'float32', 3);
      const data = () => tf.sum(tf.square(tf.sub(bn.apply(x, { training: true }), 1))) as tf.Scalar;
      const opt = train.sgd({ lr: 0.1, momentum: 0.9 });
      train.trainStep({
        vars, optimizer: opt,
        loss: useTransform ? data : () => tf.add(data(), tf.mul(1e-3, tf.sum(tf.abs(bn.gamma!)))) as tf.Scalar,
        transformGrads: useTransform ? train.l1Penalty(1e-3, (nv) => nv.path.endsWith('gamma')) : undefined,
      });
      const out = Array.from(bn.gamma!.dataSync());
      nn.disposeLayer(bn); opt.dispose(); x.dispose();
      return out;
    };
    const a = run(true), b = run(false);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${v} vs ${b[i]}`));
  });
});

describe('nn modules: ASPP', () => {
  it('ASPP: shape, parameter count, and gradients into every branch incl. the atrous ones', () => {
    const a = nn.aspp({ inChannels: 8, channels: 4, rates: [2, 3] }, makeRng(1));
    // b0 1x1: 8*4 + BN 8; b1, b2 3x3: 2 * (72*4 + 8); pool 1x1: 32 + 8; project (16 -> 4): 64 + 8
    assert.strictEqual(nn.countParams(a), (32 + 8) + 2 * (288 + 8) + (32 + 8) + (64 + 8));
    const x = tf.randomNormal([2, 7, 7, 8], 0, 1, 'float32', 1);
    assert.deepStrictEqual(a.apply(x, { training: true }).shape, [2, 7, 7, 4]);
    const vars = nn.collectParams(a).filter((v) => v.path.endsWith('kernel'));
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(a.apply(x, { training: true }))) as tf.Scalar, vars.map((v) => v.variable));
    for (const v of vars) assert.ok(tf.sum(tf.abs(grads[v.variable.name])).dataSync()[0] > 0, v.path);
    nn.disposeLayer(a);
  });
});
