// GUNN (thesis ch. 4): spec §8 checks on real values.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { collectParams, collectState, countParams, disposeLayer } from '../lib/nn/tree';
import type { Ctx } from '../lib/nn/types';
import {
  PUBLISHED_PARAMS, countConfigParams, gunn15, gunn18, gunn24, gunnMini, wideGunn18, effectiveDepth,
  gunnLayer, gunnNet, linearUnits, partitionOf, type PartitionUnit, type UnitFactory,
  runAlgorithm2Check, runReceptiveField, runSingularity, runPartitionDemo, runParamCounts,
  sunn15, sunn18, sunn24, gunn15NoRes,
  makeCollapsed, residualCollapseConditions, toyForward, linearGunnClosedForm, gaussianMatrix, validateConfig,
} from '../lib/papers/gunn';

const train: Ctx = { training: true };
const evalCtx: Ctx = { training: false };

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Units that record the state they were given and return a fixed function of it. */
function spyUnits(log: { index: number; state: Float32Array }[]): UnitFactory {
  return (spec): PartitionUnit => {
    const v = tf.variable(tf.scalar(spec.index + 2));
    const f = (s: tf.Tensor) => tf.tidy(() => tf.add(tf.mul(tf.sum(s, 3, true), v), tf.zeros([...s.shape.slice(0, 3), spec.n])));
    return {
      name: `spy${spec.index}`, params: [{ path: 'v', variable: v, decay: true }], state: [], children: [],
      N: spec.N, lo: spec.lo, n: spec.n, residual: false,
      apply: (s) => { log.push({ index: spec.index, state: s.dataSync().slice() as Float32Array }); return f(s); },
      branch: (s) => f(s),
    };
  };
}

describe('GUNN: update-order semantics', () => {
  it('unit k reads partitions < k already updated and partitions >= k from the input; SUNN reads x', () => {
    const N = 6, P = 3, n = 2;
    const x = tf.randomNormal([1, 2, 2, N], 0, 1, 'float32', 1);
    const xv = x.dataSync();
    for (const mode of ['gunn', 'sunn'] as const) {
      const log: { index: number; state: Float32Array }[] = [];
      const layer = gunnLayer({ N, P, mode, unitFactory: spyUnits(log) }, makeRng(0));
      const y = layer.apply(x, evalCtx);
      const yv = y.dataSync();
      assert.deepEqual(log.map((l) => l.index), [0, 1, 2], 'each unit called exactly once, in order');
      for (const { index: k, state } of log) {
        for (let pos = 0; pos < 4; pos++) {
          for (let c = 0; c < N; c++) {
            const part = Math.floor(c / n);
            const expected = mode === 'gunn' && part < k ? yv[pos * N + c] : xv[pos * N + c];
            assert.ok(Math.abs(state[pos * N + c] - expected) < 1e-6, `${mode} unit ${k} channel ${c}: ${state[pos * N + c]} vs ${expected}`);
          }
        }
      }
      y.dispose();
      disposeLayer(layer);
    }
    x.dispose();
  });

  it('linear units: GUNN = (I - Wl)^-1 (I + Wu) x (block version), SUNN = (I + W) x', () => {
    const N = 6, rng = makeRng(3);
    const W = gaussianMatrix(N, N, 0.4, rng);
    const xs = Array.from({ length: N }, () => rng.normal());
    const x = tf.tensor4d(xs, [1, 1, 1, N]);
    for (const P of [6, 3, 2]) {
      const n = N / P;
      // block-lower part: W_ij with partition(j) < partition(i) reads updated values
      const g = gunnLayer({ N, P, mode: 'gunn', unitFactory: linearUnits(W) }, makeRng(0));
      const s = gunnLayer({ N, P, mode: 'sunn', unitFactory: linearUnits(W) }, makeRng(0));
      const yg = g.apply(x, evalCtx).dataSync(), ys = s.apply(x, evalCtx).dataSync();
      // oracle: forward substitution over partitions
      const y = xs.slice();
      for (let pi = 0; pi < P; pi++) {
        const state = y.slice();
        for (let r = pi * n; r < (pi + 1) * n; r++) y[r] = state[r] + W[r].reduce((a, w, j) => a + w * state[j], 0);
      }
      const sunn = xs.map((xi, i) => xi + W[i].reduce((a, w, j) => a + w * xs[j], 0));
      for (let i = 0; i < N; i++) {
        assert.ok(Math.abs(yg[i] - y[i]) < 1e-5, `GUNN P=${P} ch ${i}: ${yg[i]} vs ${y[i]}`);
        assert.ok(Math.abs(ys[i] - sunn[i]) < 1e-5, `SUNN P=${P} ch ${i}: ${ys[i]} vs ${sunn[i]}`);
      }
      if (P === N) {
        const cf = linearGunnClosedForm(W, xs);
        for (let i = 0; i < N; i++) assert.ok(Math.abs(yg[i] - cf[i]) < 1e-5, `closed form ch ${i}`);
      }
      disposeLayer(g); disposeLayer(s);
    }
    x.dispose();
  });

  it('P = 1: GUNN == SUNN == the single unit applied to x', () => {
    const o = { N: 8, P: 1, K: 2, M: 1, projection: true };
    const g = gunnLayer({ ...o, mode: 'gunn' }, makeRng(5)), s = gunnLayer({ ...o, mode: 'sunn' }, makeRng(5));
    const x = tf.randomNormal([2, 5, 5, 8], 0, 1, 'float32', 2);
    const yg = g.apply(x, evalCtx), ys = s.apply(x, evalCtx), yu = g.units[0].apply(x, evalCtx);
    assert.equal(maxAbs(yg, ys), 0);
    assert.equal(maxAbs(yg, yu), 0);
    tf.dispose([x, yg, ys, yu]); disposeLayer(g); disposeLayer(s);
  });

  it('first partition identical in GUNN and SUNN; later ones differ (runPartitionDemo)', () => {
    const r = runPartitionDemo({ seed: 1, batch: 2 });
    assert.equal(r.sameParams, true);
    assert.equal(r.rows[0].maxAbsDiff, 0);
    for (const row of r.rows.slice(1)) assert.ok(row.maxAbsDiff > 1e-3 * row.meanAbs, `partition ${row.partition} should differ`);
  });

  it('perturbing unit j changes GUNN partitions >= j only, SUNN partition j only', () => {
    const N = 8, P = 4, j = 2;
    const x = tf.randomNormal([2, 4, 4, N], 0, 1, 'float32', 9);
    for (const mode of ['gunn', 'sunn'] as const) {
      const L = gunnLayer({ N, P, mode }, makeRng(4));
      const before = L.apply(x, evalCtx);
      const k = collectParams(L.units[j])[0].variable;
      k.assign(tf.add(k, tf.randomNormal(k.shape, 0, 0.5, 'float32', 3)));
      const after = L.apply(x, evalCtx);
      for (let p = 0; p < P; p++) {
        const d = maxAbs(partitionOf(before, p * 2, 2), partitionOf(after, p * 2, 2));
        const changes = mode === 'gunn' ? p >= j : p === j;
        if (changes) assert.ok(d > 1e-4, `${mode}: partition ${p} should change (diff ${d})`);
        else assert.equal(d, 0, `${mode}: partition ${p} must not change`);
      }
      tf.dispose([before, after]); disposeLayer(L);
    }
    x.dispose();
  });
});

describe('GUNN: parameter counts and architectures', () => {
  it('countConfigParams reproduces the six published totals; GUNN = SUNN = NoRes', () => {
    const expected = [1_585_746, 1_618_236, 29_534_106, 29_631_396, 28_909_736, 45_624_936];
    assert.deepEqual(PUBLISHED_PARAMS.map((p) => countConfigParams(p.config())), expected);
    for (const p of PUBLISHED_PARAMS) {
      const c = p.config();
      assert.equal(countConfigParams({ ...c, mode: 'sunn' }), p.params);
      assert.equal(countConfigParams({ ...c, residual: false }), p.params);
    }
    assert.equal(countConfigParams(gunn15(10, { projection: false })), 1_306_746);
    assert.equal(sunn15().name, 'SUNN-15');
    assert.equal(gunn15NoRes().name, 'GUNN-15-NoRes');
    assert.equal(sunn18().mode, 'sunn');
    assert.equal(countConfigParams(sunn24(100)), 29_631_396);
    assert.equal(countConfigParams(gunnMini()), 47_834);
    assert.equal(countConfigParams(gunnMini({ projection: false })), 44_346);
    assert.equal(effectiveDepth(gunn15(), 'sunn'), 15);
    assert.equal(effectiveDepth(gunn15(), 'gunn'), 231);
    assert.equal(effectiveDepth(gunn24(), 'gunn'), 456);
    assert.equal(effectiveDepth(gunn18(), 'gunn'), 366);
    assert.equal(effectiveDepth(gunn18(), 'sunn'), 18);
    assert.equal(effectiveDepth(gunn24(), 'sunn'), 24);
  });

  it('constructed GUNN-15 / SUNN-15 / mini networks: tfjs variable sizes sum to the counts', () => {
    const r = runParamCounts({ construct: 'small' });
    assert.equal(r.rows[0].constructed, 1_585_746);
    assert.equal(r.rows[1].constructed, 1_618_236);
    for (const cfg of [gunn15(10, { mode: 'sunn' }), gunnMini(), gunnMini({ mode: 'sunn' }), gunnMini({ residual: false })]) {
      const net = gunnNet(cfg, makeRng(0));
      assert.equal(countParams(net), countConfigParams(cfg), cfg.name);
      disposeLayer(net);
    }
  });

  it('GUNN-15 on [2, 32, 32, 3] gives [2, 10] logits and stage outputs 32x32x240, 16x16x300, 8x8x360', () => {
    const net = gunnNet(gunn15(10), makeRng(1));
    const taps = new Map<string, tf.Tensor>();
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
    const y = net.apply(x, { training: false, taps });
    assert.deepEqual(y.shape, [2, 10]);
    assert.deepEqual(taps.get('stage1')!.shape, [2, 32, 32, 240]);
    assert.deepEqual(taps.get('stage2')!.shape, [2, 16, 16, 300]);
    assert.deepEqual(taps.get('stage3')!.shape, [2, 8, 8, 360]);
    assert.ok(y.dataSync().every(Number.isFinite));
    tf.dispose([x, y, ...taps.values()]);
    disposeLayer(net);
  });

  it('init: conv weights N(0, sqrt(2/(k*k*Cout))) within 5%, BN gamma 1 / beta 0', () => {
    const L = gunnLayer({ N: 240, P: 2, K: 2, M: 1 }, makeRng(2));
    const vars = collectParams(L);
    const k3 = vars.find((v) => v.path.endsWith('bottleneck1/b/conv/kernel'))!.variable; // 3x3, 240 -> 240
    assert.deepEqual(k3.shape, [3, 3, 240, 240]);
    const d = k3.dataSync();
    let s = 0, s2 = 0;
    for (const v of d) { s += v; s2 += v * v; }
    const sd = Math.sqrt(s2 / d.length - (s / d.length) ** 2);
    const want = Math.sqrt(2 / (9 * 240));
    assert.ok(Math.abs(sd / want - 1) < 0.05, `std ${sd} vs ${want}`);
    for (const v of vars.filter((x) => x.path.endsWith('gamma'))) assert.ok(v.variable.dataSync().every((g) => g === 1));
    for (const v of vars.filter((x) => x.path.endsWith('beta'))) assert.ok(v.variable.dataSync().every((g) => g === 0));
    disposeLayer(L);
  });

  it('bad configurations and inputs fail with errors that name the problem', () => {
    assert.throws(() => gunnLayer({ N: 10, P: 4 }, makeRng(0)), /N=10 channels cannot be split into P=4/);
    assert.throws(() => gunnLayer({ N: 8, P: 4, mode: 'sunn', customBackward: true }, makeRng(0)), /customBackward .* 'gunn' only/);
    assert.throws(() => gunnLayer({ N: 8, P: 4, residual: false, backwardRule: 'merged-4.6' }, makeRng(0)), /needs residual units/);
    assert.throws(() => gunnLayer({ N: 8, P: 4, mode: 'xunn' as never }, makeRng(0)), /unknown mode 'xunn'/);
    assert.throws(() => validateConfig({ ...gunn15(), stages: [{ N: 240, P: 7, K: 2, M: 1 }] }), /N=240 channels cannot be split into P=7/);
    const L = gunnLayer({ N: 8, P: 4 }, makeRng(0));
    const x = tf.zeros([1, 4, 4, 6]);
    assert.throws(() => L.apply(x, evalCtx), /expected input \[B, H, W, 8\], got \[1, 4, 4, 6\]/);
    const net = gunnNet(gunnMini(), makeRng(0));
    assert.throws(() => net.apply(tf.zeros([1, 28, 28, 3]), evalCtx), /expected input \[B, H, W, 1\]/);
    assert.throws(() => makeCollapsed('gunn', gaussianMatrix(4, 4, 1, makeRng(0)), gaussianMatrix(2, 4, 1, makeRng(0)), 0, 2), /q = p \+ 1/);
    x.dispose(); disposeLayer(L); disposeLayer(net);
  });
});

describe('GUNN: Algorithm 2 (custom backward)', () => {
  for (const M of [1, 2]) {
    for (const residual of [true, false]) {
      for (const projection of [true, false]) {
        it(`equals autodiff (M=${M}, residual=${residual}, projection=${projection}); BN stats updated once`, () => {
          const r = runAlgorithm2Check({ seed: M * 10 + (residual ? 1 : 0) + (projection ? 2 : 0), batch: 2, size: 6, N: 8, P: 4, K: 2, M, residual, projection });
          assert.ok(r.maxRelError < 1e-4, `max relative error ${r.maxRelError} (${JSON.stringify(r.perTensor.filter((p) => p.maxRelError >= 1e-4))})`);
          assert.equal(r.perTensor.length, 1 + 4 * (9 * M + (projection ? 3 : 0)), 'input + every parameter tensor compared');
          assert.ok(r.stateMaxDiff < 1e-6, `running statistics differ from autodiff's single update by ${r.stateMaxDiff}`);
          assert.ok(r.stateMoved > 1e-3, 'running statistics must have been updated');
          assert.ok(r.retainedBytes.algorithm2 < r.retainedBytes.autodiff / 3,
            `Algorithm 2 should keep far less for the backward: ${JSON.stringify(r.retainedBytes)}`);
        });
      }
    }
  }

  it('merged rule (4.6) gives the same gradients as steps 5-6', () => {
    for (const M of [1, 2]) {
      const r = runAlgorithm2Check({ seed: 3, M, backwardRule: 'merged-4.6' });
      assert.ok(r.maxRelError < 1e-4, `M=${M}: ${r.maxRelError}`);
    }
  });

  it('trains a GUNN-mini step with Algorithm 2 without leaking tensors; same update as autodiff', () => {
    const cfg = gunnMini();
    const a = gunnNet(cfg, makeRng(7)), b = gunnNet(cfg, makeRng(7), { customBackward: true });
    const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 5);
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const step = (net: typeof a) => {
      const vars = collectParams(net).map((v) => v.variable);
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), net.apply(x, train)) as tf.Scalar, vars);
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.1)));
      });
    };
    step(a); step(b);
    const n0 = tf.memory().numTensors;
    step(b);
    assert.equal(tf.memory().numTensors, n0, 'tensor count must not grow across steps');
    step(a);
    const pa = collectParams(a), pb = collectParams(b);
    let worst = 0;
    pa.forEach((v, i) => { worst = Math.max(worst, maxAbs(v.variable, pb[i].variable)); });
    assert.ok(worst < 1e-4, `parameters after 2 SGD steps differ by ${worst}`);
    const sa = collectState(a), sb = collectState(b);
    sa.forEach((v, i) => assert.ok(maxAbs(v.variable, sb[i].variable) < 1e-5, `state ${v.path}`));
    tf.dispose([x, labels]); disposeLayer(a); disposeLayer(b);
  });
});

describe('GUNN: receptive field and overlap singularities', () => {
  it('receptive field of partition k is 2k+1 in GUNN and 3 in SUNN', () => {
    const r = runReceptiveField({ seed: 0, N: 12, P: 6, size: 16 });
    for (const row of r.rows) {
      assert.equal(row.width, row.expected, `${row.mode} partition ${row.partition}`);
      assert.equal(row.height, row.expected);
    }
  });

  it('collapsed pairs: plain stays at 0, residual at rounding level, GUNN separates after one step', () => {
    const r = runSingularity({ seed: 0, steps: 100 });
    const by = Object.fromEntries(r.summary.map((s) => [s.kind, s]));
    assert.ok(by.plain.gapMax <= 1e-6, `plain gap ${by.plain.gapMax}`);
    assert.ok(by.residual.gap0 <= 1e-6, `residual initial gap ${by.residual.gap0}`);
    assert.ok(by.residual.gapMax < 1e-5, `residual gap ${by.residual.gapMax}`);
    assert.ok(by.gunn.gap0 < 1e-6, `gunn initial gap ${by.gunn.gap0}`);
    assert.ok(by.gunn.gap1 > 1e-3, `gunn gap after one step ${by.gunn.gap1}`);
  });

  it('residual collapse: h_p == h_q iff the Eq. 4.8 conditions hold', () => {
    const rng = makeRng(11);
    const x = tf.randomNormal([64, 5], 0, 1, 'float32', 4) as tf.Tensor2D;
    for (let trial = 0; trial < 4; trial++) {
      const W0 = gaussianMatrix(5, 5, Math.sqrt(2 / 5), rng), V0 = gaussianMatrix(2, 5, 1, rng);
      const collapsed = makeCollapsed('residual', W0, V0, 1, 3).W;
      for (const [W, expect] of [[W0, false], [collapsed, true]] as const) {
        assert.equal(residualCollapseConditions(W as number[][], 1, 3), expect);
        const h = toyForward('residual', tf.tensor2d(W as number[][]), x);
        const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(h.slice([0, 1], [64, 1]), h.slice([0, 3], [64, 1])))).dataSync()[0]);
        if (expect) assert.ok(gap < 1e-5, `collapsed gap ${gap}`);
        else assert.ok(gap > 1e-3, `random W gap ${gap}`);
        h.dispose();
      }
    }
    x.dispose();
  });
});

describe('GUNN: published architectures are constructible', () => {
  it('GUNN-24, GUNN-18 and Wide GUNN-18 built as tfjs variables have the published counts', function () {
    this.timeout(600000);
    for (const [cfg, want] of [[gunn24(10), 29_534_106], [gunn24(100), 29_631_396], [gunn18(), 28_909_736], [wideGunn18(), 45_624_936]] as const) {
      const net = gunnNet(cfg, makeRng(0), { init: 'zeros' });
      assert.equal(countParams(net), want, cfg.name);
      if (cfg.name === 'GUNN-18') {
        // stem 7x7/2 + max-pool 3x3/2, three transitions: 64x64 -> 16, 8, 4, 2 -> GAP -> 1000 logits
        const taps = new Map<string, tf.Tensor>();
        const y = net.apply(tf.ones([1, 64, 64, 3]), { training: false, taps });
        assert.deepEqual(y.shape, [1, 1000]);
        assert.deepEqual(taps.get('stage1')!.shape, [1, 16, 16, 400]);
        assert.deepEqual(taps.get('stage4')!.shape, [1, 2, 2, 2000]);
        tf.dispose([y, ...taps.values()]);
      }
      disposeLayer(net);
    }
  });
});
