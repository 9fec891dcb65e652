// FasterRcnnMini with SAC / RFP (thesis ch. 6 spec §8 items 3, 13 and the conversion guarantee):
// converting a trained plain detector to +SAC, +RFP (T = 2, 3) and +RFP+SAC preserves its outputs,
// a few training steps reduce the loss on a tiny scene set, nothing leaks across a train step and
// inference, and bad configs / inputs fail with errors naming the problem.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { adam } from '../lib/train/optimizers';
import { trainStep } from '../lib/train/step';
import { collectParams } from '../lib/nn/tree';
import { makeScenes } from '../lib/papers/detectors/scenes';
import { buildDetector, convertDetector, miniDetectorConfig, type Detector, type ImageGt } from '../lib/papers/detectors/detector';

function gtsOf(s: ReturnType<typeof makeScenes>): ImageGt[] {
  return s.targets.map((t) => ({ boxes: t.boxes, labels: t.labels }));
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Train `det` for `steps` Adam steps on the scenes; returns the losses. */
function train(det: Detector, s: ReturnType<typeof makeScenes>, steps: number, seed = 0): number[] {
  const opt = adam({ lr: 1e-3 });
  const rng = makeRng(seed);
  const vars = collectParams(det);
  const gts = gtsOf(s);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push(trainStep({ loss: () => det.losses(s.images, gts, { training: true, rng }).total, vars, optimizer: opt }).loss);
  opt.dispose();
  return out;
}

describe('detectors: FasterRcnnMini, conversions and training', function () {
  this.timeout(300000);
  let scenes: ReturnType<typeof makeScenes>;
  let base: Detector;
  before(() => {
    scenes = makeScenes({ n: 4, seed: 7 });
    base = buildDetector(miniDetectorConfig(), makeRng(1));
    // a few steps so the BN running statistics and weights are non-trivial
    train(base, scenes, 3);
  });
  after(() => { scenes.images.dispose(); });

  const cases: [string, Parameters<typeof miniDetectorConfig>[0]][] = [
    ['+SAC (all stages)', { sac: { stages: [0, 1, 2] } }],
    ['+RFP (T = 2)', { rfp: { steps: 2 } }],
    ['+RFP (T = 3)', { rfp: { steps: 3 } }],
    ['+RFP+SAC', { rfp: { steps: 2 }, sac: { stages: [0, 1, 2] } }],
    ['+RFP sharing', { rfp: { steps: 2, share: true } }],
  ];
  for (const [label, over] of cases) {
    it(`conversion to ${label} preserves the outputs (max |delta| < 1e-5)`, () => {
      const { det, fresh } = convertDetector(base, miniDetectorConfig(over), 3);
      assert.ok(fresh.length > 0, 'the conversion adds new variables');
      const a = base.rawOutputs(scenes.images, { training: false });
      const b = det.rawOutputs(scenes.images, { training: false });
      try {
        assert.deepEqual(Array.from(b.proposals), Array.from(a.proposals));
        const d1 = maxAbsDiff(a.rpnCls, b.rpnCls), d2 = maxAbsDiff(a.rcnnCls, b.rcnnCls);
        assert.ok(d1 < 1e-5 && d2 < 1e-5, `rpn ${d1}, rcnn ${d2}`);
        // the new parameters are not inert: perturbing them changes the output
        const ref = tf.tidy(() => tf.abs(a.rpnCls).max().dataSync()[0]);
        assert.ok(ref > 1e-3, 'outputs are non-trivial');
      } finally { for (const t of [a.rpnCls, a.rcnnCls, b.rpnCls, b.rcnnCls]) t.dispose(); }
    });
  }

  it('perturbing the converted model\'s new zero-init parameters changes its outputs', () => {
    const { det } = convertDetector(base, miniDetectorConfig({ rfp: { steps: 2 }, sac: { stages: [0, 1, 2] } }), 3);
    const a = det.rawOutputs(scenes.images, { training: false });
    const rng = makeRng(5);
    for (const nv of collectParams(det)) {
      if (/rfpConv|deltaW|switch|fusion/.test(nv.path)) {
        const v = tf.tidy(() => tf.add(nv.variable, tf.mul(0.05, tf.randomNormal(nv.variable.shape, 0, 1, 'float32', rng.int(1e6)))));
        nv.variable.assign(v); v.dispose();
      }
    }
    const b = det.rawOutputs(scenes.images, { training: false });
    try {
      assert.ok(maxAbsDiff(a.rpnCls, b.rpnCls) > 1e-3);
    } finally { for (const t of [a.rpnCls, a.rcnnCls, b.rpnCls, b.rcnnCls]) t.dispose(); }
  });

  it('training steps reduce the loss on a tiny scene set, and RPN/RCNN losses are finite and positive', () => {
    const det = buildDetector(miniDetectorConfig(), makeRng(2));
    const parts = tf.tidy(() => {
      const p = det.losses(scenes.images, gtsOf(scenes), { training: true, rng: makeRng(0) });
      return [p.rpnCls, p.rpnReg, p.rcnnCls, p.rcnnReg].map((t) => t.dataSync()[0]);
    });
    for (const v of parts) assert.ok(Number.isFinite(v) && v > 0, `loss parts ${parts}`);
    const l = train(det, scenes, 12, 1);
    const first = (l[0] + l[1]) / 2, last = (l[10] + l[11]) / 2;
    assert.ok(last < 0.8 * first, `loss ${l.map((x) => x.toFixed(3)).join(' ')}`);
  });

  it('leaks no tensors across a train step (RFP+SAC) and inference', () => {
    const det = buildDetector(miniDetectorConfig({ rfp: { steps: 2 }, sac: { stages: [0, 1, 2] } }), makeRng(3));
    const opt = adam({ lr: 1e-3 });
    const vars = collectParams(det), gts = gtsOf(scenes), rng = makeRng(0);
    const step = () => trainStep({ loss: () => det.losses(scenes.images, gts, { training: true, rng }).total, vars, optimizer: opt });
    step(); // creates the optimizer slots
    const n0 = tf.memory().numTensors;
    step();
    const dets = det.detect(scenes.images);
    const raw = det.rawOutputs(scenes.images, { training: false });
    raw.rpnCls.dispose(); raw.rcnnCls.dispose();
    assert.equal(tf.memory().numTensors, n0);
    assert.equal(dets.length, 4);
    for (const d of dets) {
      assert.equal(d.boxes.length, 4 * d.scores.length);
      assert.equal(d.labels.length, d.scores.length);
      for (let i = 1; i < d.scores.length; i++) assert.ok(d.scores[i] <= d.scores[i - 1]);
      for (const v of d.boxes) assert.ok(v >= 0 && v <= 64);
    }
    opt.dispose();
  });

  it('Soft-NMS inference returns at most maxPerImage detections sorted by score', () => {
    const cfg = miniDetectorConfig({ test: { scoreThr: 0.05, nmsThr: 0.5, maxPerImage: 5, softNms: true } });
    const { det } = convertDetector(base, cfg);
    const dets = det.detect(scenes.images);
    for (const d of dets) {
      assert.ok(d.scores.length <= 5);
      for (let i = 1; i < d.scores.length; i++) assert.ok(d.scores[i] <= d.scores[i - 1]);
    }
  });

  it('bad configs and inputs give errors naming the problem', () => {
    const rng = makeRng(0);
    assert.throws(() => buildDetector(miniDetectorConfig({ anchorSizes: [[8], [16], [32]] }), rng), /anchorSizes needs 4 levels/);
    assert.throws(() => buildDetector(miniDetectorConfig({ rfp: { steps: 1 } }), rng), /rfp.steps must be >= 2/);
    assert.throws(() => buildDetector(miniDetectorConfig({ fpnChannels: 30, rfp: { steps: 2 } }), rng), /divisible by 4/);
    assert.throws(() => buildDetector(miniDetectorConfig({ imageSize: 60 }), rng), /imageSize 60/);
    assert.throws(() => buildDetector(miniDetectorConfig({ numClasses: 0 }), rng), /numClasses/);
    assert.throws(() => buildDetector(miniDetectorConfig({ sac: { stages: [5] } }), rng), /sacStages entry 5/);
    const img = tf.zeros([1, 32, 32, 3]);
    try {
      assert.throws(() => base.detect(img), /expected images \[N, 64, 64, 3\]/);
    } finally { img.dispose(); }
    assert.throws(() => base.losses(scenes.images, gtsOf(scenes).slice(0, 2), { training: true, rng }), /4 images but 2 ground-truth/);
    assert.throws(() => convertDetector(base, miniDetectorConfig({ fpnChannels: 16 })), /no destination/);
  });
});
