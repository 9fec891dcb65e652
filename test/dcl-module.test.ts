// DCL module: shapes, forward semantics, gradients, stochastic mode (spec §8 checks 1, 3-11, 13).
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import {
  dcl, dclDense, dclConv2d, subsets, fuse, epsilonFor, copyDclWeights, type DclLayer,
} from '../lib/papers/dcl';

/** One optimiser step of a stochastic DCL on a squared-output loss; reports the active pair and which variables got gradients. */
function sgd_or_adam_step(l: DclLayer, x: tf.Tensor, rng: ReturnType<typeof makeRng>, optimizer: tf.Optimizer) {
  const vars = l.params.map((p) => p.variable);
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => l.apply(x, { training: true, rng }).square().mean() as tf.Scalar), vars);
  const active = l.lastActive!.slice();
  const gradNames = new Set(Object.keys(grads));
  optimizer.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads)]);
  return { active, gradNames };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5, what = '') => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

function setVar(layer: DclLayer, path: string, values: number[][] | number[]) {
  const p = layer.params.find((q) => q.path === path);
  assert.ok(p, `no param ${path}`);
  p!.variable.assign(tf.tensor(values as number[][]).reshape(p!.variable.shape));
}

describe('DCL module: shapes and configuration', () => {
  it('dense [N, D] -> [N, K2] with y [N, M] and v [N, K2]', () => {
    const l = dclDense({ inputChannels: 12, units: 7, branches: 3, filtersPerBranch: [2, 3, 4] }, makeRng(1));
    const x = tf.randomNormal([5, 12]);
    const d = l.forwardDetailed(x, { training: false });
    assert.deepEqual(d.z.shape, [5, 7]);
    assert.deepEqual(d.y.map((t) => t.shape), [[5, 2], [5, 3], [5, 4]]);
    assert.deepEqual(d.v.map((t) => t.shape), [[5, 7], [5, 7], [5, 7]]);
    tf.dispose([x, d.z, ...d.y, ...d.v]);
  });

  it('conv2d keeps the replaced conv geometry (kernel, stride, padding)', () => {
    for (const [k, s, pad] of [[3, 1, 'same'], [5, 2, 'valid'], [3, 2, 'same']] as const) {
      const l = dclConv2d({ inputChannels: 4, units: 6, branches: 2, filtersPerBranch: 3, kernelSize: k, strides: s, padding: pad }, makeRng(2));
      const x = tf.randomNormal([2, 11, 9, 4]);
      const ref = tf.conv2d(x as tf.Tensor4D, tf.zeros([k, k, 4, 6]) as tf.Tensor4D, s, pad);
      const d = l.forwardDetailed(x, { training: false });
      assert.deepEqual(d.z.shape, ref.shape);
      assert.deepEqual(d.y[0].shape, [...ref.shape.slice(0, 3), 3]);
      assert.deepEqual(d.v[1].shape, ref.shape);
      tf.dispose([x, ref, d.z, ...d.y, ...d.v]);
    }
  });

  it('bad configs and inputs name the problem', () => {
    const r = makeRng(3);
    assert.throws(() => dclDense({ inputChannels: 4, units: 3, branches: 3, filtersPerBranch: [1, 2] }, r), /filtersPerBranch has 2 entries but branches = 3/);
    assert.throws(() => dclDense({ inputChannels: 4, units: 3, branches: 0, filtersPerBranch: 1 }, r), /branches \(T\)/);
    assert.throws(() => dclDense({ inputChannels: 4, units: 3, branches: 2, filtersPerBranch: 1.5 }, r), /filtersPerBranch must be positive integers/);
    assert.throws(() => dclDense({ inputChannels: 4, units: 3, branches: 2, filtersPerBranch: 1, mode: 'stochastic', activeBranches: 3 }, r), /activeBranches = 3 of branches = 2/);
    assert.throws(() => dclDense({ inputChannels: 4, units: 3, branches: 2, filtersPerBranch: 1, mode: 'random' as never }, r), /unknown mode 'random'/);
    assert.throws(() => dcl({ kind: 'conv3d' as never, inputChannels: 4, units: 3, branches: 2, filtersPerBranch: 1 }, r), /unknown kind/);
    const l = dclDense({ inputChannels: 4, units: 3, branches: 2, filtersPerBranch: 2 }, r);
    const bad = tf.zeros([2, 5]);
    assert.throws(() => l.apply(bad, { training: false }), /dense input must be \[N, 4\], got \[2,5\]/);
    const s = dclDense({ inputChannels: 4, units: 3, branches: 3, filtersPerBranch: 2, mode: 'stochastic' }, r);
    const x = tf.zeros([2, 4]);
    assert.throws(() => s.apply(x, { training: true }), /needs ctx\.rng/);
    assert.throws(() => l.forwardDetailed(x, { training: false, active: [0, 0] }), /distinct branch indices/);
    tf.dispose([bad, x]);
  });

  it('parameter counts: weights + biases of both stages', () => {
    const l = dclDense({ inputChannels: 800, units: 500, branches: 2, filtersPerBranch: 100 }, makeRng(4));
    const n = l.params.reduce((a, p) => a + p.variable.size, 0);
    assert.equal(n, 260000 + 200 + 1000);
    const nb = dclDense({ inputChannels: 800, units: 500, branches: 3, filtersPerBranch: 100, useBias: false }, makeRng(4));
    assert.equal(nb.params.reduce((a, p) => a + p.variable.size, 0), 390000);
  });
});

describe('DCL module: forward semantics', () => {
  // D = 3, M = 2, K2 = 2, T = 2, hand-set weights, no biases.
  const th1 = [[1, -1], [0.5, 2], [-1, 1]], th2 = [[2, 0], [-1, 1], [1, 1]];
  const W1 = [[1, 0.5], [-0.5, 1]], W2 = [[0.3, 1], [1, 2]];
  const relu = (v: number) => Math.max(0, v);
  const matvec = (x: number[], M: number[][]) => M[0].map((_, j) => x.reduce((a, xi, i) => a + xi * M[i][j], 0));

  it('z = sqrt(relu(W1ᵀ relu(θ1ᵀx)) ⊙ relu(W2ᵀ relu(θ2ᵀx)) + 0.01), by hand', () => {
    const l = dclDense({ inputChannels: 3, units: 2, branches: 2, filtersPerBranch: 2, useBias: false }, makeRng(5));
    setVar(l, 'branch1/theta/kernel', th1); setVar(l, 'branch2/theta/kernel', th2);
    setVar(l, 'branch1/fuse/kernel', W1); setVar(l, 'branch2/fuse/kernel', W2);
    const xs = [[1, 2, 0.5], [-1, 0.3, 2], [0.2, -0.4, 0.1]];
    const expected: number[] = [];
    for (const x of xs) {
      const v1 = matvec(matvec(x, th1).map(relu), W1).map(relu);
      const v2 = matvec(matvec(x, th2).map(relu), W2).map(relu);
      v1.forEach((a, k) => expected.push(Math.sqrt(a * v2[k] + 0.01)));
    }
    const x = tf.tensor2d(xs);
    const z = l.apply(x, { training: false });
    close(z.dataSync(), expected, 1e-5, 'z');
    assert.ok(expected.some((e) => e > 0.2), 'the fixture has some firing units');
    tf.dispose([x, z]);
  });

  it('floor: z >= 0.1 everywhere, exactly 0.1 when one branch is all zero (T = 2, 3)', () => {
    for (const T of [2, 3]) {
      const l = dclDense({ inputChannels: 6, units: 5, branches: T, filtersPerBranch: 4 }, makeRng(6 + T));
      const x = tf.randomNormal([32, 6], 0, 1, 'float32', 7);
      const z = l.apply(x, { training: false });
      assert.ok(z.min().dataSync()[0] >= 0.1 - 1e-6, `T=${T} floor`);
      setVar(l, `branch${T}/fuse/bias`, new Array(5).fill(-1e4));
      const z2 = l.apply(x, { training: false });
      close(z2.dataSync(), new Array(32 * 5).fill(0.1), 1e-5, `T=${T} dead branch`);
      tf.dispose([x, z, z2]);
    }
  });

  it('compositional expansion: z^T - ε = Σ over all prod M(t) tuples (linear fusion, positive v)', () => {
    const T = 3, Ms = [2, 3, 2], D = 4, K2 = 3;
    const l = dclDense({ inputChannels: D, units: K2, branches: T, filtersPerBranch: Ms, useBias: false, fusionActivation: 'linear' }, makeRng(8));
    const r = makeRng(9);
    const pos = (rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => 0.1 + r.next()));
    const th = Ms.map((m) => pos(D, m)), W = Ms.map((m) => pos(m, K2));
    th.forEach((t, i) => setVar(l, `branch${i + 1}/theta/kernel`, t));
    W.forEach((w, i) => setVar(l, `branch${i + 1}/fuse/kernel`, w));
    const xv = [[0.5, 1, 0.2, 0.7]];
    const x = tf.tensor2d(xv);
    const d = l.forwardDetailed(x, { training: false });
    const y = d.y.map((t) => Array.from(t.dataSync()));
    const z = d.z.dataSync();
    for (let k = 0; k < K2; k++) {
      let brute = 0;
      for (let a = 0; a < Ms[0]; a++) for (let b = 0; b < Ms[1]; b++) for (let c = 0; c < Ms[2]; c++) {
        brute += W[0][a][k] * W[1][b][k] * W[2][c][k] * y[0][a] * y[1][b] * y[2][c];
      }
      assert.ok(Math.abs(Math.pow(z[k], 3) - 1e-3 - brute) < 1e-4 * brute, `unit ${k}: ${Math.pow(z[k], 3) - 1e-3} vs ${brute}`);
    }
    tf.dispose([x, d.z, ...d.y, ...d.v]);
  });

  it('BCNN equivalence (T = 2): z² − ε = Σ_ij U_ijk y1_i y2_j with U_ijk = W1_ik W2_jk', () => {
    const l = dclDense({ inputChannels: 5, units: 4, branches: 2, filtersPerBranch: [3, 2], useBias: false, fusionActivation: 'linear' }, makeRng(10));
    const r = makeRng(11);
    const W1v = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => 0.05 + r.next()));
    const W2v = Array.from({ length: 2 }, () => Array.from({ length: 4 }, () => 0.05 + r.next()));
    setVar(l, 'branch1/fuse/kernel', W1v); setVar(l, 'branch2/fuse/kernel', W2v);
    const x = tf.randomUniform([6, 5], 0, 1, 'float32', 3);
    const d = l.forwardDetailed(x, { training: false });
    const y1 = d.y[0].arraySync() as number[][], y2 = d.y[1].arraySync() as number[][];
    const z = d.z.arraySync() as number[][];
    for (let n = 0; n < 6; n++) for (let k = 0; k < 4; k++) {
      let bil = 0;
      for (let i = 0; i < 3; i++) for (let jj = 0; jj < 2; jj++) bil += W1v[i][k] * W2v[jj][k] * y1[n][i] * y2[n][jj];
      assert.ok(Math.abs(z[n][k] ** 2 - 0.01 - bil) < 1e-4 * (1 + bil), `n${n} k${k}`);
    }
    tf.dispose([x, d.z, ...d.y, ...d.v]);
  });

  it('DCLDense on a flattened input = DCLConv2D with kernel u, valid padding', () => {
    const u = 3, K1 = 2;
    const conv = dclConv2d({ inputChannels: K1, units: 4, branches: 2, filtersPerBranch: 3, kernelSize: u, padding: 'valid' }, makeRng(12));
    const den = dclDense({ inputChannels: u * u * K1, units: 4, branches: 2, filtersPerBranch: 3 }, makeRng(13));
    for (const p of conv.params) {
      const q = den.params.find((d) => d.path === p.path)!;
      q.variable.assign(p.variable.reshape(q.variable.shape));
    }
    const x = tf.randomNormal([4, u, u, K1], 0, 1, 'float32', 5);
    const zc = conv.apply(x, { training: false });
    const xf = x.reshape([4, -1]);
    const zd = den.apply(xf, { training: false });
    assert.deepEqual(zc.shape, [4, 1, 1, 4]);
    close(zc.dataSync(), zd.dataSync(), 1e-5, 'conv vs dense');
    tf.dispose([x, zc, xf, zd]);
  });
});

describe('DCL module: gradients', () => {
  it('every θ, W and bias gets a finite non-null gradient (T = 2, 3); finite when all v = 0', () => {
    for (const T of [2, 3]) {
      const l = dclDense({ inputChannels: 8, units: 6, branches: T, filtersPerBranch: 5, fusionBiasInit: 0.1 }, makeRng(20 + T));
      const x = tf.randomNormal([64, 8], 0, 1, 'float32', 21);
      const vars = l.params.map((p) => p.variable);
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => l.apply(x, { training: true }).square().mean() as tf.Scalar), vars);
      assert.equal(Object.keys(grads).length, vars.length);
      for (const p of l.params) {
        const g = grads[p.variable.name];
        const a = g.abs().max().dataSync()[0];
        assert.ok(Number.isFinite(a) && a > 0, `T=${T} ${p.path}: |g|max=${a}`);
      }
      tf.dispose([value, ...Object.values(grads)]);
      for (let t = 1; t <= T; t++) setVar(l, `branch${t}/fuse/bias`, new Array(6).fill(-1e3));
      const r2 = tf.variableGrads(() => tf.tidy(() => l.apply(x, { training: true }).sum() as tf.Scalar), vars);
      for (const g of Object.values(r2.grads)) assert.ok(g.isFinite().all().dataSync()[0] === 1, 'finite when all v = 0');
      tf.dispose([x, r2.value, ...Object.values(r2.grads)]);
    }
  });

  it('matches finite differences on a tiny module (T = 3)', () => {
    const l = dclDense({ inputChannels: 3, units: 2, branches: 3, filtersPerBranch: 2, fusionBiasInit: 0.5 }, makeRng(30));
    const x = tf.tensor2d([[0.3, -0.8, 1.2], [1.0, 0.4, -0.2]]);
    const f = () => tf.tidy(() => l.apply(x, { training: false }).sum() as tf.Scalar);
    const vars = l.params.map((p) => p.variable);
    const { value, grads } = tf.variableGrads(f, vars);
    const h = 1e-2;
    for (const p of l.params.filter((q) => q.path.endsWith('kernel'))) {
      const orig = p.variable.dataSync().slice();
      const g = grads[p.variable.name].dataSync();
      for (let i = 0; i < orig.length; i++) {
        const plus = orig.slice(); plus[i] += h; p.variable.assign(tf.tensor(plus, p.variable.shape));
        const fp = f().dataSync()[0];
        const minus = orig.slice(); minus[i] -= h; p.variable.assign(tf.tensor(minus, p.variable.shape));
        const fm = f().dataSync()[0];
        p.variable.assign(tf.tensor(orig, p.variable.shape));
        const num = (fp - fm) / (2 * h);
        assert.ok(Math.abs(num - g[i]) < 2e-2 * (1 + Math.abs(g[i])), `${p.path}[${i}]: numeric ${num} vs analytic ${g[i]}`);
      }
    }
    tf.dispose([x, value, ...Object.values(grads)]);
  });
});

describe('DCL module: stochastic multi-branch training', () => {
  it('exactly 2 branches per training call; gradients only for them; inactive weights unchanged after SGD-momentum and Adam', () => {
    for (const opt of ['sgd', 'adam'] as const) {
      const l = dclDense({ inputChannels: 6, units: 4, branches: 3, filtersPerBranch: 3, mode: 'stochastic', fusionBiasInit: 0.1 }, makeRng(40));
      const x = tf.randomNormal([16, 6], 0, 1, 'float32', 41);
      const rng = makeRng(42);
      const optimizer = opt === 'sgd' ? tf.train.momentum(0.1, 0.9) : tf.train.adam(0.01);
      for (let step = 0; step < 4; step++) {
        const before = l.params.map((p) => p.variable.dataSync().slice());
        const { active, gradNames } = sgd_or_adam_step(l, x, rng, optimizer);
        assert.equal(active.length, 2);
        const activeNames = new Set(active.flatMap((t) => l.branchParams(t).map((p) => p.variable.name)));
        assert.deepEqual([...gradNames].sort(), [...activeNames].sort(), 'grads exactly for the active branches');
        l.params.forEach((p, i) => {
          const t = Number(/^branch(\d+)/.exec(p.path)![1]) - 1;
          const after = p.variable.dataSync();
          const same = after.every((v, k) => v === before[i][k]);
          if (!active.includes(t)) assert.ok(same, `${opt} step ${step}: inactive ${p.path} moved`);
        });
        assert.ok(l.params.some((p, i) => !p.variable.dataSync().every((v, k) => v === before[i][k])), 'active weights moved');
      }
      optimizer.dispose();
      x.dispose();
    }
  });

  it('pairs are uniform over C(3,2) (chi-square over 3000 calls)', () => {
    const l = dclDense({ inputChannels: 2, units: 2, branches: 3, filtersPerBranch: 1, mode: 'stochastic' }, makeRng(50));
    const x = tf.ones([1, 2]);
    const rng = makeRng(51);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      tf.tidy(() => { l.apply(x, { training: true, rng }); });
      const k = l.lastActive!.join(',');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), ['0,1', '0,2', '1,2']);
    const chi2 = [...counts.values()].reduce((a, c) => a + (c - 1000) ** 2 / 1000, 0);
    assert.ok(chi2 < 13.8, `chi2 = ${chi2} (df 2, p = 0.001 bound 13.8)`);
    x.dispose();
  });

  it('inference is deterministic and equals the mean over all pairs of forced-pair outputs', () => {
    const l = dclDense({ inputChannels: 5, units: 4, branches: 3, filtersPerBranch: 3, mode: 'stochastic', fusionBiasInit: 0.2 }, makeRng(60));
    const x = tf.randomNormal([8, 5], 0, 1, 'float32', 61);
    const a = l.apply(x, { training: false }), b = l.apply(x, { training: false });
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    const pairs = subsets(3, 2);
    const forced = pairs.map((p) => l.forwardDetailed(x, { training: true, active: p }));
    const mean = tf.tidy(() => tf.addN(forced.map((f) => f.z)).div(pairs.length));
    close(a.dataSync(), mean.dataSync(), 1e-5, 'expectation');
    // A pair's z uses ε = 10^-2 and a square root (the 'per-fused' rule).
    const v = forced[0].v.map((t) => t.dataSync());
    const z0 = forced[0].z.dataSync();
    for (let i = 0; i < z0.length; i++) assert.ok(Math.abs(z0[i] - Math.sqrt(v[0][i] * v[1][i] + 0.01)) < 1e-5);
    tf.dispose([x, a, b, mean, ...forced.flatMap((f) => [f.z, ...f.y, ...f.v])]);
  });

  it('T = 2: stochastic and deterministic outputs are identical', () => {
    const d = dclDense({ inputChannels: 5, units: 4, branches: 2, filtersPerBranch: 3 }, makeRng(70));
    const s = dclDense({ inputChannels: 5, units: 4, branches: 2, filtersPerBranch: 3, mode: 'stochastic' }, makeRng(70));
    const x = tf.randomNormal([8, 5], 0, 1, 'float32', 71);
    const zd = d.apply(x, { training: false }), zs = s.apply(x, { training: false }), zt = s.apply(x, { training: true, rng: makeRng(1) });
    close(zs.dataSync(), zd.dataSync(), 1e-6, 'inference'); close(zt.dataSync(), zd.dataSync(), 1e-6, 'training');
    tf.dispose([x, zd, zs, zt]);
  });

  it('ε rule: deterministic T=3 uses 10^-3 and a cube root; stochastic 10^-2 (or 10^-3 with per-branches)', () => {
    assert.equal(epsilonFor('per-fused', 3, 3), 1e-3);
    assert.equal(epsilonFor('per-fused', 2, 3), 1e-2);
    assert.equal(epsilonFor('per-branches', 2, 3), 1e-3);
    const l = dclDense({ inputChannels: 4, units: 3, branches: 3, filtersPerBranch: 2, fusionBiasInit: 0.3 }, makeRng(80));
    const x = tf.randomNormal([4, 4], 0, 1, 'float32', 81);
    const d = l.forwardDetailed(x, { training: false });
    const v = d.v.map((t) => t.dataSync()), z = d.z.dataSync();
    for (let i = 0; i < z.length; i++) assert.ok(Math.abs(z[i] - Math.cbrt(v[0][i] * v[1][i] * v[2][i] + 1e-3)) < 1e-5);
    const s = dclDense({ inputChannels: 4, units: 3, branches: 3, filtersPerBranch: 2, mode: 'stochastic', epsilon: 'per-branches' }, makeRng(82));
    // Floor under the alternative reading: sqrt(10^-3) ≈ 0.0316 when one of the pair is dead.
    s.params.filter((p) => p.path === 'branch1/fuse/bias').forEach((p) => p.variable.assign(tf.fill([3], -1e4)));
    const dead = s.forwardDetailed(x, { training: true, active: [0, 1] });
    close(dead.z.dataSync(), new Array(12).fill(Math.sqrt(1e-3)), 1e-4, 'per-branches floor');
    const fz = fuse([tf.zeros([2]), tf.ones([2])], 1e-3);
    close(fz.dataSync(), [Math.sqrt(1e-3), Math.sqrt(1e-3)], 1e-5, 'alt floor');
    tf.dispose([x, d.z, ...d.y, ...d.v, dead.z, ...dead.y, ...dead.v, fz]);
  });
});

describe('DCL module: serialization', () => {
  it('getConfig -> dcl(config) + weight copy reproduces outputs (conv, stochastic)', () => {
    const a = dclConv2d({ inputChannels: 3, units: 5, branches: 3, filtersPerBranch: [2, 3, 4], kernelSize: 3, padding: 'same', mode: 'stochastic', fusionBiasInit: 0.1 }, makeRng(90));
    const cfg = JSON.parse(JSON.stringify(a.getConfig()));
    const b = dcl(cfg, makeRng(999));
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 91);
    const za = a.apply(x, { training: false });
    const zb0 = b.apply(x, { training: false });
    assert.ok(Math.max(...Array.from(tf.sub(za, zb0).abs().dataSync())) > 1e-4, 'different init differs');
    copyDclWeights(a, b);
    const zb = b.apply(x, { training: false });
    assert.deepEqual(Array.from(zb.dataSync()), Array.from(za.dataSync()));
    tf.dispose([x, za, zb0, zb]);
  });
});
