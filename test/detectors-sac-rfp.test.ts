// Switchable Atrous Convolution and the Recursive Feature Pyramid modules (thesis ch. 6 spec §8
// items 1-14): atrous conv forward/gradient, SAC at init and with constant switches, locking,
// global context, switch shape and reflect pooling, dw gradient, ASPP, fusion, RFP conversion and
// feedback wiring.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { conv2dOp } from '../lib/nn/ops';
import { fpn } from '../lib/nn/fpn';
import { reflectAvgPool5, sac, type SacLayer } from '../lib/papers/detectors/sac';
import { rfpAspp, rfpForward, rfpFusion } from '../lib/papers/detectors/rfp';
import { detBackbone, type BackboneConfig } from '../lib/papers/detectors/backbone';
import { collectParams, collectState } from '../lib/nn/tree';

const ctx = { training: false };
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

function setVar(v: tf.Variable, t: tf.Tensor) { v.assign(t); t.dispose(); }

describe('detectors: atrous conv and SAC', () => {
  it('atrous conv equals tf.conv2d with dilations on the padded input, r in {1,2,3,6}, k in {1,3}, stride in {1,2} (spec §8.1)', () => {
    let seed = 1;
    for (const r of [1, 2, 3, 6]) for (const k of [1, 3]) for (const s of [1, 2]) {
      tf.tidy(() => {
        const x = rnd([2, 9 + seed % 4, 11, 3], seed++) as tf.Tensor4D, w = rnd([k, k, 3, 4], seed++) as tf.Tensor4D;
        const p = (r * (k - 1)) / 2;
        const got = conv2dOp(x, w, s, p, r);
        const full = tf.conv2d(tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), w, 1, 'valid', 'NHWC', [r, r]);
        const ref = s === 1 ? full : tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [1, s, s, 1]);
        assert.deepEqual(got.shape, ref.shape);
        assert.ok(maxDiff(got, ref) < 1e-5, `r=${r} k=${k} s=${s}`);
      });
    }
  });

  it('atrous conv gradients w.r.t. x and w equal finite differences on a 1x7x7x2 input (spec §8.2)', () => {
    tf.tidy(() => {
      const x = rnd([1, 7, 7, 2], 3) as tf.Tensor4D, w = rnd([3, 3, 2, 2], 4) as tf.Tensor4D, c = rnd([1, 7, 7, 2], 5);
      const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => tf.sum(tf.mul(conv2dOp(xx, ww, 1, 3, 3), c)) as tf.Scalar;
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
      const xv = x.arraySync() as number[][][][], wv = w.arraySync() as number[][][][];
      const eps = 1e-2;
      const num = (which: 'x' | 'w', idx: number[]) => {
        const plus = which === 'x' ? structuredClone(xv) : structuredClone(wv), minus = which === 'x' ? structuredClone(xv) : structuredClone(wv);
        plus[idx[0]][idx[1]][idx[2]][idx[3]] += eps; minus[idx[0]][idx[1]][idx[2]][idx[3]] -= eps;
        const fp = which === 'x' ? f(tf.tensor4d(plus), w) : f(x, tf.tensor4d(plus));
        const fm = which === 'x' ? f(tf.tensor4d(minus), w) : f(x, tf.tensor4d(minus));
        return (fp.dataSync()[0] - fm.dataSync()[0]) / (2 * eps);
      };
      const gxa = gx.arraySync() as number[][][][], gwa = gw.arraySync() as number[][][][];
      for (const idx of [[0, 0, 0, 0], [0, 3, 3, 1], [0, 6, 2, 0], [0, 4, 6, 1]]) assert.ok(Math.abs(num('x', idx) - gxa[idx[0]][idx[1]][idx[2]][idx[3]]) < 2e-2, `dx ${idx}`);
      for (const idx of [[0, 0, 0, 0], [1, 1, 1, 1], [2, 0, 1, 0], [2, 2, 0, 1]]) assert.ok(Math.abs(num('w', idx) - gwa[idx[0]][idx[1]][idx[2]][idx[3]]) < 2e-2, `dw ${idx}`);
    });
  });

  const mk = (stride: number, o: Partial<Parameters<typeof sac>[0]> = {}, seed = 1): SacLayer =>
    sac({ inChannels: 3, filters: 4, stride, ...o }, makeRng(seed));

  it('SAC equals the plain rate-1 conv at init (switch 0/1, dw 0, contexts 0), stride 1 and 2 (spec §8.3)', () => {
    for (const stride of [1, 2]) {
      const l = mk(stride);
      tf.tidy(() => {
        const x = rnd([2, 8, 8, 3], 7) as tf.Tensor4D;
        const y = l.apply(x, ctx), ref = conv2dOp(x, l.kernel as unknown as tf.Tensor4D, stride, 1, 1);
        assert.deepEqual(y.shape, [2, 8 / stride, 8 / stride, 4]);
        assert.ok(maxDiff(y, ref) < 1e-6);
      });
    }
  });

  it('SAC with S = 0 is the rate-3 conv with w + dw (padding 3, same shape); S = 0.25 mixes 0.25 / 0.75 (spec §8.4-5)', () => {
    for (const stride of [1, 2]) {
      const l = mk(stride);
      setVar(l.deltaW, rnd(l.deltaW.shape, 9));
      tf.tidy(() => {
        const x = rnd([2, 8, 8, 3], 8) as tf.Tensor4D;
        const w = l.kernel as unknown as tf.Tensor4D;
        const c1 = conv2dOp(x, w, stride, 1, 1), c3 = conv2dOp(x, tf.add(w, l.deltaW) as tf.Tensor4D, stride, 3, 3);
        setVar(l.switchConv.bias as tf.Variable, tf.zeros([1]));
        assert.ok(maxDiff(l.apply(x, ctx), c3) < 1e-5);
        assert.deepEqual(c3.shape, c1.shape);
        setVar(l.switchConv.bias as tf.Variable, tf.fill([1], 0.25));
        assert.ok(maxDiff(l.apply(x, ctx), tf.add(tf.mul(0.25, c1), tf.mul(0.75, c3))) < 1e-5);
      });
    }
  });

  it('locking: the large branch uses w + dw; with lock = false it uses dw alone (spec §8.6)', () => {
    const locked = mk(1, {}, 2), free = mk(1, { lock: false }, 2);
    for (const l of [locked, free]) { setVar(l.deltaW, rnd(l.deltaW.shape, 10)); setVar(l.switchConv.bias as tf.Variable, tf.zeros([1])); }
    tf.tidy(() => {
      const x = rnd([1, 8, 8, 3], 11) as tf.Tensor4D;
      const w = locked.kernel as unknown as tf.Tensor4D;
      assert.ok(maxDiff(locked.apply(x, ctx), conv2dOp(x, tf.add(w, locked.deltaW) as tf.Tensor4D, 1, 3, 3)) < 1e-5);
      assert.ok(maxDiff(free.apply(x, ctx), conv2dOp(x, free.deltaW as unknown as tf.Tensor4D, 1, 3, 3)) < 1e-5);
    });
  });

  it('global context: W_pre = 0, b_pre = c adds c to every input channel; random W_post keeps the output minus its spatial mean (spec §8.7)', () => {
    const l = mk(1, {}, 3), plain = mk(1, { globalContext: false }, 3);
    setVar(l.preContext?.bias as tf.Variable, tf.fill([3], 0.7));
    tf.tidy(() => {
      const x = rnd([2, 8, 8, 3], 12) as tf.Tensor4D;
      // pre-context shifts the input: SAC(x) == plain SAC(x + 0.7), same kernel
      plain.kernel.assign(l.kernel);
      assert.ok(maxDiff(l.apply(x, ctx), plain.apply(tf.add(x, 0.7), ctx)) < 1e-5);
      const before = l.apply(x, ctx);
      l.postContext?.kernel.assign(rnd([1, 1, 4, 4], 13));
      const after = l.apply(x, ctx);
      const centred = (t: tf.Tensor) => tf.sub(t, tf.mean(t, [1, 2], true));
      assert.ok(maxDiff(before, after) > 1e-2, 'post context changes the output');
      assert.ok(maxDiff(centred(before), centred(after)) < 1e-5);
    });
  });

  it('switch shape [2,4,4,1] for stride 2; reflect 5x5 pooling of a row ramp gives 1.2 at the corner (spec §8.8)', () => {
    const l = mk(2, { inChannels: 5 });
    tf.tidy(() => {
      assert.deepEqual(l.switchMap(rnd([2, 8, 8, 5], 14), ctx).shape, [2, 4, 4, 1]);
      const ramp = tf.tensor4d(Array.from({ length: 25 }, (_, k) => Math.floor(k / 5)), [1, 5, 5, 1]);
      const p = reflectAvgPool5(ramp).arraySync() as number[][][][];
      assert.ok(Math.abs(p[0][0][0][0] - 1.2) < 1e-6);
      assert.ok(Math.abs(p[0][2][2][0] - 2) < 1e-6);
      assert.ok(Math.abs(p[0][4][4][0] - 2.8) < 1e-6);
      assert.throws(() => reflectAvgPool5(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D), /spatial size >= 3/);
    });
  });

  it('the loss gradient w.r.t. dw is exactly 0 while S == 1, and non-zero once S < 1 (spec §8.9)', () => {
    const l = mk(1);
    tf.tidy(() => {
      const x = rnd([1, 8, 8, 3], 15) as tf.Tensor4D;
      const g = tf.variableGrads(() => tf.sum(tf.square(l.apply(x, ctx))) as tf.Scalar, [l.deltaW]).grads[l.deltaW.name];
      assert.equal(tf.max(tf.abs(g)).dataSync()[0], 0);
      l.switchConv.bias?.assign(tf.fill([1], 0.5));
      const g2 = tf.variableGrads(() => tf.sum(tf.square(l.apply(x, ctx))) as tf.Scalar, [l.deltaW]).grads[l.deltaW.name];
      assert.ok(tf.max(tf.abs(g2)).dataSync()[0] > 1e-3);
    });
  });

  it('SAC rejects a wrong input shape or kernel shape with a clear error', () => {
    const l = mk(1);
    const x = tf.zeros([1, 8, 8, 5]);
    assert.throws(() => l.apply(x, ctx), /expected input \[N, H, W, 3\]/);
    x.dispose();
    const k = tf.zeros([3, 3, 2, 4]);
    assert.throws(() => sac({ inChannels: 3, filters: 4, kernel: k }, makeRng(0)), /kernel must have shape \[3,3,3,4\]/);
    k.dispose();
  });
});

describe('detectors: RFP modules', () => {
  it('ASPP keeps the shape; each quarter comes from one branch; the image-pool quarter is spatially constant (spec §8.10)', () => {
    const a = rfpAspp(32, makeRng(0));
    tf.tidy(() => {
      const f = rnd([2, 8, 8, 32], 1);
      const y = a.apply(f, ctx);
      assert.deepEqual(y.shape, [2, 8, 8, 32]);
      const q4 = tf.slice(y, [0, 0, 0, 24], [2, 8, 8, 8]);
      assert.equal(maxDiff(q4, tf.slice(q4, [0, 0, 0, 0], [2, 1, 1, 8])), 0);
      // zeroing branch 2's kernel changes only channels 8..15
      const [b1, b2] = a.children as unknown as { kernel: tf.Variable; bias: tf.Variable }[];
      b2.kernel.assign(tf.zerosLike(b2.kernel));
      const y2 = a.apply(f, ctx);
      assert.equal(maxDiff(tf.slice(y, [0, 0, 0, 0], [2, 8, 8, 8]), tf.slice(y2, [0, 0, 0, 0], [2, 8, 8, 8])), 0);
      assert.ok(maxDiff(tf.slice(y, [0, 0, 0, 8], [2, 8, 8, 8]), tf.slice(y2, [0, 0, 0, 8], [2, 8, 8, 8])) > 1e-3);
      assert.equal(maxDiff(tf.slice(y, [0, 0, 0, 16], [2, 8, 8, 16]), tf.slice(y2, [0, 0, 0, 16], [2, 8, 8, 16])), 0);
      assert.ok(b1.kernel.shape[0] === 1);
    });
  });

  it('ASPP rejects channels not divisible by 4 (spec §8.11)', () => {
    assert.throws(() => rfpAspp(30, makeRng(0)), /divisible by 4/);
  });

  it('fusion at init returns 0.5 (f_prev + f_new) (spec §8.12)', () => {
    const fu = rfpFusion(8, makeRng(0));
    tf.tidy(() => {
      const a = rnd([1, 4, 4, 8], 2), b = rnd([1, 4, 4, 8], 3);
      assert.ok(maxDiff(fu.fuse(a, b, ctx), tf.mul(0.5, tf.add(a, b))) < 1e-6);
    });
  });

  const bcfg: BackboneConfig = { stem: 'mini', stemChannels: 8, block: 'basic', channels: [8, 16, 32], blocks: [1, 2, 1], strides: [1, 2, 2] };

  /** B^1 plain, B^2..B^T copies of B^1 with zero RfpConvs. */
  function rfpSetup(T: number) {
    const b1 = detBackbone(bcfg, makeRng(1), 'backbone');
    // non-trivial BN statistics
    for (const nv of collectState(b1)) nv.variable.assign(tf.tidy(() => tf.add(nv.variable, tf.abs(tf.mul(0.3, rnd(nv.variable.shape, 7))))));
    const bs = [b1];
    for (let t = 2; t <= T; t++) {
      const b = detBackbone({ ...bcfg, rfpInChannels: 16 }, makeRng(t), `backbone${t}`);
      const src = new Map([...collectParams(b1), ...collectState(b1)].map((v) => [v.path.replace(/^backbone\//, ''), v.variable]));
      for (const nv of [...collectParams(b), ...collectState(b)]) { const s = src.get(nv.path.replace(/^backbone\d+\//, '')); if (s) nv.variable.assign(s); }
      bs.push(b);
    }
    const neck = fpn({ inChannels: bcfg.channels, outChannels: 16, extraLevels: 1 }, makeRng(9));
    return { bs, neck, aspp: rfpAspp(16, makeRng(10)), fusion: rfpFusion(16, makeRng(11)) };
  }

  it('RFP equals FPN at conversion (B^t = copy of B^1, RfpConv 0, fusion 0) for T = 2 and T = 3 (spec §8.13)', () => {
    for (const T of [2, 3]) {
      const { bs, neck, aspp, fusion } = rfpSetup(T);
      tf.tidy(() => {
        const img = rnd([2, 32, 32, 3], 20);
        const plain = neck.applyFeatures(bs[0].applyFeatures(img, ctx), ctx);
        const rfp = rfpForward(img, bs, neck, aspp, fusion, { steps: T }, ctx);
        assert.equal(rfp.length, plain.length);
        plain.forEach((p, l) => assert.ok(maxDiff(p, rfp[l]) < 1e-5, `T=${T} level ${l}`));
      });
    }
  });

  it('feedback wiring: stage 1 gets none; perturbing step-1 P2 leaves x^2 unchanged, P3 changes C3-C5 once RfpConv != 0 (spec §8.14)', () => {
    const { bs, neck, aspp } = rfpSetup(2);
    const b2 = bs[1];
    for (const nv of collectParams(b2)) if (/rfpConv/.test(nv.path)) nv.variable.assign(tf.tidy(() => tf.mul(0.2, rnd(nv.variable.shape, 30))));
    tf.tidy(() => {
      const img = rnd([1, 32, 32, 3], 21);
      const f = neck.applyFeatures(bs[0].applyFeatures(img, ctx), ctx);
      const fb = (fs: tf.Tensor[]) => [null, aspp.apply(fs[1], ctx), aspp.apply(fs[2], ctx)];
      const x2 = b2.rfpForward(img, fb(f), ctx);
      const fP2 = [tf.add(f[0], 1), ...f.slice(1)];
      const x2a = b2.rfpForward(img, fb(fP2), ctx);
      x2.forEach((x, s) => assert.equal(maxDiff(x, x2a[s]), 0, `P2 perturbation reached stage ${s + 1}`));
      // an explicit feedback for stage 1 (index 0) is ignored
      const x2c = b2.rfpForward(img, [tf.ones(f[0].shape), ...fb(f).slice(1)], ctx);
      x2.forEach((x, s) => assert.equal(maxDiff(x, x2c[s]), 0));
      const fP3 = [f[0], tf.add(f[1], 1), ...f.slice(2)];
      const x2b = b2.rfpForward(img, fb(fP3), ctx);
      assert.equal(maxDiff(x2[0], x2b[0]), 0, 'C2 unchanged');
      assert.ok(maxDiff(x2[1], x2b[1]) > 1e-4 && maxDiff(x2[2], x2b[2]) > 1e-4, 'C3 and C4 change');
      // spatial sizes match the same-level pyramid output
      assert.deepEqual(x2[1].shape.slice(1, 3), f[1].shape.slice(1, 3));
      assert.throws(() => b2.rfpForward(img, [null, f[2], f[2]], ctx), /feedback spatial size 2x2 does not match 4x4/);
      assert.throws(() => bs[0].rfpForward(img, fb(f), ctx), /needs a backbone built with rfpInChannels/);
    });
  });
});
