import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { countParams } from '../lib/nn/tree';
import { sgd } from '../lib/train/optimizers';
import { trainStep, l1Penalty } from '../lib/train/step';
import {
  deadMask, liveMask, inspectUtilization, bruteForceLive, adaptiveLambda, chooseAlpha, chainCost,
  buildNRNet, rejuvenate, inspectNet, crossAttention, countGraphParams, vggGraph, resnetGraph,
  VGG19_CIFAR, VGG_MINI, vgg16ImagenetGraph, vgg19SimplifiedGraph, groupMask, convWeightCounts, slimmingInspection, type NRNet, type MaskOp,
} from '../lib/papers/rejuvenation';

const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);

/** VGG-mini with hand-set gammas: some neurons dead with gamma = beta = 0 (removal exact), some small. */
function preparedNet(seed: number): NRNet {
  const rng = makeRng(seed);
  const net = buildNRNet({ cfg: VGG_MINI, inChannels: 1, inputHW: [8, 8], numClasses: 10, gamma0: 0.5 }, rng);
  net.convs().forEach((u) => {
    const c = u.cout;
    const g = new Float32Array(c), b = new Float32Array(c), m = new Float32Array(c), v = new Float32Array(c);
    for (let j = 0; j < c; j++) {
      const dead = j % 3 === 1;
      g[j] = dead ? 0 : (rng.next() < 0.5 ? -1 : 1) * (0.05 + rng.next());
      b[j] = dead ? 0 : rng.normal() * 0.2;
      m[j] = rng.normal() * 0.1; v[j] = 0.5 + rng.next();
    }
    u.gamma.assign(tf.tensor1d(g)); u.beta.assign(tf.tensor1d(b)); u.runMean.assign(tf.tensor1d(m)); u.runVar.assign(tf.tensor1d(v));
  });
  return net;
}

describe('rejuvenation: liveness and utilization (spec 8.1-8.3)', () => {
  it('dead mask by |gamma| < 0.01 max|gamma|; whole layer dead below 1e-3', () => {
    assert.deepEqual(deadMask([1.0, 0.005, -0.5, 0.009, 0.02, -0.0099]), [false, true, false, true, false, true]);
    assert.deepEqual(deadMask([5e-4, -9e-4, 1e-4]), [true, true, true]);
    assert.throws(() => liveMask([1, NaN]), /gamma\[1\] is NaN/);
  });
  it('params and FLOPs utilization of the hand chain', () => {
    const ops: MaskOp[] = [
      { kind: 'conv', name: 'c1', k: 3, cin: 3, cout: 4, gamma: [1, 1, 1, 0] },
      { kind: 'conv', name: 'c2', k: 3, cin: 4, cout: 6, gamma: [1, 1, 1, 1, 0, 0], stride: 2 },
      { kind: 'conv', name: 'c3', k: 1, cin: 6, cout: 5, gamma: [1, 1, 1, 1, 1] },
    ];
    const p = inspectUtilization(ops, { channels: 3, hw: [8, 8] });
    assert.equal(p.live, 209); assert.equal(p.total, 354); close(p.r, 0.59040, 1e-5);
    const f = inspectUtilization(ops, { channels: 3, hw: [8, 8] }, { resource: 'flops' });
    assert.equal(f.live, 7232); assert.equal(f.total, 10848); close(f.r, 2 / 3, 1e-12);
    // a layer whose inputs are all dead contributes 0 and kills its outputs
    const dead = inspectUtilization([{ ...ops[0], gamma: [0, 0, 0, 0] } as MaskOp, ops[1], ops[2]], { channels: 3, hw: [8, 8] });
    assert.equal(dead.layers[1].liveCost, 0); assert.equal(dead.layers[1].maskOut.reduce((a, b) => a + b, 0), 0);
    assert.throws(() => inspectUtilization(ops, { channels: 3, hw: [8, 8] }, { resource: 'bytes' as never }), /unknown resource 'bytes'/);
    assert.throws(() => inspectUtilization([ops[1]], { channels: 3, hw: [8, 8] }), /expects 4 input channels/);
  });
  it('mask propagation equals a brute-force count on random masks', () => {
    const rng = makeRng(3);
    for (let t = 0; t < 20; t++) {
      const widths = [2 + rng.int(6), 2 + rng.int(6), 2 + rng.int(6), 2 + rng.int(6)];
      let cin = 1 + rng.int(3);
      const c0 = cin;
      const ops: MaskOp[] = widths.map((w, i) => {
        const op: MaskOp = { kind: 'conv', name: `c${i}`, k: 1 + 2 * rng.int(2), cin, cout: w, gamma: Array.from({ length: w }, () => (rng.next() < 0.4 ? 0 : 1)) };
        cin = w; return op;
      });
      const u = inspectUtilization(ops, { channels: c0, hw: [4, 4] });
      assert.equal(u.live, bruteForceLive(u.layers.map((l, i) => ({ k: (ops[i] as { k: number }).k, maskIn: l.maskIn, maskOut: l.maskOut }))));
    }
  });
  it('residual additions keep the main stream alive; fixed layers are never dead', () => {
    const g = resnetGraph({ depth: 18, gammas: (name, c) => new Float32Array(c).map((_, j) => (j % 2 ? 1 : 0)) });
    const u = inspectUtilization(g, { channels: 3, hw: [224, 224] });
    const fixed = u.layers.filter((l) => l.fixed);
    assert.ok(fixed.length > 0 && fixed.every((l) => l.maskOut.every((v) => v === 1)));
    assert.ok(u.r > 0.5 && u.r < 1, `r ${u.r}`);
  });
});

describe('rejuvenation: penalty and adaptive lambda (spec 8.4-8.5)', () => {
  it('l1 sub-gradient on gammas equals adding lambda*sum|gamma| to the loss; other vars untouched', () => {
    const mk = () => buildNRNet({ cfg: [4, 4], inChannels: 1, inputHW: [4, 4], numClasses: 3 }, makeRng(1));
    const a = mk(), b = mk();
    const x = tf.randomNormal([4, 4, 4, 1], 0, 1, 'float32', 2), y = tf.tensor1d([0, 1, 2, 1], 'int32');
    a.convs()[0].gamma.assign(tf.tensor1d([0.5, -0.3, 0.2, 0.1])); b.convs()[0].gamma.assign(tf.tensor1d([0.5, -0.3, 0.2, 0.1]));
    const lam = 1e-3;
    const gset = new Set(a.convs().map((u) => u.gamma.name));
    const ce = (n: NRNet) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), n.apply(x, { training: true })) as tf.Scalar;
    const oa = sgd({ lr: 0.1, momentum: 0.9 }), ob = sgd({ lr: 0.1, momentum: 0.9 });
    trainStep({ vars: a.params, optimizer: oa, loss: () => ce(a), transformGrads: l1Penalty(lam, (nv) => gset.has(nv.variable.name)) });
    trainStep({ vars: b.params, optimizer: ob, loss: () => tf.add(ce(b), tf.mul(lam, tf.addN(b.convs().map((u) => tf.sum(tf.abs(u.gamma)))))) as tf.Scalar });
    a.params.forEach((p, i) => {
      const d = tf.max(tf.abs(tf.sub(p.variable, b.params[i].variable))).dataSync()[0];
      assert.ok(d < 1e-6, `${p.path} differs by ${d}`);
    });
    oa.dispose(); ob.dispose(); a.dispose(); b.dispose(); tf.dispose([x, y]);
  });
  it('lambda rule on the scripted r sequence', () => {
    const ctl = adaptiveLambda({ deltaR: 0.01, deltaLambda: 5e-5, Tr: 0.5 });
    const lams = [1.0, 0.995, 0.98, 0.965, 0.95, 0.70, 0.695].map((r) => ctl.check(r).lambda);
    [5e-5, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 1.5e-4].forEach((v, i) => close(lams[i], v, 1e-12, `check ${i}`));
    const t = ctl.check(0.45);
    assert.equal(t.trigger, true); assert.equal(ctl.state.lambda, 0); assert.equal(ctl.state.rPrev, 1);
    assert.throws(() => adaptiveLambda({ Tr: 1.5 }), /Tr must be in \(0, 1\)/);
    assert.throws(() => ctl.check(NaN), /must be in \[0, 1\]/);
  });
  it('lambda cap: increments stop at max, the keep/trigger logic is unchanged', () => {
    const ctl = adaptiveLambda({ deltaR: 0.01, deltaLambda: 4e-3, Tr: 0.25, max: 0.01 });
    const acts = [1, 1, 1, 1, 0.9, 0.9].map((r) => ctl.check(r));
    assert.deepEqual(acts.map((a) => a.lambda), [4e-3, 8e-3, 0.01, 0.01, 0.01, 0.01]);
    assert.deepEqual(acts.map((a) => a.action), ['increase', 'increase', 'increase', 'keep', 'keep', 'keep']);
    assert.equal(ctl.check(0.2).trigger, true);
    assert.equal(ctl.state.lambda, 0);
    assert.throws(() => adaptiveLambda({ max: 0 }), /max must be > 0/);
  });
});

describe('rejuvenation: reallocation (spec 8.6-8.7)', () => {
  it('hand example: closed form [10,14,14] (3294), bisection [11,14,14] (3447)', () => {
    const geom = [0, 1, 2].map(() => ({ k: 3, hw: [1, 1] as [number, number] }));
    assert.equal(chainCost([8, 16, 16], geom, { inChannels: 3 }), 3672);
    const r = chooseAlpha([6, 8, 8], geom, 3672, 3672, { inChannels: 3 });
    assert.equal(r.survivorsCost, 1170);
    close(r.sqrt.alpha, 1.7716, 1e-4); assert.deepEqual(r.sqrt.widths, [10, 14, 14]); assert.equal(r.sqrt.cost, 3294);
    assert.deepEqual(r.bisection.widths, [11, 14, 14]); assert.equal(r.bisection.cost, 3447);
  });
  it('VGG-mini survivors to C and 0.5 C', () => {
    const geom = Array.from({ length: 6 }, () => ({ k: 3, hw: [1, 1] as [number, number] }));
    const s = [10, 9, 20, 15, 30, 25];
    const full = chooseAlpha(s, geom, 71568, 71568, { inChannels: 1 });
    assert.equal(full.survivorsCost, 16020);
    assert.deepEqual(full.bisection.widths, [21, 19, 42, 32, 63, 53]); assert.equal(full.bisection.cost, 71253);
    const half = chooseAlpha(s, geom, 35784, 71568, { inChannels: 1 });
    assert.deepEqual(half.bisection.widths, [15, 13, 30, 22, 45, 37]); assert.equal(half.bisection.cost, 35235);
  });
  it('property: one shared alpha, cost within [0.9, 1] of the target, widths never shrink', () => {
    const rng = makeRng(9);
    const geom = Array.from({ length: 6 }, () => ({ k: 3, hw: [1, 1] as [number, number] }));
    for (let t = 0; t < 30; t++) {
      const s = [16, 16, 32, 32, 64, 64].map((w) => 1 + rng.int(Math.ceil(w * 0.6)));
      const r = chooseAlpha(s, geom, 71568, 71568, { inChannels: 1 });
      const b = r.bisection;
      assert.ok(b.cost <= 71568 && b.cost >= 0.9 * 71568, `cost ${b.cost}`);
      b.widths.forEach((w, i) => { assert.ok(w >= s[i]); assert.equal(w, Math.max(s[i], Math.floor(b.alpha * s[i] + 0.5))); });
    }
    assert.throws(() => chooseAlpha([0, 3], geom.slice(0, 2), 100, 100, { inChannels: 1 }), /needs >= 1 survivor/);
  });
});

describe('rejuvenation: surgery (spec 8.8-8.10, 8.13)', () => {
  it('reinit blocks: W_SS copied, cross blocks zero, W_RR at init std, R BN reset, first-layer R random', () => {
    const net = preparedNet(4);
    const insp = inspectNet(net);
    const oldK = net.convs().map((u) => u.kernel.arraySync() as number[][][][]);
    const oldBn = net.convs().map((u) => [u.gamma.dataSync().slice(), u.runMean.dataSync().slice()]);
    const { net: nn, report } = rejuvenate(net, insp, { target: insp.total, mode: 'full', rng: makeRng(5), keepOld: true });
    const live = insp.layers.map((l) => Array.from(l.maskOut).map((v, j) => (v ? j : -1)).filter((j) => j >= 0));
    nn.convs().forEach((u, i) => {
      const W = u.kernel.arraySync() as number[][][][];
      const sIn = i === 0 ? 1 : report.survivors[i - 1], sOut = report.survivors[i];
      assert.equal(u.cout, report.widthsAfter[i]);
      let rr: number[] = [];
      for (let t = 0; t < 9; t++) {
        const [ky, kx] = [Math.floor(t / 3), t % 3];
        for (let p = 0; p < u.cin; p++) for (let j = 0; j < u.cout; j++) {
          const w = W[ky][kx][p][j];
          if (p < sIn && j < sOut) close(w, oldK[i][ky][kx][i === 0 ? p : live[i - 1][p]][live[i][j]], 1e-7, 'W_SS');
          else if (p >= sIn && j >= sOut) rr.push(w);
          else if (i > 0) assert.equal(w, 0, `cross block of layer ${i}`);
          else assert.notEqual(w, 0, 'first-layer R weights on the image');
        }
      }
      if (i > 0 && rr.length > 300) {
        const std = Math.sqrt(rr.reduce((a, b) => a + b * b, 0) / rr.length);
        close(std, Math.sqrt(2 / (9 * u.cout)), 0.1 * Math.sqrt(2 / (9 * u.cout)), `W_RR std layer ${i}`);
      }
      const g = u.gamma.dataSync(), b = u.beta.dataSync(), m = u.runMean.dataSync(), v = u.runVar.dataSync();
      for (let j = 0; j < u.cout; j++) {
        if (j >= sOut) { assert.equal(g[j], 0.5); assert.equal(b[j], 0); assert.equal(m[j], 0); assert.equal(v[j], 1); }
        else { assert.equal(g[j], oldBn[i][0][live[i][j]]); assert.equal(m[j], oldBn[i][1][live[i][j]]); }
      }
    });
    nn.dispose(); net.dispose();
  });

  for (const mode of ['full', 'cr', 'ca'] as const) {
    for (const rescale of [false, true]) {
      it(`function preservation: S outputs and S-head logits unchanged (${mode}, rescale ${rescale})`, () => {
        const net = preparedNet(7);
        const x = tf.randomNormal([6, 8, 8, 1], 0, 1, 'float32', 11);
        const insp = inspectNet(net);
        const live = insp.layers.map((l) => Array.from(l.maskOut).map((v, j) => (v ? j : -1)).filter((j) => j >= 0));
        for (const training of [false, true]) {
          const tapsOld = new Map<string, tf.Tensor>();
          const oldLogits = tf.tidy(() => net.apply(x, { training, taps: tapsOld }));
          const { net: nn, report } = rejuvenate(net, insp, { target: insp.total, mode, rescale, rng: makeRng(3), keepOld: true });
          const tapsNew = new Map<string, tf.Tensor>();
          const sLogits = tf.tidy(() => nn.headLogits(x, { training, taps: tapsNew })[0]);
          assert.ok(nn.heads.length === 2 && nn.classifier === 'dualHead');
          const dl = tf.max(tf.abs(tf.sub(oldLogits, sLogits))).dataSync()[0];
          assert.ok(dl < 1e-5, `S-head logits changed by ${dl} (training ${training})`);
          nn.convs().forEach((u, i) => {
            const gOld = net.convs()[i].gamma.dataSync();
            const sc = live[i].map((j) => (rescale && Math.abs(gOld[j]) < 0.5 ? 0.5 / Math.abs(gOld[j]) : 1));
            const d = tf.tidy(() => {
              const o = tf.gather(tapsOld.get(u.name) as tf.Tensor, live[i], 3);
              const n = tf.div(tf.slice(tapsNew.get(u.name) as tf.Tensor, [0, 0, 0, 0], [-1, -1, -1, report.survivors[i]]), tf.tensor1d(sc));
              return tf.max(tf.abs(tf.sub(o, n))).dataSync()[0];
            });
            assert.ok(d < 1e-5, `layer ${i} S outputs changed by ${d}`);
          });
          if (rescale) {
            const r = inspectNet(nn).r;
            assert.equal(r, 1, 'r right after NR with rescaling');
            nn.convs().forEach((u) => u.gamma.dataSync().forEach((g) => assert.ok(Math.abs(g) >= 0.5 - 1e-6)));
          }
          close(report.costAfter, insp.total, 0.05 * insp.total, 'cost after NR');
          assert.ok(report.costAfter <= insp.total);
          tf.dispose([...tapsOld.values(), ...tapsNew.values(), oldLogits, sLogits]);
          nn.dispose();
        }
        net.dispose(); x.dispose();
      });
    }
  }

  it('neural rescaling: s = gamma0/|gamma| unbounded by default, maxRescale caps it, weights reading the channel get s x gradient', () => {
    const net = preparedNet(7);
    // a survivor barely above the dead threshold (max|gamma| <= 1.05, threshold <= 0.0105): s = 0.5 / 0.02 = 25
    const g3 = net.convs()[3].gamma.dataSync().slice();
    g3[0] = 0.02;
    net.convs()[3].gamma.assign(tf.tensor1d(g3));
    const insp = inspectNet(net);
    assert.equal(insp.layers[3].maskOut[0], 1, 'the small-gamma neuron is alive');
    const x = tf.randomNormal([6, 8, 8, 1], 0, 1, 'float32', 11), y = tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32');
    const loss = (n: NRNet) => tf.addN(n.headLogits(x, { training: false }).map((l) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), l))) as tf.Scalar;
    // gradient of conv4's kernel slice that reads S channel 0 of conv3 (S outputs only)
    const gradSlice = (n: NRNet) => tf.tidy(() => {
      const k = n.convs()[4].kernel;
      const { grads } = tf.variableGrads(() => loss(n), [k]);
      return Array.from(tf.slice(grads[k.name], [0, 0, 0, 0], [-1, -1, 1, 8]).dataSync());
    });
    const plain = rejuvenate(net, insp, { target: insp.total, mode: 'ca', rng: makeRng(3), keepOld: true });
    const br = rejuvenate(net, insp, { target: insp.total, mode: 'ca', rescale: true, rng: makeRng(3), keepOld: true });
    const capped = rejuvenate(net, insp, { target: insp.total, mode: 'ca', rescale: true, maxRescale: 4, rng: makeRng(3), keepOld: true });
    close(br.report.maxScale, 25, 1e-3, 'largest s');
    assert.equal(plain.report.maxScale, 1);
    assert.equal(capped.report.maxScale, 4);
    close(br.net.convs()[3].gamma.dataSync()[0], 0.5, 1e-6, 'rescaled gamma');
    close(capped.net.convs()[3].gamma.dataSync()[0], 0.08, 1e-6, 'capped gamma');
    // same map (loss equal), but the gradient of the weights reading the rescaled channel is s times larger
    const [l0, l1, l2] = [plain, br, capped].map((r) => tf.tidy(() => loss(r.net).dataSync()[0]));
    close(l1, l0, 1e-4, 'loss after rescaling'); close(l2, l0, 1e-4, 'loss after capped rescaling');
    const [g0, g1, g2] = [plain, br, capped].map((r) => gradSlice(r.net));
    const norm = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    assert.ok(norm(g0) > 1e-6, 'non-zero reference gradient');
    close(norm(g1) / norm(g0), 25, 0.01 * 25, 'gradient ratio (rescaled)');
    close(norm(g2) / norm(g0), 4, 0.01 * 4, 'gradient ratio (capped)');
    assert.throws(() => rejuvenate(net, insp, { target: insp.total, mode: 'ca', rescale: true, maxRescale: 0.5, rng: makeRng(3), keepOld: true }), /maxRescale must be >= 1/);
    [plain, br, capped].forEach((r) => r.net.dispose());
    net.dispose(); tf.dispose([x, y]);
  });

  it('cross attention: A + 2 sigmoid(A) B, B = 0 gives A, gradient matches finite differences', () => {
    const a = tf.tensor4d([0.3, -1.2, 2.0, 0.0], [1, 1, 2, 2]), b = tf.tensor4d([0.5, 0.1, -0.7, 1.5], [1, 1, 2, 2]);
    const out = crossAttention(a, b).dataSync();
    const av = a.dataSync(), bv = b.dataSync();
    out.forEach((v, i) => close(v, av[i] + (2 / (1 + Math.exp(-av[i]))) * bv[i], 1e-6));
    assert.deepEqual(Array.from(crossAttention(a, tf.zerosLike(b)).dataSync()), Array.from(av));
    const f = (t: tf.Tensor) => tf.sum(crossAttention(t as tf.Tensor4D, b));
    const g = tf.grad(f)(a).dataSync();
    const h = 1e-3;
    for (let i = 0; i < 4; i++) {
      const e = tf.oneHot(tf.tensor1d([i], 'int32'), 4).reshape([1, 1, 2, 2]).mul(h);
      const fd = (f(a.add(e)).dataSync()[0] - f(a.sub(e)).dataSync()[0]) / (2 * h);
      close(g[i], fd, 2e-3, `grad ${i}`);
    }
  });

  it('CR: cross blocks stay exactly zero and get zero gradient after optimizer steps (momentum + wd)', () => {
    const net = preparedNet(2);
    const { net: nn } = rejuvenate(net, inspectNet(net), { target: inspectNet(net).total, mode: 'cr', rng: makeRng(1) });
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-3 });
    const x = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 5), y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    for (let s = 0; s < 3; s++) trainStep({ vars: nn.params, optimizer: opt, loss: () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), nn.apply(x, { training: true })) as tf.Scalar });
    const convs = nn.convs();
    convs.forEach((u, i) => {
      if (i === 0) return;
      const m = groupMask(convs[i - 1].groups, u.groups);
      const k = u.kernel.dataSync();
      for (let t = 0; t < 9; t++) for (let q = 0; q < u.cin * u.cout; q++) if (m[q] === 0) assert.equal(k[t * u.cin * u.cout + q], 0);
    });
    const wc = convWeightCounts(nn);
    assert.ok(wc.effective < wc.allocated);
    opt.dispose(); nn.dispose(); tf.dispose([x, y]);
  });

  it('multi-round CR: groups stay disconnected, budget stays the original C, CA refuses a second round', () => {
    let net = preparedNet(6);
    const C0 = inspectNet(net).total;
    net = rejuvenate(net, inspectNet(net), { target: C0, mode: 'cr', rng: makeRng(1) }).net;
    // kill some neurons again in every group
    net.convs().forEach((u) => {
      const g = u.gamma.dataSync().slice(), b = u.beta.dataSync().slice();
      for (let j = 0; j < u.cout; j += 4) { g[j] = 0; b[j] = 0; }
      u.gamma.assign(tf.tensor1d(g)); u.beta.assign(tf.tensor1d(b));
    });
    const { net: n2, report } = rejuvenate(net, inspectNet(net), { target: C0, mode: 'cr', rng: makeRng(2) });
    assert.equal(n2.rounds, 2);
    assert.ok(report.groupsAfter.every((gs) => gs.length === 3), `groups ${JSON.stringify(report.groupsAfter)}`);
    assert.equal(n2.heads.length, 3);
    assert.ok(report.costAfter <= C0 && report.costAfter >= 0.9 * C0, `cost ${report.costAfter} vs ${C0}`);
    n2.convs().forEach((u) => { const g = u.gamma.dataSync().slice(); for (let j = 1; j < u.cout; j += 2) g[j] = 0; u.gamma.assign(tf.tensor1d(g)); });
    const ca = rejuvenate(n2, inspectNet(n2), { target: C0, mode: 'ca', rng: makeRng(3) }).net;
    assert.ok(ca.convs().every((u) => u.mode === 'ca' && u.groups.length === 2));
    assert.throws(() => rejuvenate(ca, inspectNet(ca), { target: C0, mode: 'ca', rng: makeRng(4) }), /cross attention/);
    assert.throws(() => rejuvenate(ca, inspectNet(ca), { target: C0, mode: 'bogus' as never, rng: makeRng(4) }), /unknown mode 'bogus'/);
    ca.dispose();
  });

  it('FLOPs mode: the rejuvenated net meets the FLOPs budget', () => {
    const net = preparedNet(9);
    const insp = inspectNet(net, { resource: 'flops' });
    assert.ok(insp.r < 1);
    const { net: nn, report } = rejuvenate(net, insp, { target: insp.total, mode: 'ca', resource: 'flops', rescale: true, rng: makeRng(1) });
    const after = inspectNet(nn, { resource: 'flops' });
    assert.equal(after.total, report.costAfter);
    assert.ok(after.total <= insp.total && after.total >= 0.9 * insp.total, `flops ${after.total} vs ${insp.total}`);
    assert.equal(after.r, 1);
    nn.dispose();
  });

  it('compression target 0.5 C gives a smaller net', () => {
    const net = preparedNet(8);
    const insp = inspectNet(net);
    const { net: nn, report } = rejuvenate(net, insp, { target: 0.5 * insp.total, mode: 'cr', rng: makeRng(1) });
    assert.ok(report.costAfter <= 0.5 * insp.total && report.costAfter > 0.4 * insp.total, `cost ${report.costAfter}`);
    assert.ok(countParams(nn) < 72666);
    nn.dispose();
  });
});

describe('rejuvenation: Network-Slimming selection (compression baseline and fallback)', () => {
  it('global |gamma| ranking reaches the target; fromDead drops every dead neuron first', () => {
    const net = preparedNet(9);
    const C = inspectNet(net).total, U = inspectNet(net).live;
    const gs = net.convs().map((u) => Array.from(u.gamma.dataSync(), Math.abs));
    for (const frac of [0.2, 0.35]) {
      const sl = slimmingInspection(net, frac * C);
      assert.ok(sl.inspection.live <= frac * C && sl.inspection.live >= 0.93 * frac * C, `slim ${frac}: ${sl.inspection.live}`);
      // global ranking: every kept neuron has |gamma| >= the threshold, except each layer's guard (its max)
      sl.inspection.layers.forEach((l, i) => l.maskOut.forEach((m, j) => {
        if (m) assert.ok(gs[i][j] >= sl.threshold || gs[i][j] === Math.max(...gs[i]), `layer ${i} neuron ${j}`);
      }));
    }
    // pure ranking above U keeps some dead neurons to fill the target; fromDead never does
    const above = slimmingInspection(net, Math.min(C, 1.3 * U));
    assert.ok(above.inspection.live > U && above.inspection.live <= 1.3 * U, `above U: ${above.inspection.live} vs U ${U}`);
    const fb = slimmingInspection(net, 0.6 * U, { fromDead: true });
    const natural = inspectNet(net).layers;
    fb.inspection.layers.forEach((l, i) => l.maskOut.forEach((m, j) => { if (m) assert.equal(natural[i].maskOut[j], 1, `fromDead kept a dead neuron ${i}/${j}`); }));
    assert.ok(fb.inspection.live <= 0.6 * U && fb.extraDropped > 0);
    // the pruned net has the selected cost
    const { net: pr } = rejuvenate(net, fb.inspection, { target: 1, mode: 'full', pruneOnly: true, keepOld: true, rng: makeRng(0) });
    assert.equal(inspectNet(pr).total, fb.inspection.live);
    assert.deepEqual(pr.convs().map((u) => u.cout), fb.kept);
    pr.dispose();
    assert.throws(() => slimmingInspection(net, 10), /below the cost of one neuron per layer/);
    assert.throws(() => slimmingInspection(net, 0), /target must be > 0/);
    net.dispose();
  });
});

describe('rejuvenation: architecture counts (spec 8.15)', () => {
  it('VGG-19 CIFAR constructible with 20,035,018 / 20,081,188 parameters; VGG-mini 72,666', () => {
    assert.equal(countGraphParams(vggGraph(VGG19_CIFAR, { inChannels: 3, numClasses: 10 }), 3), 20035018);
    assert.equal(countGraphParams(vggGraph(VGG19_CIFAR, { inChannels: 3, numClasses: 100 }), 3), 20081188);
    const v = buildNRNet({ cfg: VGG19_CIFAR, inChannels: 3, inputHW: [32, 32], numClasses: 10 }, makeRng(0));
    assert.equal(countParams(v), 20035018);
    v.dispose();
    const m = buildNRNet({ cfg: VGG_MINI, inChannels: 1, inputHW: [14, 14], numClasses: 10 }, makeRng(0));
    assert.equal(countParams(m), 72666);
    assert.equal(inspectNet(m).total, 71568);
    assert.equal(inspectNet(m, { resource: 'flops' }).total, 1654848);
    m.dispose();
  });
  it('ImageNet / ResNet configs match the published counts', () => {
    assert.equal(countGraphParams(vgg19SimplifiedGraph(), 3), 20550568);
    assert.equal(countGraphParams(vgg16ImagenetGraph(), 3), 37706664);
    assert.equal(countGraphParams(resnetGraph({ depth: 18 }), 3), 11689512);
    assert.equal(countGraphParams(resnetGraph({ depth: 34 }), 3), 21797672);
    assert.equal(countGraphParams(resnetGraph({ depth: 50 }), 3), 25557032);
    assert.equal(countGraphParams(resnetGraph({ depth: 101 }), 3), 44549160);
    assert.equal(Math.round(countGraphParams(resnetGraph({ depth: 164, numClasses: 10 }), 3) / 1e4) / 100, 1.70);
    assert.equal(Math.round(countGraphParams(resnetGraph({ depth: 164, numClasses: 100 }), 3) / 1e4) / 100, 1.73);
  });
  it('bad configs give named errors', () => {
    assert.throws(() => buildNRNet({ cfg: ['M'], inChannels: 1, inputHW: [8, 8], numClasses: 10 }, makeRng(0)), /at least one conv width/);
    assert.throws(() => buildNRNet({ cfg: [4.5], inChannels: 1, inputHW: [8, 8], numClasses: 10 }, makeRng(0)), /positive integers/);
    const m = buildNRNet({ cfg: [4], inChannels: 1, inputHW: [8, 8], numClasses: 10 }, makeRng(0));
    assert.throws(() => m.apply(tf.zeros([1, 8, 8, 3]), { training: false }), /expected input \[N, H, W, 1\]/);
    m.dispose();
  });
});
