// Deep Co-Training (thesis ch. 3): spec §8 checks with real values.
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import {
  softmaxEntropy, rowCrossEntropy, jsDivergence, supervisedLoss, coTrainingLoss, viewDifferenceLoss,
  fgsm, attackTargets, rampWeight, cosineLR, imagenetDctLR, stepLR, streamBundle, evenChunks, pairViews,
  makeMoons, mlpNet, makeViews, convLargeBN, resnet18View, convSmall28, evaluateViews, trainDct, dctState,
  pairLoss, moonsSemiSup, digitsSemiSup, disposeData,
} from '../lib/papers/cotraining';
import { dense, sequential, batchNorm } from '../lib/nn/layers';
import { collectParams, countParams, collectState, disposeLayer } from '../lib/nn/tree';
import type { Layer } from '../lib/nn/types';
import { makeRng } from '../lib/util/random';

const t2 = (rows: number[][]) => tf.tensor2d(rows);
const logOf = (p: number[][]) => t2(p.map((r) => r.map(Math.log)));
const close = (a: number, b: number, tol = 1e-5, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} != ${b}`);
const v = (t: tf.Tensor) => Array.from(t.dataSync());

describe('cotraining: entropies and JSD (spec 8.1, 8.2)', () => {
  it('entropy and cross-entropy give the spec values', () => {
    close(v(softmaxEntropy(logOf([[0.5, 0.5]])))[0], 0.693147, 1e-6);
    close(v(rowCrossEntropy(t2([[0.7, 0.2, 0.1]]), logOf([[0.1, 0.3, 0.6]])))[0], 1.903687, 1e-5);
    close(v(rowCrossEntropy(t2([[1, 0, 0]]), logOf([[0.7, 0.2, 0.1]])))[0], 0.356675, 1e-5);
    const p = [[0.2, 0.5, 0.3]];
    const hp = v(softmaxEntropy(logOf(p)))[0];
    close(v(rowCrossEntropy(t2(p), logOf(p)))[0], hp, 1e-6, 'H(p,p)=H(p)');
    assert.ok(v(rowCrossEntropy(t2(p), logOf([[0.6, 0.1, 0.3]])))[0] > hp);
  });

  it('JSD values, symmetry, bounds and the KL form', () => {
    close(v(jsDivergence(logOf([[1 - 1e-12, 1e-12]]), logOf([[1e-12, 1 - 1e-12]])))[0], 0.693147, 1e-5);
    close(v(jsDivergence(logOf([[0.9, 0.1]]), logOf([[0.1, 0.9]])))[0], 0.368064);
    close(v(jsDivergence(logOf([[0.7, 0.2, 0.1]]), logOf([[0.1, 0.3, 0.6]])))[0], 0.230645);
    close(v(jsDivergence(logOf([[0.3, 0.3, 0.4]]), logOf([[0.3, 0.3, 0.4]])))[0], 0, 1e-6);
    close(v(jsDivergence(t2([[2, 1, 0]]), t2([[0, 1, 2]])))[0], 0.247588);
    const a = t2([[1.5, -2, 0.3, 4]]), b = t2([[0.1, 0.2, -3, 1]]);
    close(v(jsDivergence(a, b))[0], v(jsDivergence(b, a))[0], 1e-7, 'symmetry');
    // 0.5 KL(p||m) + 0.5 KL(q||m) in plain JS
    const sm = (z: number[]) => { const m = Math.max(...z); const e = z.map((x) => Math.exp(x - m)); const s = e.reduce((x, y) => x + y); return e.map((x) => x / s); };
    const p = sm(v(a)), q = sm(v(b)), m = p.map((x, i) => (x + q[i]) / 2);
    const kl = (x: number[]) => x.reduce((s, xi, i) => s + xi * Math.log(xi / m[i]), 0);
    close(v(jsDivergence(a, b))[0], 0.5 * kl(p) + 0.5 * kl(q), 1e-5, 'KL form');
    const ext = v(jsDivergence(t2([[50, -50], [-50, 50]]), t2([[-50, 50], [-50, 50]])));
    assert.ok(ext.every(Number.isFinite));
    close(ext[0], Math.LN2, 1e-5); close(ext[1], 0, 1e-6);
    assert.throws(() => jsDivergence(t2([[1, 2]]), t2([[1, 2, 3]])), /differ/);
  });
});

// Linear softmax model z = xW + b as a Layer.
function linearModel(W: number[][], b: number[]): Layer {
  return sequential('lin', [dense({ name: 'fc', inFeatures: W.length, units: W[0].length, values: { kernel: t2(W), bias: tf.tensor1d(b) } }, makeRng(0))]);
}

describe('cotraining: FGSM (spec 8.3, 8.4)', () => {
  const W = [[1, -2, 0.5], [0.3, 0.1, -1], [2, 0, 0], [-1, 1, 1]];
  const b = [0.1, -0.2, 0.05];
  it('perturbs by exactly +-eps along the closed-form sign W (p - y)', () => {
    const m = linearModel(W, b);
    const x = t2([[0.5, 0.2, 0.7, 0.4], [0.1, 0.9, 0.3, 0.6]]);
    const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3).toFloat();
    const adv = fgsm(m, x, y, { eps: 0.02, clip: null });
    const d = v(tf.sub(adv, x));
    assert.ok(d.every((e) => Math.abs(Math.abs(e) - 0.02) < 1e-6), `per-element perturbation must be +-eps: ${d}`);
    const z = v(m.apply(x, { training: false }));
    for (let r = 0; r < 2; r++) {
      const zr = z.slice(3 * r, 3 * r + 3), mx = Math.max(...zr), e = zr.map((q) => Math.exp(q - mx)), s = e.reduce((a, c) => a + c);
      const p = e.map((q) => q / s), yv = r === 0 ? [1, 0, 0] : [0, 0, 1];
      for (let i = 0; i < 4; i++) {
        const g = W[i].reduce((acc, w, k) => acc + w * (p[k] - yv[k]), 0);
        assert.strictEqual(Math.sign(d[4 * r + i]), Math.sign(g), `row ${r} input ${i}`);
      }
    }
    // loss w.r.t. the attacked model does not decrease
    const ce = (xx: tf.Tensor) => v(rowCrossEntropy(y, m.apply(xx, { training: false })));
    ce(adv).forEach((l, i) => assert.ok(l >= ce(x)[i] - 1e-7));
  });

  it('L2 norm eps*sqrt(d) for a 28x28 image, clipping to [0,1], zero gradient -> no perturbation', () => {
    const rng = makeRng(3);
    const m = mlpNet({ inFeatures: 784, hidden: [16], numClasses: 10, bn: false }, rng);
    const x = tf.tensor4d(Float32Array.from({ length: 784 }, () => 0.1 + 0.8 * rng.next()), [1, 28, 28, 1]);
    const t = tf.oneHot(tf.tensor1d([3], 'int32'), 10).toFloat();
    const adv = fgsm(m, x, t, { eps: 0.02, clip: [0, 1] });
    close(tf.norm(tf.sub(adv, x)).dataSync()[0], 0.56, 1e-4, 'L2 norm');
    const edge = tf.tensor4d(Float32Array.from({ length: 784 }, (_, i) => (i % 2 ? 0 : 1)), [1, 28, 28, 1]);
    const a2 = v(fgsm(m, edge, t, { eps: 0.3, clip: [0, 1] }));
    assert.ok(a2.every((q) => q >= 0 && q <= 1));
    // a model whose output ignores the input: zero gradient, sign 0, x unchanged
    const flat = linearModel([[0, 0], [0, 0]], [1, 0]);
    const x2 = t2([[0.3, 0.4]]);
    assert.deepStrictEqual(v(fgsm(flat, x2, t2([[1, 0]]), { eps: 0.1 })), v(x2));
    assert.throws(() => fgsm(flat, x2, t2([[1, 0]]), { eps: -1 }), /eps/);
    assert.throws(() => fgsm(flat, x2, t2([[1, 0]]), { eps: 0.1, mode: 'bogus' as never }), /unknown attack mode/);
  });

  it('leaves variables and BN running statistics unchanged (both attack modes)', () => {
    const rng = makeRng(5);
    const m = mlpNet({ inFeatures: 6, hidden: [8], numClasses: 3, bn: true }, rng);
    const before = [...collectParams(m), ...collectState(m)].map((nv) => v(nv.variable));
    const x = tf.randomUniform([5, 6], 0, 1, 'float32', 1);
    const t = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1], 'int32'), 3).toFloat();
    fgsm(m, x, t, { eps: 0.1, mode: 'eval' });
    fgsm(m, x, t, { eps: 0.1, mode: 'train', rng });
    const after = [...collectParams(m), ...collectState(m)].map((nv) => v(nv.variable));
    assert.deepStrictEqual(after, before);
  });

  it('targets: true labels for the labelled rows, own argmax for the rest', () => {
    const z = t2([[5, 0, 0], [0, 5, 0], [0, 0, 5], [0, 5, 0]]);
    const t = attackTargets(z, tf.tensor1d([2, 0], 'int32'));
    assert.deepStrictEqual(tf.argMax(t, 1).arraySync(), [2, 0, 2, 1]);
    assert.deepStrictEqual(tf.argMax(attackTargets(z, tf.tensor1d([2, 0], 'int32'), 'predicted-for-all'), 1).arraySync(), [0, 1, 2, 1]);
  });
});

describe('cotraining: schedules (spec 8.5)', () => {
  it('ramp, cosine, ImageNet cosine and step LR', () => {
    const r = rampWeight(10, 80);
    close(r(0), 0.067379, 1e-6); close(r(1), 0.076291, 1e-6); close(r(40), 2.865048, 1e-6);
    assert.strictEqual(r(80), 10); assert.strictEqual(r(200), 10);
    const lr = cosineLR(0.05, 600);
    close(lr(1), 0.1, 1e-12); close(lr(301), 0.05, 1e-12); close(lr(600), 6.854e-7, 1e-9);
    const il = imagenetDctLR();
    close(il(1), 0.01, 1e-12); close(il(20), 6.156e-5, 1e-8);
    const s = stepLR();
    assert.strictEqual(s(1), 0.1); assert.strictEqual(s(300), 0.1); close(s(301), 0.01, 1e-12); close(s(600), 0.01, 1e-12);
    assert.strictEqual(rampWeight(1, 0)(0), 1);
  });
});

describe('cotraining: bundles of data streams and pairing (spec 8.6, 8.10)', () => {
  it('each epoch: every index once per stream / bundle, equal ds sizes, sizes differ by <= 1, shared du', () => {
    const S = Int32Array.from({ length: 37 }, (_, i) => i * 3), U = Int32Array.from({ length: 500 }, (_, i) => 1000 + i);
    const bundle = streamBundle({ labelled: S, unlabelled: U, batchSize: 50, seed: 7 });
    assert.strictEqual(bundle.itersPerEpoch, Math.ceil(537 / 50));
    const ep = bundle.epoch(0);
    const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
    for (let s = 0; s < 2; s++) assert.deepStrictEqual(sorted(ep.flatMap((b) => [...b.ds[s]])), [...S]);
    assert.deepStrictEqual(sorted(ep.flatMap((b) => [...b.du])), [...U]);
    const sizes = ep.map((b) => b.ds[0].length);
    ep.forEach((b) => assert.strictEqual(b.ds[0].length, b.ds[1].length));
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    assert.notDeepStrictEqual(ep.flatMap((b) => [...b.ds[0]]), ep.flatMap((b) => [...b.ds[1]]));
    assert.deepStrictEqual(streamBundle({ labelled: S, unlabelled: U, batchSize: 50, seed: 7 }).epoch(0), ep);
    assert.notDeepStrictEqual(bundle.epoch(1)[0].du, ep[0].du);
  });

  it('SVHN-shaped sizes: 733 iterations with 1 or 2 labelled each', () => {
    const b = streamBundle({ labelled: Int32Array.from({ length: 1000 }, (_, i) => i), unlabelled: Int32Array.from({ length: 72257 }, (_, i) => 1000 + i), batchSize: 100, seed: 1 });
    assert.strictEqual(b.itersPerEpoch, 733);
    const ep = b.epoch(0);
    assert.ok(ep.every((x) => x.ds[0].length === 1 || x.ds[0].length === 2));
    assert.deepStrictEqual(evenChunks(10, 4), [3, 3, 2, 2]);
  });

  it('pairing: permutation, fixed pairs, odd n throws, all pairs eventually', () => {
    const rng = makeRng(2);
    const seen = new Set<string>();
    for (let it = 0; it < 200; it++) {
      const p = pairViews(4, 'random', rng);
      assert.deepStrictEqual(p.flat().sort(), [0, 1, 2, 3]);
      p.forEach(([a, b]) => seen.add(`${Math.min(a, b)}-${Math.max(a, b)}`));
    }
    assert.strictEqual(seen.size, 6);
    assert.deepStrictEqual(pairViews(6, 'fixed', rng), [[0, 1], [2, 3], [4, 5]]);
    assert.throws(() => pairViews(3, 'random', rng), /even/);
    assert.throws(() => pairViews(4, 'bogus' as never, rng), /unknown pairing/);
  });
});

describe('cotraining: loss normalisation and gradient flow (spec 8.7, 8.8, 8.11)', () => {
  // b = 2, |b_u| = 3, 3 classes, fixed logits.
  const Z = (seed: number, n: number) => tf.randomNormal([n, 3], 0, 2, 'float32', seed);
  it('L_sup, L_cot, L_dif equal a plain-JS Algorithm 1', () => {
    const z1 = Z(1, 5), z2 = Z(2, 5), a2 = Z(3, 5), a1 = Z(4, 5);
    const y1 = [0, 2], y2 = [1, 1];
    const rows = (t: tf.Tensor) => t.arraySync() as number[][];
    const lsm = (r: number[]) => { const m = Math.max(...r); const s = Math.log(r.reduce((a, x) => a + Math.exp(x - m), 0)) + m; return r.map((x) => x - s); };
    const [Z1, Z2, A2, A1] = [z1, z2, a2, a1].map(rows);
    let sup = 0; for (let i = 0; i < 2; i++) sup += -lsm(Z1[i])[y1[i]] - lsm(Z2[i])[y2[i]];
    sup /= 2;
    let cot = 0;
    for (let i = 2; i < 5; i++) {
      const p = lsm(Z1[i]).map(Math.exp), q = lsm(Z2[i]).map(Math.exp), m = p.map((x, k) => (x + q[k]) / 2);
      const H = (d: number[]) => -d.reduce((s, x) => s + x * Math.log(x), 0);
      cot += H(m) - (H(p) + H(q)) / 2;
    }
    cot /= 3;
    let dif = 0;
    for (let i = 0; i < 5; i++) {
      const p1 = lsm(Z1[i]).map(Math.exp), p2 = lsm(Z2[i]).map(Math.exp);
      dif += -p1.reduce((s, x, k) => s + x * lsm(A2[i])[k], 0) - p2.reduce((s, x, k) => s + x * lsm(A1[i])[k], 0);
    }
    dif /= 5;
    const sl = (t: tf.Tensor, a: number, n: number) => tf.slice(t, [a, 0], [n, 3]);
    close(supervisedLoss(sl(z1, 0, 2), tf.tensor1d(y1, 'int32'), sl(z2, 0, 2), tf.tensor1d(y2, 'int32')).dataSync()[0], sup, 1e-5, 'L_sup');
    close(coTrainingLoss(sl(z1, 2, 3), sl(z2, 2, 3)).dataSync()[0], cot, 1e-5, 'L_cot');
    close(viewDifferenceLoss(z1, a2, z2, a1).dataSync()[0], dif, 1e-5, 'L_dif');
    close(coTrainingLoss(z1, z1).dataSync()[0], 0, 1e-7, 'identical -> 0');
  });

  it('stopGradDifTargets: view 1 gets L_dif gradient only through p1(g2(x)); literal: both terms', () => {
    const rng = makeRng(9);
    const v1 = mlpNet({ inFeatures: 4, hidden: [5], numClasses: 3, bn: false }, rng.fork('a'));
    const v2 = mlpNet({ inFeatures: 4, hidden: [5], numClasses: 3, bn: false }, rng.fork('b'));
    const x = tf.randomUniform([6, 4], 0, 1, 'float32', 2), g1 = tf.randomUniform([6, 4], 0, 1, 'float32', 3), g2 = tf.randomUniform([6, 4], 0, 1, 'float32', 4);
    const vars1 = collectParams(v1).map((nv) => nv.variable);
    const grad = (f: () => tf.Scalar) => { const r = tf.variableGrads(f, vars1); return vars1.map((vv) => v(r.grads[vv.name])); };
    const ap = (m: Layer, t: tf.Tensor) => m.apply(t, { training: true });
    const full = (stop: boolean) => () => viewDifferenceLoss(ap(v1, x), ap(v2, g1), ap(v2, x), ap(v1, g2), stop);
    const onlyAdvTerm = () => tf.div(tf.sum(rowCrossEntropy(tf.softmax(ap(v2, x)), ap(v1, g2))), 6) as tf.Scalar;
    const gStop = grad(full(true)), gAdv = grad(onlyAdvTerm), gLit = grad(full(false));
    gStop.forEach((g, i) => g.forEach((q, k) => close(q, gAdv[i][k], 1e-6)));
    assert.ok(gLit.some((g, i) => g.some((q, k) => Math.abs(q - gAdv[i][k]) > 1e-5)), 'literal reading must add the target-branch gradient');
  });

  it('lambda = 0: view 1 gradients do not depend on view 2; no gradient through the FGSM construction', () => {
    const d = moonsSemiSup({ n: 200, test: 50, seed: 1 });
    const mk = (s: number) => mlpNet({ inFeatures: 2, hidden: [8], numClasses: 2, bn: false }, makeRng(s));
    const v1 = mk(1), v2a = mk(2), v2b = mk(3);
    const batch = streamBundle({ labelled: d.labelled, unlabelled: d.unlabelled, batchSize: 100, seed: 1 }).epoch(0)[0];
    const vars1 = collectParams(v1).map((nv) => nv.variable);
    const g = (v2: Layer) => {
      const r = tf.variableGrads(() => pairLoss(v1, v2, d, batch, { lambdaCot: 0, lambdaDif: 0, eps: 0.1, clip: null, rng: makeRng(0) })[0], vars1);
      return vars1.map((vv) => v(r.grads[vv.name]));
    };
    assert.deepStrictEqual(g(v2a), g(v2b));
    // FGSM output is a constant: the gradient of its sum w.r.t. the attacked model's variables is absent.
    const x = tf.randomUniform([4, 2], 0, 1, 'float32', 5);
    const r = tf.variableGrads(() => tf.add(tf.sum(fgsm(v1, x, tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2).toFloat(), { eps: 0.1 })), tf.mul(tf.sum(vars1[0]), 0)) as tf.Scalar, vars1);
    assert.ok(v(r.grads[vars1[0].name]).every((q) => q === 0));
    disposeData(d);
  });
});

describe('cotraining: models, views and evaluation (spec 8.9, 8.12, full-size counts)', () => {
  it('views from different seeds differ; odd view counts throw', () => {
    const views = makeViews(4, (r) => mlpNet({ inFeatures: 64, hidden: [16], numClasses: 10 }, r), 1);
    const k = views.map((m) => v(collectParams(m)[0].variable).slice(0, 20).join());
    assert.strictEqual(new Set(k).size, 4);
    assert.throws(() => makeViews(3, (r) => mlpNet({ inFeatures: 2, hidden: [], numClasses: 2 }, r), 1), /even/);
  });

  it('full-size models: ConvLargeBN 3,121,802 params (C=10), ResNet-18 11,689,512; ConvSmall28 runs', () => {
    // ConvLarge convs (no bias, BN follows): 3*9*128 + 2*128*9*128 + 128*9*256 + 2*256*9*256 + 256*9*512
    // + 512*256 + 256*128 = 3,116,416; BN gamma+beta 2*(3*128+3*256+512+256+128) = 4,096; dense 128*10+10.
    const cl = convLargeBN(makeRng(0));
    assert.strictEqual(countParams(cl), 3116416 + 4096 + 1290);
    disposeLayer(cl);
    const r = resnet18View(0);
    assert.strictEqual(countParams(r), 11689512);
    disposeLayer(r);
    const cs = convSmall28(makeRng(1));
    assert.deepStrictEqual(cs.apply(tf.zeros([2, 28, 28, 1]), { training: false }).shape, [2, 10]);
    disposeLayer(cs);
  });

  it('mean single-view accuracy is the mean of per-view accuracies; ensemble is separate', () => {
    // Two fixed linear "views" on 2-D points with known predictions.
    const a = linearModel([[1, 0], [0, 1]], [0, 0]), b = linearModel([[0, 1], [1, 0]], [0, 0]);
    const x = t2([[1, 0], [0, 1], [2, 1], [0.2, 0.1]]), y = Int32Array.from([0, 1, 0, 1]);
    const ev = evaluateViews([a, b], x, y);
    assert.deepStrictEqual(ev.viewAcc, [0.75, 0.25]);
    assert.strictEqual(ev.meanAcc, 0.5);
    assert.strictEqual(ev.bothWrong, 0); // the only error of view a (row 4) is right in view b
    close(ev.independentBothWrong, 0.25 * 0.75, 1e-12);
  });
});

describe('cotraining: data and training', () => {
  it('two moons are reproducible, balanced and standardised', () => {
    const m = makeMoons(100, { seed: 3 });
    assert.deepStrictEqual(makeMoons(100, { seed: 3 }).x, m.x);
    assert.strictEqual(m.labels.reduce((s, l) => s + l, 0), 50);
    let s = 0; for (let i = 0; i < 100; i++) s += m.x[2 * i];
    close(s / 100, 0, 1e-5);
    assert.throws(() => makeMoons(1, { seed: 1 }), /n must be/);
  });

  it('digits split: 10 per class labelled, S and U disjoint and cover the pool, deterministic', () => {
    const d = digitsSemiSup({ seed: 4 });
    assert.strictEqual(d.labelled.length, 100);
    const counts = new Array(10).fill(0); d.labelled.forEach((i) => counts[d.y[i]]++);
    assert.ok(counts.every((c) => c === 10));
    const all = new Set([...d.labelled, ...d.unlabelled]);
    assert.strictEqual(all.size, d.x.shape[0]);
    assert.strictEqual(d.labelled.length + d.unlabelled.length, d.x.shape[0]);
    const d2 = digitsSemiSup({ seed: 4 });
    assert.deepStrictEqual(d2.labelled, d.labelled);
    disposeData(d); disposeData(d2);
  });

  it('DCT on the toy trains, logs every indicator and does not leak tensors across epochs', () => {
    const d = moonsSemiSup({ n: 300, test: 200, seed: 2 });
    const views = makeViews(2, (r) => mlpNet({ inFeatures: 2, hidden: [16, 16], numClasses: 2, bn: false }, r), 2);
    const st = dctState(views);
    const cfg = { lambdaCotMax: 10, lambdaDifMax: 0.5, warmupEpochs: 1, epochs: 2, batchSize: 100, eps: 0.1 };
    trainDct(st, d, { ...cfg, epochs: 1 }, 1);
    const n0 = tf.memory().numTensors;
    const logs = trainDct(st, d, cfg, 1);
    assert.strictEqual(tf.memory().numTensors, n0);
    assert.strictEqual(logs.length, 2);
    assert.strictEqual(logs[1].epoch, 3);
    for (const l of logs) {
      assert.ok(l.trainLsup > 0 && l.trainLcot >= 0 && l.trainLdif > 0, JSON.stringify(l));
      assert.ok(l.meanAcc > 0.5 && l.meanAcc <= 1);
      assert.ok(l.transferRate >= 0 && l.transferRate <= 1 && l.probeLcot <= Math.LN2);
    }
    assert.throws(() => trainDct(st, d, { ...cfg, epochs: 0 }, 1), /epochs must be a positive integer/);
    assert.throws(() => trainDct(st, d, { ...cfg, pairing: 'bogus' as never }, 1), /pairing/);
    disposeData(d);
  });
});

describe('cotraining: experiment runners (tiny budgets)', () => {
  it('runToy and runDigits return seeded records with the logs the notebook plots', async () => {
    const { runToy, runDigits, variantLambdas, toyBoundaries } = await import('../lib/papers/cotraining');
    const n0 = tf.memory().numTensors;
    const toy = await runToy({ seed: 1, epochs: 2, variants: ['sup-only', 'L_cot+L_dif'], grid: 8, eps: 0.1 });
    assert.strictEqual(tf.memory().numTensors, n0, 'runToy must dispose its data, views and grids');
    assert.strictEqual(toy.seed, 1);
    assert.ok(toy.wallTimeMs > 0 && typeof toy.backend === 'string');
    assert.strictEqual(toy.metrics.variants.length, 2);
    assert.strictEqual(toy.metrics.variants[0].prob1[0].length, 64);
    assert.ok(toy.metrics.variants[0].prob1[0].every((p) => p >= 0 && p <= 1));
    assert.strictEqual(toy.metrics.points.filter((p) => p.labelled).length, 6);
    assert.ok(Array.isArray((toyBoundaries(toy.metrics) as { facet?: unknown; data: { values: unknown[] } }).data.values));
    const runs = await runDigits({ seed: 2, epochs: 1, variants: ['sup-only', 'L_cot+L_dif'], views: 2, eps: 0.02, lambdaCotMax: 10, lambdaDifMax: 0.5, perClass: 10, batchSize: 100 });
    assert.deepStrictEqual(runs.map((r) => r.metrics.variant), ['sup-only', 'L_cot+L_dif']);
    assert.strictEqual(runs[0].metrics.final.trainLcot, 0);
    assert.ok(runs[1].metrics.final.trainLcot > 0 && runs[1].metrics.final.trainLdif > 0);
    assert.ok(runs.every((r) => r.metrics.final.meanAcc > 0.2));
    assert.throws(() => variantLambdas('bogus' as never, 1, 1), /unknown DCT variant/);
  });
});

describe('cotraining: datasets from any ImageSet (SVHN / CIFAR users)', () => {
  it('builds S, U and a [0,1] test tensor; rejects mismatched class counts', async () => {
    const { semiSupFromImageSets } = await import('../lib/papers/cotraining');
    const mk = (n: number, k: number) => ({
      images: Uint8Array.from({ length: n * 4 * 4 * 3 }, (_, i) => i % 256), shape: [n, 4, 4, 3] as [number, number, number, number],
      labels: Int32Array.from({ length: n }, (_, i) => i % k), classNames: Array.from({ length: k }, (_, i) => String(i)), maxValue: 255,
    });
    const d = semiSupFromImageSets(mk(60, 3), mk(9, 3), { perClass: 4, seed: 1 });
    assert.strictEqual(d.labelled.length, 12);
    assert.strictEqual(d.unlabelled.length, 48);
    assert.deepStrictEqual(d.inputShape, [4, 4, 3]);
    const tx = d.testX.dataSync();
    assert.ok(tx.every((q) => q >= 0 && q <= 1));
    close(tx[5], 5 / 255, 1e-7);
    disposeData(d);
    assert.throws(() => semiSupFromImageSets(mk(60, 3), mk(9, 4), { perClass: 4, seed: 1 }), /classes/);
  });
});

describe('cotraining: augmentation (spec 8.14, §2.5 shared d_u)', () => {
  // Shift of image b relative to a (zero-padded), or null if no |dy|,|dx| <= m matches.
  const shiftOf = (a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number, m: number): [number, number] | null => {
    for (let dy = -m; dy <= m; dy++) for (let dx = -m; dx <= m; dx++) {
      let ok = true;
      for (let y = 0; y < h && ok; y++) for (let x = 0; x < w && ok; x++) {
        const sy = y + dy, sx = x + dx;
        const want = sy >= 0 && sy < h && sx >= 0 && sx < w ? a[sy * w + sx] : 0;
        if (Math.abs(want - b[y * w + x]) > 1e-7) ok = false;
      }
      if (ok) return [dy, dx];
    }
    return null;
  };

  it('float batches: shape kept, zero shift = identity, shifts within 2 px and all used, flip twice = identity', async () => {
    const { randomCrop, randomFlip } = await import('../lib/data/augment');
    const h = 6, w = 5, n = 200;
    const rng = makeRng(3);
    const images = Float32Array.from({ length: n * h * w }, () => 0.05 + rng.next());
    const b = { images, shape: [n, h, w, 1] as [number, number, number, number] };
    const same = randomCrop(b, 0, makeRng(1));
    assert.deepStrictEqual(same.shape, b.shape);
    assert.ok(same.images instanceof Float32Array && same.images.every((q, i) => q === images[i]));
    const t = randomCrop(b, 2, makeRng(1));
    assert.deepStrictEqual(t.shape, b.shape);
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const s = shiftOf(images.subarray(i * h * w, (i + 1) * h * w), t.images.subarray(i * h * w, (i + 1) * h * w), h, w, 2);
      assert.ok(s, `image ${i}: not a translation by <= 2 px`);
      seen.add(s!.join(','));
    }
    assert.strictEqual(seen.size, 25, 'every shift in [-2,2]^2 occurs over 200 images');
    const f1 = randomFlip(b, 1, makeRng(0));
    assert.ok(f1.images.some((q, i) => q !== images[i]));
    close(f1.images[0], images[w - 1], 0, 'first pixel of the flip = last of the row');
    const f2 = randomFlip(f1, 1, makeRng(0));
    assert.ok(f2.images.every((q, i) => q === images[i]));
  });

  it('augmentedPairInputs: shared d_u identical for both networks by default, independent when asked', async () => {
    const { augmentedPairInputs, augmentRows } = await import('../lib/papers/cotraining');
    const d = digitsSemiSup({ seed: 1 });
    const batch = { ds: [d.labelled.subarray(0, 8), d.labelled.subarray(8, 16)], du: d.unlabelled.subarray(0, 40) };
    const per = 64, b = 8;
    const pool = d.x.dataSync();
    const shared = augmentedPairInputs(d.x, batch, { maxShift: 1 }, true, makeRng(5));
    assert.deepStrictEqual(shared.x1.shape, [48, 8, 8, 1]);
    const x1 = shared.x1.dataSync(), x2 = shared.x2.dataSync();
    assert.ok(x1.subarray(b * per).every((q, i) => q === x2[b * per + i]), 'd_u rows must be the same tensor values for both views');
    let moved = 0;
    const rowsOf = [...batch.ds[0], ...batch.du];
    rowsOf.forEach((src, r) => {
      const s = shiftOf(pool.subarray(src * per, (src + 1) * per), x1.subarray(r * per, (r + 1) * per), 8, 8, 1);
      assert.ok(s, `row ${r} is not its source image shifted by <= 1 px`);
      if (s![0] !== 0 || s![1] !== 0) moved++;
    });
    assert.ok(moved > 20, `augmentation must move most images, moved ${moved} of 48`);
    const ind = augmentedPairInputs(d.x, batch, { maxShift: 1, independentAugmentU: true }, true, makeRng(5));
    const i1 = ind.x1.dataSync(), i2 = ind.x2.dataSync();
    let differ = 0;
    for (let r = b; r < 48; r++) if (i1.subarray(r * per, (r + 1) * per).some((q, k) => q !== i2[r * per + k])) differ++;
    assert.ok(differ > 20, `independentAugmentU: d_u rows should differ between views, ${differ} of 40 did`);
    const noU = augmentedPairInputs(d.x, batch, { maxShift: 1 }, false, makeRng(5));
    assert.strictEqual(noU.x1.shape[0], 8);
    const again = augmentedPairInputs(d.x, batch, { maxShift: 1 }, true, makeRng(5));
    assert.ok(again.x1.dataSync().every((q, i) => q === x1[i]), 'seeded');
    assert.throws(() => augmentedPairInputs(d.x, batch, { maxShift: 1.5 }, true, makeRng(0)), /maxShift/);
    const moons = moonsSemiSup({ n: 50, test: 10, seed: 0 });
    assert.throws(() => augmentRows(moons.x, [0, 1], { maxShift: 1 }, makeRng(0)), /NHWC/);
    [shared, ind, noU, again].forEach((p) => { p.x1.dispose(); p.x2.dispose(); });
    disposeData(d); disposeData(moons);
  });

  it('trainDct feeds both views the identical augmented d_u (independent on request), no tensor leak', () => {
    const d = digitsSemiSup({ seed: 2 });
    const firstInputs = (augment: { maxShift: number; independentAugmentU?: boolean }) => {
      const views = makeViews(2, (r) => mlpNet({ inFeatures: 64, hidden: [16], numClasses: 10 }, r), 3);
      const seen: Float32Array[][] = [[], []];
      const spied = views.map((v, i) => ({ ...v, apply: (x: tf.Tensor, ctx: { training: boolean }) => {
        if (ctx.training && seen[i].length === 0) seen[i].push(x.dataSync() as Float32Array);
        return v.apply(x, ctx as never);
      } })) as Layer[];
      const st = dctState(spied);
      const cfg = { lambdaCotMax: 10, lambdaDifMax: 0.5, warmupEpochs: 0, epochs: 1, batchSize: 100, eps: 0.02, augment, probeSize: 50 };
      trainDct(st, d, cfg, 4);
      const n0 = tf.memory().numTensors; // after the optimiser made its momentum buffers
      trainDct(st, d, cfg, 5);
      assert.strictEqual(tf.memory().numTensors, n0, 'augmentation must not leak tensors');
      st.optimizer.dispose(); views.forEach(disposeLayer);
      return seen.map((s) => s[0]);
    };
    // ~8 labelled + ~92 unlabelled rows per batch: the last 85 rows are d_u for both views.
    const tail = (a: Float32Array) => a.subarray(a.length - 85 * 64);
    const [a1, a2] = firstInputs({ maxShift: 1 });
    assert.ok(a1.length >= 95 * 64 && a1.length === a2.length, `stream batch of ${a1.length / 64} rows`);
    assert.ok(tail(a1).every((q, i) => q === tail(a2)[i]), 'shared d_u must be identical for both views');
    assert.ok(a1.subarray(0, 8 * 64).some((q, i) => q !== a2[i]), 'labelled parts differ (different streams)');
    const [b1, b2] = firstInputs({ maxShift: 1, independentAugmentU: true });
    assert.ok(tail(b1).some((q, i) => q !== tail(b2)[i]), 'independentAugmentU: d_u differs between views');
    disposeData(d);
  });
});
