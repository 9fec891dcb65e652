// Spec section 8 checks 1-4, 6, 9-18, 21 (numbers computed in float64 numpy by the spec author).
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as ic from '../lib/papers/intra-collab';

const T = (a: number[][]) => tf.tensor2d(a);
const near = (got: ArrayLike<number> | number, want: number[] | number, tol = 1e-5, what = '') => {
  const g = typeof got === 'number' ? [got] : Array.from(got);
  const w = typeof want === 'number' ? [want] : want;
  assert.equal(g.length, w.length, `${what}: length ${g.length} vs ${w.length}`);
  g.forEach((v, i) => assert.ok(Math.abs(v - w[i]) <= tol, `${what}[${i}]: got ${v}, want ${w[i]}`));
};
const val = (t: tf.Tensor) => { const v = t.dataSync(); t.dispose(); return Array.from(v); };

describe('intra-collab losses: cross-entropy and Song & Chai (spec 8.1-8.2)', () => {
  it('hardCE at T=1 and T=2', () => {
    const z = T([[1, 2, 3]]), y = T([[0, 0, 1]]);
    near(val(ic.hardCE(y, z, 1)), 0.407606, 1e-5, 'T=1');
    near(val(ic.hardCE(y, z, 2)), 0.680270, 1e-5, 'T=2');
  });
  it('rejects mismatched shapes with a clear error', () => {
    assert.throws(() => ic.hardCE(T([[0, 1]]), T([[1, 2, 3]])), /must both be \[B, m\]/);
    assert.throws(() => ic.songChaiLoss([T([[1, 2]])], T([[1, 0]])), /at least 2/);
  });
  it('Song & Chai with H=3: per-head losses, mean, sum and the gradient with q constant', () => {
    const zs = [[2, 0, 0], [0, 1, 0], [1, 1, 0]];
    const y = T([[1, 0, 0]]);
    near(val(ic.songChaiHeadLosses(zs.map((z) => T([z])), y, { alpha: 0.5, T: 2 })), [0.732247, 1.349972, 0.973576], 1e-5, 'L_h');
    near(val(ic.songChaiLoss(zs.map((z) => T([z])), y, { reduce: 'mean' })), 1.018598, 1e-5, 'mean');
    near(val(ic.songChaiLoss(zs.map((z) => T([z])), y, { reduce: 'sum' })), 3.055795, 1e-5, 'sum');
    const z2 = T([zs[1]]), z3 = T([zs[2]]);
    const g = tf.grad((z1: tf.Tensor) => ic.songChaiLoss([z1, z2, z3], y, { reduce: 'sum' }))(T([zs[0]]));
    near(val(g), [-0.044102, 0.001432, 0.042670], 1e-5, 'dL/dz1');
  });
  it('gradScale: identity forward, scaled backward', () => {
    const x = tf.tensor1d([1, -2, 3]);
    near(val(ic.gradScale(x, 0.5)), [1, -2, 3]);
    near(val(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ic.gradScale(a, 0.5), tf.tensor1d([2, 4, 6]))))(x)), [1, 2, 3]);
  });
});

describe('intra-collab losses: L_out (spec 8.3-8.4)', () => {
  const y = T([[1, 0, 0]]);
  const branches = () => tf.tensor3d([[[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]], [[1, 1, 1]]]);
  it('value and the stop-gradient on the consensus target', () => {
    near(val(ic.outLoss(branches(), y, { alpha: 0.5, T: 2 })), 1.161078, 1e-5, 'L_out');
    const g = tf.grad((b: tf.Tensor) => ic.outLoss(b, y))(branches());
    near(val(g), [-0.043330, 0.021665, 0.021665, -0.103335, 0.081670, 0.021665, -0.103335, 0.021665, 0.081670, -0.083333, 0.041667, 0.041667], 1e-5, 'grad');
    const g2 = tf.grad((b: tf.Tensor) => ic.outLoss(b, y, { stopGradTarget: false }))(branches());
    near(val(g2).slice(0, 3), [-0.041154, 0.020577, 0.020577], 1e-5, 'grad through q');
  });
  it('identical branches: soft term = entropy (not 0), soft gradient exactly 0', () => {
    const b = tf.tensor3d([[[1, 2, 3]], [[1, 2, 3]], [[1, 2, 3]], [[1, 2, 3]]]);
    const y3 = T([[0, 0, 1]]);
    near(val(ic.outLoss(b, y3)), 0.713899, 1e-5, 'L_out');
    near(val(ic.outLoss(b, y3, { alpha: 0 })), 1.020191, 1e-5, 'soft term');
    const g = val(tf.grad((bb: tf.Tensor) => ic.outLoss(bb, y3, { alpha: 0 }))(b));
    assert.ok(g.every((v) => Math.abs(v) < 1e-7), `soft gradient ${g}`);
  });
});

describe('intra-collab losses: L_mid (spec 8.6)', () => {
  const local = () => [T([[0, 0, 0]]), T([[1, 0, 0]]), T([[2, 1, 0]])];
  const fin = () => T([[3, 0, 0]]);
  const y = T([[1, 0, 0]]);
  it("targets and losses, targetMode 'higher'", () => {
    const q = ic.midTargets(local(), fin(), 2, 'higher');
    near(val(q[0]), [0.554792, 0.241112, 0.204097]);
    near(val(q[1]), [0.604455, 0.222366, 0.173179]);
    near(val(q[2]), [0.691438, 0.154281, 0.154281]);
    near(ic.midLoss(local(), fin(), y).map((l) => val(l)[0]), [0.109861, 0.089326, 0.079598], 1e-5, 'L_mid');
    const lh = ic.midLoss(local(), fin(), y, { alpha: 1, beta: 0, tHard: 1 }).map((l) => val(l)[0]);
    near(lh, [1.098612, 0.551445, 0.407606], 1e-5, 'tHardMid=1');
  });
  it("targetMode 'literal' and its error for a bad mode", () => {
    const q = ic.midTargets(local(), fin(), 2, 'literal');
    near(val(q[1]), [0.662412, 0.189784, 0.147804]);
    near(val(q[2]), [0.821409, 0.111166, 0.067425]);
    assert.throws(() => ic.midLoss(local(), fin(), y, { targetMode: 'x' as 'literal' }), /unknown targetMode 'x'/);
  });
  it('targets receive no gradient (only the local logits do)', () => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.addN(ic.midLoss([a], b, y)))([T([[0.5, 0, 0]]), fin()]);
    assert.ok(val(g[1]).every((v) => v === 0));
    assert.ok(val(g[0]).some((v) => v !== 0));
  });
});

describe('intra-collab losses: similarity and pull-push (spec 8.9-8.14)', () => {
  it('S(y) for labels [0,0,1,2], per-sample and batch centring', () => {
    const y = tf.oneHot(tf.tensor1d([0, 0, 1, 2], 'int32'), 3).toFloat();
    near(val(ic.similarityMatrix(y)), [1, 1, -.5, -.5, 1, 1, -.5, -.5, -.5, -.5, 1, -.5, -.5, -.5, -.5, 1]);
    const sb = val(ic.similarityMatrix(y, { center: 'batch' }));
    near([sb[2], sb[3], sb[11]], [-0.654654, -0.654654, -0.142857], 1e-5, 'batch');
  });
  const maps = () => {
    // [3, 2, 2, 4] NHWC from the channel-major description of test 10
    const s0 = [[[0, 0], [0, 0]], [[0, 2], [0, 2]], [[1, 1], [1, 1]], [[0, 4], [0, 0]]];
    const s1 = s0.map((c) => c.map((r) => r.map((v) => 3 * v)));
    const s2 = [[[0, 2], [2, 0]], [[0, 0], [0, 0]], [[0, 0], [0, 0]], [[1, 1], [1, 1]]];
    return tf.tensor4d([s0, s1, s2]).transpose([0, 2, 3, 1]) as tf.Tensor4D;
  };
  it('featureRep (std rule) and its similarity matrices', () => {
    const r = ic.featureRep(maps());
    near(val(r.clone()), [0, 1, 0, 1.732051, 0, 3, 0, 5.196152, 1, 0, 0, 0], 2e-4, 'std');
    const s = val(ic.similarityMatrix(r));
    near([s[1], s[2], s[5]], [1, -0.539888, -0.539888], 1e-4, 'per-sample S');
    const sb = val(ic.similarityMatrix(ic.featureRep(maps()), { center: 'batch' }));
    near([sb[1], sb[2], sb[5]], [-0.845489, 0.759257, -0.989461], 1e-4, 'batch S');
  });
  it('pull-push value', () => {
    const P = ic.similarityMatrix(ic.featureRep(maps()));
    const Sy = ic.similarityMatrix(tf.oneHot(tf.tensor1d([0, 0, 1], 'int32'), 3).toFloat());
    const x = tf.tensor4d([1, 2, 3, 4, 4, 3, 2, 1, 1, 2, 3, 5], [3, 2, 2, 1]);
    const Sx = ic.similarityMatrix(ic.featureRep(x));
    near(val(ic.frobenius(tf.sub(P, Sy))), 0.079776, 1e-4, 'pull');
    near(val(ic.frobenius(tf.sub(P, Sx))), 3.609539, 1e-4, 'push');
    near(val(ic.pullPushLoss(P, Sy, Sx, 1, 0.5)), -1.724994, 1e-4, 'L_pp');
    assert.throws(() => ic.pullPushLoss(P, Sy, Sx, 1, 1, 'l1' as 'fro'), /unknown norm 'l1'/);
  });
  it('zero pull loss when representations match the labels, with a finite gradient', () => {
    const labels = [0, 1, 2, 1];
    const data: number[] = [];
    for (const l of labels) for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) for (let c = 0; c < 4; c++) data.push(c === l ? ((h + w) % 2 ? 1 : -1) : 0.3);
    const d = tf.tensor4d(data, [4, 2, 2, 4]);
    const Sy = ic.similarityMatrix(tf.oneHot(tf.tensor1d(labels, 'int32'), 4).toFloat());
    const f = (t: tf.Tensor) => ic.pullPushLoss(ic.similarityMatrix(ic.featureRep(t)), Sy, Sy, 1, 0);
    assert.ok(val(f(d))[0] < 1e-3, 'pull ~ 0');
    assert.ok(val(tf.grad(f)(d)).every(Number.isFinite), 'finite grad');
  });
  it('numerical safety: constant maps, zero rows, P = S(y) all give finite values and gradients', () => {
    const f = (t: tf.Tensor) => { const P = ic.similarityMatrix(ic.featureRep(t)); return ic.pullPushLoss(P, P, P, 1, 0.5); };
    for (const t of [tf.ones([3, 2, 2, 5]), tf.zeros([3, 2, 2, 5])]) {
      assert.ok(val(f(t)).every(Number.isFinite));
      assert.ok(val(tf.grad(f)(t)).every(Number.isFinite));
    }
  });
  it('S(x) and S(y) receive no gradient', () => {
    const P = T([[1, 0.2], [0.2, 1]]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => ic.pullPushLoss(P, a, b, 1, 0.5))([T([[1, 0], [0, 1]]), T([[1, 1], [1, 1]])]);
    assert.ok(val(g[0]).every((v) => v === 0) && val(g[1]).every((v) => v === 0));
  });
});

describe('intra-collab losses: kernel decorrelation (spec 8.15-8.20)', () => {
  const k1x1 = (rows: number[][]) => tf.tensor2d(rows).transpose().reshape([1, 1, rows[0].length, rows.length]);
  it('1x1 kernel, two filters: population vs unbiased std', () => {
    near(val(ic.filterCorrelation(k1x1([[1, 2, 3], [3, 2, 1]]))), [1, -1, -1, 1], 1e-5, 'C');
    near(val(ic.kernelDecorrLoss(k1x1([[1, 2, 3], [3, 2, 1]]))), 1.414214, 1e-5, 'pop');
    near(val(ic.kernelDecorrLoss(k1x1([[1, 2, 3], [3, 2, 1]]), { std: 'unbiased' })), 0.942809, 1e-5, 'unbiased');
  });
  it('uncorrelated rows give 0 with a finite gradient; three rows give sqrt(6)', () => {
    const w = k1x1([[1, 0, -1], [1, -2, 1]]);
    assert.ok(val(ic.kernelDecorrLoss(w))[0] < 1e-5);
    assert.ok(val(tf.grad((t: tf.Tensor) => ic.kernelDecorrLoss(t))(w)).every(Number.isFinite));
    near(val(ic.kernelDecorrLoss(k1x1([[1, 2, 3], [2, 4, 6], [1, 0, -1]]))), 2.449490, 1e-5, 'sqrt6');
  });
  it('invariant to affine row changes and column permutations; tfjs layout equals filter rows', () => {
    const base = [[0.3, -1, 2, 0.5], [1, 1, -0.2, 0.1], [-0.5, 0.2, 0.9, -1]];
    const l0 = val(ic.kernelDecorrLoss(tf.tensor2d(base)))[0];
    const aff = base.map((r, i) => r.map((v) => (i === 1 ? 2.5 * v - 3 : v)));
    near(val(ic.kernelDecorrLoss(tf.tensor2d(aff))), l0, 1e-5, 'affine');
    const perm = base.map((r) => [r[2], r[0], r[3], r[1]]);
    near(val(ic.kernelDecorrLoss(tf.tensor2d(perm))), l0, 1e-5, 'perm');
    const W = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 7);
    const rows = tf.transpose(W, [3, 0, 1, 2]).reshape([5, 36]);
    near(val(ic.kernelDecorrLoss(W)), val(ic.kernelDecorrLoss(rows)), 1e-5, 'layout');
  });
  it('linearSchedule', () => {
    near(ic.linearSchedule(5, 0.01, 0.05), [0.01, 0.02, 0.03, 0.04, 0.05], 1e-12);
    near(ic.linearSchedule(1, 0.01, 0.05), [0.01]);
    assert.throws(() => ic.linearSchedule(0, 0, 1), /positive integer/);
  });
});
