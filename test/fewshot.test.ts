// Spec ch2 section 8 checks for lib/papers/fewshot (pure parts: phi, sampler, loss, inference,
// baselines, metrics, impacts, glyphs, .npy).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import * as fs2 from '../lib/papers/fewshot';
import { countParams } from '../lib/nn/tree';
import { sgd } from '../lib/train/optimizers';

const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b} (tol ${tol})`);

function randomNonNeg(rows: number, dim: number, seed: number): Float32Array {
  const r = makeRng(seed);
  return Float32Array.from({ length: rows * dim }, () => Math.max(0, r.normal()) + 0.01);
}

/** Small clustered features: class c centred on a positive random prototype. */
function clusteredFeatures(classes: number[], perClass: number, dim: number, seed: number, noise = 0.3): fs2.Features {
  const r = makeRng(seed);
  const protos = classes.map(() => Float32Array.from({ length: dim }, () => Math.abs(r.normal()) * 2));
  const x = new Float32Array(classes.length * perClass * dim);
  const labels = new Int32Array(classes.length * perClass);
  classes.forEach((c, ci) => {
    for (let s = 0; s < perClass; s++) {
      const i = ci * perClass + s;
      labels[i] = c;
      for (let j = 0; j < dim; j++) x[i * dim + j] = Math.max(0, protos[ci][j] + noise * r.normal());
    }
  });
  return { x, labels, dim };
}

describe('fewshot: parameter predictor phi', () => {
  it('maps [K, n] -> [K, n] with unit-norm rows (check 1) and is identity-initialised (check 2)', () => {
    const n = 16; const K = 5;
    const s = randomNonNeg(K, n, 1);
    for (const variant of ['phi1', 'phi2'] as const) {
      const phi = fs2.paramPredictor({ variant, dim: n });
      const out = tf.tidy(() => phi.apply(tf.tensor2d(s, [K, n]), { training: false }));
      assert.deepEqual(out.shape, [K, n]);
      const v = out.dataSync(); out.dispose();
      for (let k = 0; k < K; k++) {
        let norm = 0; let sn = 0;
        for (let j = 0; j < n; j++) { norm += v[k * n + j] ** 2; sn += s[k * n + j] ** 2; }
        close(Math.sqrt(norm), 1, 1e-5, `${variant} row ${k} norm`);
        for (let j = 0; j < n; j++) close(v[k * n + j], s[k * n + j] / Math.sqrt(sn), 1e-5, `${variant} identity`);
      }
    }
  });

  it('has the full-size parameter counts (2048-d: phi1 4,196,352; phi2 8,392,704; 640-d WRN phi2 820,480)', () => {
    assert.equal(fs2.phiParamCount('phi1', 2048), 4196352);
    assert.equal(fs2.phiParamCount('phi2', 2048), 8392704);
    assert.equal(fs2.phiParamCount('phi2', 640), 820480);
    assert.equal(fs2.phiParamCount('phi2', 64), 8320);
    const big = fs2.paramPredictor({ variant: 'phi2', dim: 2048 });
    assert.equal(countParams(big), 8392704);
    fs2.phiParams(big).forEach((v) => v.variable.dispose());
    const small = fs2.paramPredictor({ variant: 'phi1', dim: 64, init: 'glorot', rng: makeRng(3) });
    assert.equal(countParams(small), 64 * 64 + 64);
  });

  it('rejects bad configs and inputs with named errors', () => {
    assert.throws(() => fs2.paramPredictor({ variant: 'phi3' as never, dim: 4 }), /unknown variant 'phi3'/);
    assert.throws(() => fs2.paramPredictor({ variant: 'phi2', dim: 0 }), /dim must be a positive integer/);
    assert.throws(() => fs2.paramPredictor({ variant: 'phi2', dim: 4, init: 'zeros' as never }), /unknown init/);
    const phi = fs2.paramPredictor({ variant: 'phi1', dim: 4 });
    assert.throws(() => tf.tidy(() => phi.apply(tf.zeros([2, 5]), { training: false })), /expected statistics \[K, 4\], got \[2,5\]/);
  });

  it('identity phi without output normalisation and normalised queries gives cosine similarities (check 3)', () => {
    const n = 8;
    const means = randomNonNeg(3, n, 5); const q = randomNonNeg(4, n, 6);
    const phi = fs2.paramPredictor({ variant: 'phi2', dim: n, normalizeOutput: false });
    const clf = fs2.buildPredictedClassifier(phi, means, [0, 1, 2], [], { normalizeQueryActivation: true, logitScale: 1 });
    const z = tf.tidy(() => fs2.classifierScores(clf, tf.tensor2d(q, [4, n])));
    const zv = z.dataSync(); z.dispose(); clf.dispose();
    const cos = fs2.cosineMatrix(q, means, n);
    for (let i = 0; i < 12; i++) close(zv[i], cos[i], 1e-5, 'cosine');
  });

  it('phi1 without normalisation is linear: phi(mean s_i) = mean phi(s_i) (check 4)', () => {
    const n = 6;
    const phi = fs2.paramPredictor({ variant: 'phi1', dim: n, normalizeInput: false, normalizeOutput: false, init: 'glorot', rng: makeRng(9) });
    const s = randomNonNeg(4, n, 7);
    const [a, b] = tf.tidy(() => {
      const st = tf.tensor2d(s, [4, n]);
      return [phi.apply(tf.mean(st, 0, true), { training: false }).dataSync(), tf.mean(phi.apply(st, { training: false }), 0).dataSync()];
    });
    for (let j = 0; j < n; j++) close(a[j], b[j], 1e-5, 'linearity');
  });
});

describe('fewshot: activation store and statistic sampler (check 5, 6)', () => {
  const f = clusteredFeatures([3, 5, 7], 20, 4, 11);
  const store = fs2.makeActivationStore(f);
  it('keeps raw class means over all rows', () => {
    assert.deepEqual(store.classes, [3, 5, 7]);
    for (let j = 0; j < 4; j++) {
      let s = 0; for (let i = 20; i < 40; i++) s += f.x[i * 4 + j];
      close(store.means[4 + j], s / 20, 1e-5, 'mean');
    }
  });
  it('pMean = 1 always gives the mean, pMean = 0 always a member of A_y', () => {
    const rng = makeRng(1);
    for (let t = 0; t < 50; t++) {
      const a = fs2.sampleStatistic(store, 1, 1, rng);
      assert.ok(a.isMean); assert.deepEqual(Array.from(a.value), Array.from(fs2.classMean(store, 1)));
      const b = fs2.sampleStatistic(store, 1, 0, rng);
      assert.ok(!b.isMean);
      const members = Array.from(store.rowsOf[1]).some((r) => Array.from(f.x.subarray(r * 4, r * 4 + 4)).every((v, j) => v === b.value[j]));
      assert.ok(members, 'individual statistic is a row of class 5');
    }
    assert.throws(() => fs2.sampleStatistic(store, 0, 1.5, rng), /pMean must be in \[0, 1\]/);
  });
  it('the mean fraction is within 3 binomial sd of pMean, and E[s_y] -> abar_y', () => {
    const rng = makeRng(2); const p = 0.3; const N = 10000;
    let means = 0; const acc = new Float64Array(4);
    for (let t = 0; t < N; t++) {
      const s = fs2.sampleStatistic(store, 2, p, rng);
      if (s.isMean) means++;
      for (let j = 0; j < 4; j++) acc[j] += s.value[j] / N;
    }
    assert.ok(Math.abs(means / N - p) <= 3 * Math.sqrt((p * (1 - p)) / N), `fraction ${means / N}`);
    for (let j = 0; j < 4; j++) close(acc[j], store.means[8 + j], 0.05, 'E[s_y]');
  });
  it('builds batches: one statistic per class, m activations per class, class-major labels, logits [C*m, C]', () => {
    const rng = makeRng(3);
    const S = fs2.sampleStatisticSet(store, 0.9, rng);
    const T = fs2.sampleTrainingSet(store, 4, rng);
    assert.equal(S.length, 3 * 4);
    assert.deepEqual(Array.from(T.labels), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    for (let r = 0; r < 12; r++) {
      const row = T.x.subarray(r * 4, r * 4 + 4);
      const cls = store.classes[T.labels[r]];
      assert.ok(Array.from(store.rowsOf[T.labels[r]]).some((i) => f.labels[i] === cls && f.x.subarray(i * 4, i * 4 + 4).every((v, j) => v === row[j])));
    }
    const phi = fs2.paramPredictor({ variant: 'phi2', dim: 4 });
    const logits = tf.tidy(() => fs2.predictedLogits(phi, tf.tensor2d(S, [3, 4]), tf.tensor2d(T.x, [12, 4])));
    assert.deepEqual(logits.shape, [12, 3]); logits.dispose();
    assert.throws(() => fs2.sampleTrainingSet(store, 0, rng), /trainPerClass must be a positive integer/);
  });
  it('subsets 10% of each class with at least one item per class', () => {
    const sub = fs2.subsetFeatures(f, 0.1, makeRng(4));
    assert.deepEqual(Array.from(sub.labels), [3, 3, 5, 5, 7, 7]);
    assert.equal(fs2.subsetFeatures(f, 0.001, makeRng(4)).labels.length, 3);
  });
});

describe('fewshot: loss and training', () => {
  it('equals the hand-computed cross-entropy on the 2-class example (check 7)', () => {
    const phi = fs2.paramPredictor({ variant: 'phi1', dim: 2, normalizeInput: false, normalizeOutput: false, bias: false });
    const loss = tf.tidy(() => fs2.phiBatchLoss(phi, tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[2, 0], [0, 1]]), tf.tensor1d([0, 1], 'int32')));
    close(loss.dataSync()[0], 0.220095, 1e-5, 'loss'); loss.dispose();
    close(Math.log(1 + Math.exp(-2)), 0.126928, 1e-6); close(Math.log(1 + Math.exp(-1)), 0.313262, 1e-6);
  });

  it('logitScaleFor rescales the mean activation norm to the target', () => {
    const f: fs2.Features = { x: Float32Array.from([3, 4, 0, 1]), labels: Int32Array.from([0, 1]), dim: 2 };
    close(fs2.logitScaleFor(f, 15), 15 / 3, 1e-9);
    assert.throws(() => fs2.logitScaleFor({ x: new Float32Array(2), labels: Int32Array.from([0]), dim: 2 }), /all zero/);
  });

  it('SGD weight decay follows Torch: zero data gradient shrinks theta by lr*wd*theta (check 10)', () => {
    const v = tf.variable(tf.tensor1d([1, -2, 4]));
    // The optimiser configuration trainPhi uses (lib/train sgd, decayAll as Torch optim.sgd).
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.5, decayAll: true });
    const g = tf.zeros([3]);
    opt.apply([{ nv: { path: 'w', variable: v, decay: false }, grad: g }]);
    g.dispose();
    const got = v.dataSync();
    [1, -2, 4].forEach((t, i) => close(got[i], t - 0.1 * 0.5 * t, 1e-6, 'decay'));
    opt.dispose(); v.dispose();
  });

  it('training phi lowers the loss, changes only phi, keeps tensors bounded (check 9)', () => {
    const f = clusteredFeatures([0, 1, 2, 3, 4], 40, 8, 21, 1.2);
    const store = fs2.makeActivationStore(f);
    // A "backbone" variable that must stay bit-identical: activations are pre-computed, it never enters the loss.
    const backbone = tf.variable(tf.randomNormal([3, 3], 0, 1, 'float32', 5));
    const before = Array.from(backbone.dataSync());
    const phi = fs2.paramPredictor({ variant: 'phi2', dim: 8 });
    const w0 = Array.from(phi.children[0].params[0].variable.dataSync());
    const n0 = tf.memory().numTensors;
    const res = fs2.trainPhi(store, phi, { pMean: 0.9, iterations: 150, lr: 0.01, trainPerClass: 4, seed: 1, logEvery: 30 });
    assert.equal(tf.memory().numTensors, n0, 'no tensor leak across iterations');
    assert.deepEqual(Array.from(backbone.dataSync()), before);
    assert.notDeepEqual(Array.from(phi.children[0].params[0].variable.dataSync()), w0);
    assert.equal(res.curve.length, 5);
    assert.ok(res.curve[4].loss < res.curve[0].loss, `loss ${res.curve[0].loss} -> ${res.curve[4].loss}`);
    backbone.dispose();
    assert.throws(() => fs2.trainPhi(store, phi, { pMean: 2, iterations: 1, seed: 0 }), /pMean must be in \[0, 1\]/);
    assert.throws(() => fs2.trainPhi(store, phi, { pMean: 0.5, iterations: 1, seed: 0, logitScale: 0 }), /logitScale must be > 0/);
  });
});

describe('fewshot: inference and baselines', () => {
  it('a novel class scores the max over its shots; max and mean agree for one shot (check 8)', () => {
    const n = 5;
    const phi = fs2.paramPredictor({ variant: 'phi2', dim: n });
    const means = randomNonNeg(2, n, 31); const shots = randomNonNeg(3, n, 32); const q = randomNonNeg(6, n, 33);
    const clf = fs2.buildPredictedClassifier(phi, means, [0, 1], [{ label: 9, shots }]);
    assert.deepEqual(clf.classes, [0, 1, 9]);
    assert.deepEqual(Array.from(clf.rowClass), [0, 1, 2, 2, 2]);
    const z = tf.tidy(() => fs2.classifierScores(clf, tf.tensor2d(q, [6, n])).arraySync()) as number[][];
    const rows = tf.tidy(() => tf.matMul(tf.tensor2d(q, [6, n]), clf.weights, false, true).arraySync()) as number[][];
    for (let i = 0; i < 6; i++) {
      close(z[i][2], Math.max(rows[i][2], rows[i][3], rows[i][4]), 1e-6, 'max over shots');
      close(z[i][0], rows[i][0], 1e-6, 'large row');
    }
    clf.dispose();
    const one = shots.subarray(0, n);
    const a = fs2.buildPredictedClassifier(phi, means, [0, 1], [{ label: 9, shots: one }], { novelAggregation: 'max' });
    const b = fs2.buildPredictedClassifier(phi, means, [0, 1], [{ label: 9, shots: one }], { novelAggregation: 'mean' });
    const [za, zb] = tf.tidy(() => [fs2.classifierScores(a, tf.tensor2d(q, [6, n])).dataSync(), fs2.classifierScores(b, tf.tensor2d(q, [6, n])).dataSync()]);
    for (let i = 0; i < za.length; i++) close(za[i], zb[i], 1e-6, 'one-shot max == mean');
    a.dispose(); b.dispose();
    assert.throws(() => fs2.buildPredictedClassifier(phi, means, [0, 1], [{ label: 1, shots: one }]), /duplicate class labels/);
    assert.throws(() => fs2.buildPredictedClassifier(phi, means, [0, 1], [], { novelAggregation: 'median' as never }), /unknown novelAggregation/);
  });

  it('top-k accuracy over all classes and per subset (check 11)', () => {
    // 3 queries x 4 classes; classes = labels [10, 11, 12, 13].
    const scores: fs2.Scores = { numClasses: 4, values: Float32Array.from([
      0.9, 0.5, 0.1, 0.0, // true 10: rank 1
      0.9, 0.5, 0.1, 0.0, // true 11: rank 2
      0.1, 0.2, 0.3, 0.9, // true 12: rank 2
    ]) };
    const labels = Int32Array.from([10, 11, 12]); const classes = [10, 11, 12, 13];
    close(fs2.topKAccuracy(scores, labels, classes, 1), 1 / 3, 1e-9);
    close(fs2.topKAccuracy(scores, labels, classes, 2), 1, 1e-9);
    close(fs2.topKAccuracy(scores, labels, classes, 1, [11, 12]), 0, 1e-9);
    close(fs2.topKAccuracy(scores, labels, classes, 1, [10]), 1, 1e-9);
    assert.throws(() => fs2.topKAccuracy(scores, Int32Array.from([10, 11, 99]), classes, 1), /label 99 is not one of the classifier's classes/);
    assert.throws(() => fs2.topKAccuracy(scores, labels, classes, 0), /k must be a positive integer/);
  });

  it('CosineNN returns a gallery item class with score 1 and max over items (check 12)', () => {
    const g: fs2.Features = { x: Float32Array.from([1, 0, 0, 1, 1, 1, 0.2, 1]), labels: Int32Array.from([4, 4, 7, 7]), dim: 2 };
    const nn = fs2.buildCosineNN(g, [4, 7]);
    const z = tf.tidy(() => fs2.cosineNNScores(nn, tf.tensor2d([[0, 3], [2, 2]])).arraySync());
    close(z[0][0], 1, 1e-6); close(z[0][1], 1 / Math.hypot(0.2, 1), 1e-6);
    close(z[1][1], 1, 1e-6); close(z[1][0], Math.SQRT1_2, 1e-6);
    nn.dispose();
    assert.throws(() => fs2.buildCosineNN(g, [4]), /gallery label 7 not in classes/);
  });

  it('fine-tuning only novel rows keeps the pre-trained rows fixed; the linear head learns separable data', () => {
    const f = clusteredFeatures([0, 1, 2], 30, 6, 41, 0.2);
    const full = fs2.trainLinearHead(f, [0, 1, 2], { steps: 150, lr: 0.05, seed: 1 });
    const sc = fs2.scoreInChunks(f, (q) => fs2.linearScores(full, q), 25);
    assert.ok(fs2.topKAccuracy(sc, f.labels, [0, 1, 2], 1) > 0.95);
    const k = Float32Array.from(full.kernel.dataSync()).filter((_, i) => i % 3 < 2);
    const pre = { kernel: k, bias: Float32Array.from(full.bias.dataSync()).slice(0, 2), numClasses: 2 };
    const llac = fs2.trainLinearHead(f, [0, 1, 2], { steps: 20, seed: 2, trainableRows: 'novel', init: pre });
    const kv = llac.kernel.dataSync();
    for (let j = 0; j < 6; j++) for (let c = 0; c < 2; c++) assert.equal(kv[j * 3 + c], pre.kernel[j * 2 + c]);
    full.dispose(); llac.dispose();
    assert.throws(() => fs2.trainLinearHead(f, [0, 1, 2], { steps: 1, seed: 0, trainableRows: 'novel' }), /needs a pre-trained init head/);
  });

  it('meanCI95 uses the sample std (check 14)', () => {
    const r = fs2.meanCI95([0.5, 0.6, 0.7, 0.8]);
    close(r.mean, 0.65, 1e-12);
    const sd = Math.sqrt((0.0225 + 0.0025 + 0.0025 + 0.0225) / 3);
    close(r.ci95, (1.96 * sd) / 2, 1e-12);
  });
});

describe('fewshot: impact analysis (check 15)', () => {
  it('identity impacts are ones; OS(x,x,k)=1; reversed order gives 0 for k<=n/2; L2 identity', () => {
    const n = 10;
    const I = fs2.channelImpacts(Float32Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), n, n);
    assert.deepEqual(Array.from(I), new Array(n).fill(1));
    const x = Float32Array.from({ length: n }, (_, i) => i + 1);
    const rev = Float32Array.from({ length: n }, (_, i) => n - i);
    for (let k = 1; k <= n; k++) assert.equal(fs2.orderSimilarity(x, x, k), 1);
    for (let k = 1; k <= n / 2; k++) assert.equal(fs2.orderSimilarity(x, rev, k), 0);
    const curve = fs2.orderSimilarityCurve(x, rev);
    for (let k = 1; k <= n; k++) close(curve[k - 1], fs2.orderSimilarity(x, rev, k), 1e-12, `curve k=${k}`);
    const u = fs2.normalizeL2(x);
    const st = fs2.impactStats(u);
    close(Math.hypot(...u), 1, 1e-6); close(st.mean ** 2 + st.std ** 2, 1 / n, 1e-7);
  });
  it('a random order has OS about k/n; tfjs kernels are transposed to class rows', () => {
    const n = 40;
    const b = Float32Array.from({ length: n }, (_, i) => i);
    const curve = fs2.randomOrderCurve(b, 400, makeRng(5));
    for (const k of [5, 10, 20, 30]) close(curve[k - 1], k / n, 0.05, `k=${k}`);
    // kernel [n=2, C=3] -> rows [3, 2]
    assert.deepEqual(Array.from(fs2.kernelToRows(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)), [1, 4, 2, 5, 3, 6]);
  });
});

describe('fewshot: data (check 16, npy readers)', () => {
  it('glyphs are deterministic, in [0,1], and classes differ more between than within', () => {
    const a = fs2.generateGlyphs(4, 6, 7); const b = fs2.generateGlyphs(4, 6, 7);
    assert.deepEqual(a.images, b.images);
    assert.ok(a.images.every((v) => v >= 0 && v <= 1));
    const px = 28 * 28;
    const dist = (i: number, j: number) => { let s = 0; for (let p = 0; p < px; p++) s += (a.images[i * px + p] - a.images[j * px + p]) ** 2; return Math.sqrt(s); };
    let intra = 0; let ni = 0; let inter = 0; let ne = 0;
    for (let i = 0; i < 24; i++) for (let j = i + 1; j < 24; j++) {
      if (a.labels[i] === a.labels[j]) { intra += dist(i, j); ni++; } else { inter += dist(i, j); ne++; }
    }
    assert.ok(intra / ni < inter / ne, `intra ${intra / ni} inter ${inter / ne}`);
    assert.throws(() => fs2.generateGlyphs(0, 3, 1), /numClasses must be a positive integer/);
  });
  it('round-trips .npy features and labels, and names bad files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-npy-'));
    const x = Float32Array.from({ length: 12 }, (_, i) => i * 0.5);
    fs.writeFileSync(path.join(dir, 'f.npy'), fs2.encodeNpy(x, [4, 3]));
    fs.writeFileSync(path.join(dir, 'l.npy'), fs2.encodeNpy(Int32Array.from([0, 1, 1, 2]), [4]));
    const ds = fs2.loadFeatureDataset(path.join(dir, 'f.npy'), path.join(dir, 'l.npy'));
    assert.equal(ds.dim, 3); assert.deepEqual(Array.from(ds.x), Array.from(x)); assert.deepEqual(Array.from(ds.labels), [0, 1, 1, 2]);
    fs.writeFileSync(path.join(dir, 'l5.npy'), fs2.encodeNpy(Int32Array.from([0, 1, 1, 2, 3]), [5]));
    assert.throws(() => fs2.loadFeatureDataset(path.join(dir, 'f.npy'), path.join(dir, 'l5.npy')), /labels must be \[4\]/);
    assert.throws(() => fs2.loadNpy(path.join(dir, 'missing.npy')), /file not found/);
    fs.writeFileSync(path.join(dir, 'bad.npy'), 'hello world');
    assert.throws(() => fs2.loadNpy(path.join(dir, 'bad.npy')), /not a .npy file/);
  });
  it('reads MiniImageNet split CSVs into 80 large + 20 few label ranges', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-mini-'));
    const csv = (prefix: string, k: number) => ['filename,label', ...Array.from({ length: k * 2 }, (_, i) => `${prefix}${i}.jpg,${prefix}${Math.floor(i / 2)}`)].join('\n');
    fs.writeFileSync(path.join(dir, 'train.csv'), csv('a', 64));
    fs.writeFileSync(path.join(dir, 'val.csv'), csv('b', 16));
    fs.writeFileSync(path.join(dir, 'test.csv'), csv('c', 20));
    const m = fs2.readMiniImageNet(dir);
    assert.equal(m.large.classNames.length, 80); assert.equal(m.few.classNames.length, 20);
    assert.equal(Math.max(...m.large.labels), 79); assert.equal(Math.min(...m.few.labels), 80);
    assert.equal(m.few.files[0], path.join(dir, 'images', 'c0.jpg'));
    fs.writeFileSync(path.join(dir, 'val.csv'), 'name;label\n');
    assert.throws(() => fs2.readMiniImageNet(dir), /must start with a 'filename,label' header/);
  });
});
