// Spec section 8, checks 6-13 and 20: the lookup layer, its exact scatter-add gradient on the active
// backend (wasm in this project), equivalences with standard inputs, c = 256 blindness.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeLookupInput, lookupOp } from '../lib/papers/lookup-vnets/lookup';
import { LookupInputLayer } from '../lib/papers/lookup-vnets/lookup-tflayers';
import { makeLookupVNet, makeStandardNet, microVGG, scaleMinus1To1, rawFloat, datasetStandardize, perImageStandardize } from '../lib/papers/lookup-vnets/models';
import { codedImage, tableCurves } from '../lib/papers/lookup-vnets/visual';
import { collectParams, countParams, disposeLayer } from '../lib/nn/tree';
import { makeRng } from '../lib/util/random';

const EVAL = { training: false };

function randInts(shape: number[], seed: number, hi = 256): tf.Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Int32Array.from({ length: n }, () => rng.int(hi)), shape, 'int32');
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('lookup-vnets: LookupInput layer', () => {
  it('shapes and parameter counts (full, compressed, grayscale)', () => {
    for (const u of [1, 3]) {
      const l = makeLookupInput({ dim: u });
      const y = l.apply(randInts([2, 5, 7, 3], 1), EVAL);
      assert.deepEqual(y.shape, [2, 5, 7, 3 * u]);
      assert.equal(y.dtype, 'float32');
      assert.deepEqual(l.table.shape, [768, u]);
      assert.equal(countParams(l), 768 * u);
      y.dispose(); disposeLayer(l);
    }
    const c = makeLookupInput({ cmpRate: 16 });
    const yc = c.apply(randInts([2, 5, 7, 3], 2), EVAL);
    assert.deepEqual(yc.shape, [2, 5, 7, 3]);
    assert.deepEqual(c.table.shape, [48, 1]);
    assert.deepEqual(makeLookupInput({ cmpRate: 100 }).table.shape, [9, 1]);
    const g = makeLookupInput({ channels: 1, dim: 4 });
    assert.deepEqual(g.apply(randInts([2, 5, 7, 1], 3), EVAL).shape, [2, 5, 7, 4]);
    yc.dispose();
  });

  it('bad configs and inputs name the problem', () => {
    assert.throws(() => makeLookupInput({ cmpRate: 4, dim: 2 }), /dim must be 1 when cmpRate/);
    assert.throws(() => makeLookupInput({ cmpRate: 0 }), /positive integer/);
    assert.throws(() => makeLookupInput({ dim: 0 }), /dim/);
    assert.throws(() => makeLookupInput({ init: 'nope' as never }), /unknown init/);
    const l = makeLookupInput();
    assert.throws(() => l.apply(tf.zeros([2, 4, 4, 1], 'int32'), EVAL), /expected integer images \[N, H, W, 3\]/);
    assert.throws(() => l.apply(tf.fill([1, 2, 2, 3], 256, 'int32'), EVAL), /raw integers in \[0, 255\]/);
    assert.throws(() => l.apply(tf.fill([1, 2, 2, 3], -0.5), EVAL), /\[0, 255\]/);
    assert.throws(() => l.apply(tf.fill([1, 2, 2, 3], 0.5), EVAL), /must be integers/);
  });

  it('channel-major layout: out[b,i,j,ch*u+d] = T_ch[x[b,i,j,ch]][d]', () => {
    const u = 3, K = 256;
    const init = new Float32Array(3 * K * u);
    for (let ch = 0; ch < 3; ch++) for (let v = 0; v < K; v++) for (let d = 0; d < u; d++) init[(ch * K + v) * u + d] = 1000 * ch + 10 * v + d;
    const l = makeLookupInput({ dim: u, init });
    const x = randInts([2, 3, 4, 3], 5);
    const out = l.apply(x, EVAL).dataSync();
    const xs = x.dataSync();
    for (let p = 0; p < 2 * 3 * 4; p++) for (let ch = 0; ch < 3; ch++) for (let d = 0; d < u; d++) {
      assert.equal(out[p * 3 * u + ch * u + d], 1000 * ch + 10 * xs[p * 3 + ch] + d);
    }
    // float input is accepted (cast) and gives the same result
    assert.equal(maxAbsDiff(l.apply(tf.cast(x, 'float32'), EVAL), l.apply(x, EVAL)), 0);
  });

  it('compressed mapping: T_ch[k] = k gives floor(x/c); c = 1 equals a full u = 1 table', () => {
    const x = randInts([2, 6, 6, 3], 7);
    for (const c of [2, 5, 16, 100, 128, 256]) {
      const l = makeLookupInput({ cmpRate: c, init: 'identity' });
      assert.equal(maxAbsDiff(l.apply(x, EVAL), tf.floorDiv(x, c).cast('float32')), 0, `c=${c}`);
      assert.equal(maxAbsDiff(l.encode(x), tf.floorDiv(x, c)), 0);
      assert.equal(maxAbsDiff(l.decode(l.encode(x)), l.apply(x, EVAL)), 0);
    }
    const a = makeLookupInput({ cmpRate: 1, init: 'linspace' });
    const b = makeLookupInput({ dim: 1, init: 'linspace' });
    assert.equal(maxAbsDiff(a.apply(x, EVAL), b.apply(x, EVAL)), 0);
  });

  it('golden gradient (spec 8.9), exact on the active backend', () => {
    const x = tf.tensor4d([0, 1, 2, 255, 1, 0, 3, 3, 3, 0, 0, 0], [1, 2, 2, 3], 'int32');
    const l = makeLookupInput({ dim: 2 });
    const M = tf.range(0, 24).reshape([1, 2, 2, 6]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(l.apply(x, { training: true }), M)) as tf.Scalar, [l.table]);
    const g = grads[l.table.name].arraySync() as number[][];
    const expect: Record<number, [number, number]> = {
      0: [18, 20], 3: [12, 13], 255: [6, 7],
      [256 + 0]: [20, 21], [256 + 1]: [10, 12], [256 + 3]: [14, 15],
      [512 + 0]: [32, 34], [512 + 2]: [4, 5], [512 + 3]: [16, 17],
    };
    g.forEach((row, r) => assert.deepEqual(row, expect[r] ?? [0, 0], `row ${r}`));
  });

  it('the same exact gradient on the cpu backend (backend-independent custom gradient)', async () => {
    const prev = tf.getBackend();
    const run = () => tf.tidy(() => {
      const l = makeLookupInput({ dim: 2, cmpRate: 1 });
      const x = tf.tensor4d([0, 1, 2, 255, 1, 0, 3, 3, 3, 0, 0, 0], [1, 2, 2, 3], 'int32');
      const M = tf.range(0, 24).reshape([1, 2, 2, 6]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(lookupOp(x, t, 1), M)))(l.table).arraySync() as number[][];
      l.table.dispose();
      return g;
    });
    const here = run();
    try {
      await tf.setBackend('cpu');
      const onCpu = run();
      assert.deepEqual(onCpu, here);
      assert.deepEqual(onCpu[255], [6, 7]);
      assert.deepEqual(onCpu[512], [32, 34]);
    } finally {
      await tf.setBackend(prev);
    }
  });

  it('scatter-add gradient equals a naive loop (full and compressed tables)', () => {
    for (const [c, u] of [[1, 2], [8, 1], [100, 1]]) {
      const l = makeLookupInput({ dim: u, cmpRate: c, init: 'uniform', seed: 1 });
      const x = randInts([3, 4, 5, 3], 11 + c);
      const dy = tf.randomNormal([3, 4, 5, 3 * u], 0, 1, 'float32', 4);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(l.apply(x, { training: true }), dy)) as tf.Scalar, [l.table]);
      const got = grads[l.table.name].dataSync();
      const K = l.entries, xs = x.dataSync(), dys = dy.dataSync();
      const want = new Float64Array(3 * K * u);
      for (let p = 0; p < 3 * 4 * 5; p++) for (let ch = 0; ch < 3; ch++) for (let d = 0; d < u; d++) {
        want[(ch * K + Math.floor(xs[p * 3 + ch] / c)) * u + d] += dys[p * 3 * u + ch * u + d];
      }
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `c=${c} entry ${i}: ${got[i]} vs ${want[i]}`);
    }
  });

  it('gradient reaches the tables through a conv net: finite differences and a sparse SGD step', () => {
    const rng = makeRng(3);
    const l = makeLookupInput({ dim: 2, init: 'uniform', seed: 2 });
    const net = makeLookupVNet(l, microVGG(6, 4, 8, rng));
    const x = randInts([4, 8, 8, 3], 21, 40); // only intensities 0..39 present
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4);
    const loss = () => tf.losses.softmaxCrossEntropy(y, net.apply(x, { training: true })) as tf.Scalar;
    const vars = collectParams(net).map((v) => v.variable);
    const { value, grads } = tf.variableGrads(loss, vars);
    const gT = grads[l.table.name].dataSync();
    assert.ok(gT.every(Number.isFinite));
    assert.ok(gT.some((v) => v !== 0));
    const xs = x.dataSync();
    const present = new Set<number>();
    xs.forEach((v, i) => present.add((i % 3) * 256 + v));
    // central finite differences on the 3 largest-gradient entries (float32, rtol 1e-2)
    const order = Array.from(gT.keys()).sort((a, b) => Math.abs(gT[b]) - Math.abs(gT[a])).slice(0, 3);
    const base = l.table.dataSync().slice();
    const eps = 1e-2;
    for (const i of order) {
      const at = (delta: number) => {
        const t = base.slice(); t[i] += delta;
        l.table.assign(tf.tensor2d(t, [768, 2]));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      assert.ok(Math.abs(fd - gT[i]) <= 1e-2 * Math.abs(gT[i]) + 2e-4, `entry ${i}: fd ${fd} vs grad ${gT[i]}`);
    }
    l.table.assign(tf.tensor2d(base, [768, 2]));
    value.dispose();
    // one SGD step (wd = 0): only entries of intensities present in the batch change
    tf.train.sgd(0.5).minimize(loss, false, vars);
    const after = l.table.dataSync();
    for (let r = 0; r < 768; r++) {
      const changed = after[2 * r] !== base[2 * r] || after[2 * r + 1] !== base[2 * r + 1];
      assert.equal(changed, present.has(r), `row ${r} (channel ${Math.floor(r / 256)}, v ${r % 256})`);
    }
  });

  it('equivalence with standard inputs (linspace, identity, standardize, u > 1)', () => {
    const x = randInts([3, 8, 8, 3], 31);
    const mk = () => microVGG(3, 5, 8, makeRng(7));
    const cases: [ReturnType<typeof makeLookupInput>, (t: tf.Tensor) => tf.Tensor][] = [
      [makeLookupInput({ init: 'linspace' }), scaleMinus1To1],
      [makeLookupInput({ init: 'identity' }), rawFloat],
      [makeLookupInput({ init: 'standardize', mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] }), datasetStandardize([0.4, 0.5, 0.6], [0.2, 0.25, 0.3])],
    ];
    for (const [l, pre] of cases) {
      const a = makeLookupVNet(l, mk()).apply(x, EVAL);
      const b = makeStandardNet(pre, mk()).apply(x, EVAL);
      const scale = tf.max(tf.abs(b)).dataSync()[0];
      assert.ok(maxAbsDiff(a, b) <= 1e-5 * Math.max(1, scale), `diff ${maxAbsDiff(a, b)}`);
    }
    // u = 3: dim 0 holds the standardized value, dims 1..2 zero; conv1 slice ch*u+0 = W[:,:,ch,:], others arbitrary
    const u = 3, mean = [0.5, 0.5, 0.5], std = [0.3, 0.3, 0.3];
    const l3 = makeLookupInput({ dim: u, init: 'standardize', mean, std });
    const std3 = mk();
    const wide = microVGG(3 * u, 5, 8, makeRng(99));
    const sp = collectParams(std3), wp = collectParams(wide);
    wp.forEach((v, i) => { if (i > 0) v.variable.assign(sp[i].variable); });
    const W = sp[0].variable.arraySync() as number[][][][];
    const Wr = wp[0].variable.arraySync() as number[][][][];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let ch = 0; ch < 3; ch++) Wr[a][b][ch * u] = W[a][b][ch];
    wp[0].variable.assign(tf.tensor4d(Wr));
    const o1 = makeLookupVNet(l3, wide).apply(x, EVAL);
    const o2 = makeStandardNet(datasetStandardize(mean, std), std3).apply(x, EVAL);
    assert.ok(maxAbsDiff(o1, o2) < 1e-4, `u=3 diff ${maxAbsDiff(o1, o2)}`);
    // negative check: per-image standardization is not a fixed table — same pixel value, different outputs
    const imgs = tf.tensor4d([100, 100, 100, 0, 0, 0, 100, 100, 100, 255, 255, 255], [2, 1, 2, 3], 'int32');
    const s = perImageStandardize(imgs).dataSync();
    assert.ok(Math.abs(s[0] - s[6]) > 0.1, 'pixel value 100 maps to different standardized values in different images');
  });

  it('c = 256 is input-blind', () => {
    const net = makeLookupVNet(makeLookupInput({ cmpRate: 256, init: 'uniform', seed: 3 }), microVGG(3, 10, 8, makeRng(1)));
    const a = net.apply(randInts([1, 8, 8, 3], 1), EVAL);
    const b = net.apply(randInts([1, 8, 8, 3], 2), EVAL);
    assert.equal(maxAbsDiff(a, b), 0);
  });

  it('lookupOp on a plain tensor matches the layer', () => {
    const l = makeLookupInput({ cmpRate: 5, init: 'uniform', seed: 8 });
    const x = randInts([2, 3, 3, 3], 4);
    assert.equal(maxAbsDiff(lookupOp(x, l.table, 5), l.apply(x, EVAL)), 0);
  });

  it('frozen tables are state, not params', () => {
    const l = makeLookupInput({ trainable: false });
    assert.equal(l.params.length, 0);
    assert.equal(l.state.length, 1);
  });
});

describe('lookup-vnets: visualisation helpers', () => {
  it('codedImage maps the table min to 0 and max to 255; a constant table gives 128', () => {
    const l = makeLookupInput({ cmpRate: 64, init: new Float32Array([5, -1, 3, 7, 0, 0, 0, 0, 1, 1, 1, 1]) });
    const x = { images: new Uint8Array([64, 0, 255, 192, 10, 20]), shape: [1, 1, 2, 3] as [number, number, number, number] };
    const img = codedImage(x, l.tableValues(), 64);
    assert.deepEqual(Array.from(img), [0, 128, 128, 255, 128, 128]);
    const rows = tableCurves(l.tableValues(), 64);
    assert.equal(rows.length, 3 * 256);
    assert.deepEqual(rows.find((r) => r.channel === 'R' && r.intensity === 200), { channel: 'R', intensity: 200, entry: 3, value: 7, dim: 0 });
  });
});

describe('lookup-vnets: tf.layers version (LayersModel.fit on the active backend)', () => {
  it('trains inside a LayersModel; the table changes only for present intensities and matches the plain layer', async () => {
    const inp = tf.input({ shape: [4, 4, 3], dtype: 'int32' });
    const lk = new LookupInputLayer({ dim: 2 });
    const h = lk.apply(inp) as tf.SymbolicTensor;
    // Seeded initialisers and tanh (no dead ReLU paths), so every present intensity gets a
    // non-zero gradient whatever ran before this test.
    const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(tf.layers.flatten().apply(
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(h))) as tf.SymbolicTensor;
    const model = tf.model({ inputs: inp, outputs: out });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    assert.deepEqual(model.outputs[0].shape, [null, 3]);
    const x = randInts([6, 4, 4, 3], 3, 50);
    const plain = makeLookupInput({ dim: 2 });
    const t0 = lk.getWeights()[0].arraySync() as number[][];
    assert.deepEqual(t0, plain.table.arraySync());
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    await model.fit(x, y, { epochs: 2, batchSize: 3, verbose: 0, shuffle: false });
    const t1 = lk.getWeights()[0].arraySync() as number[][];
    const present = new Set<number>();
    x.dataSync().forEach((v, i) => present.add((i % 3) * 256 + v));
    t1.forEach((row, r) => assert.equal(row[0] !== t0[r][0] || row[1] !== t0[r][1], present.has(r), `row ${r}`));
    assert.equal(lk.getConfig().dim, 2);
    assert.throws(() => new LookupInputLayer({ cmpRate: 4, dim: 2 }), /dim must be 1/);
  });
});
