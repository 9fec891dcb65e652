// Spec section 8 checks 5, 7, 8, 20-22: hierarchical-dropout shapes, the gradient scopes of every
// collaboration (a layer-local loss changes no other layer's gradient), batch-norm statistics
// updated once, Song & Chai backprop rescaling, no extra parameters at inference, full-size counts.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as ic from '../lib/papers/intra-collab';
import { makeRng } from '../lib/util/random';
import { collectParams, collectState, countParams, type NamedVar } from '../lib/nn';

// 3 units on 8x8x1: conv4 | pool conv4 | pool conv8 | pool flatten(8) -> FC 8 -> 8 -> 3
const tiny = (): ic.ArchSpec => ({
  name: 'tiny', input: [8, 8, 1],
  units: [{ kind: 'conv', filters: 4, poolBefore: false, group: 1 }, { kind: 'conv', filters: 4, poolBefore: true, group: 2 }, { kind: 'conv', filters: 8, poolBefore: true, group: 3 }],
  tailPool: true, tail: 'flatten', hidden: 8, numClasses: 3, kernelGroups: [2, 3],
});
const x = () => tf.randomNormal([6, 8, 8, 1], 0, 1, 'float32', 3);
const y = () => tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');

function grads(net: ic.IntraNet, only?: ic.LossTerm[]): Map<string, Float32Array> {
  const vars = collectParams(net.root);
  const xs = x(), ys = y();
  const { grads: g } = tf.variableGrads(() => ic.collabLoss(net, xs, ys, { training: true, rng: makeRng(5) }, only).loss, vars.map((v) => v.variable));
  const byName = new Map(vars.map((v) => [v.variable.name, v.path]));
  const out = new Map<string, Float32Array>();
  for (const [k, t] of Object.entries(g)) { out.set(byName.get(k) as string, t.dataSync() as Float32Array); t.dispose(); }
  xs.dispose(); ys.dispose();
  return out;
}
const maxDiff = (a?: Float32Array, b?: Float32Array) => {
  if (!a || !b) return a === b ? 0 : Infinity;
  let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m;
};
const norm = (a?: Float32Array) => (a ? Math.sqrt(a.reduce((s, v) => s + v * v, 0)) : 0);
const under = (g: Map<string, Float32Array>, prefix: string) => [...g.keys()].filter((k) => k.startsWith(prefix));

for (const [term, cfg] of [['mid', { mid: { units: [1] } }], ['pp', { pullPush: { units: [1], pull: [0.5, 0.5], push: [0.3, 0.3] } }]] as const) {
  describe(`intra-collab gradient scope of ${term} on unit 2 (spec 8.7)`, () => {
    it('reaches only unit 2 and its own auxiliary module; equals the full-backprop gradient there', () => {
      const net = ic.buildIntraNet(tiny(), { dropRate: 0, ...cfg } as unknown as ic.CollabConfig, makeRng(1));
      const deep = ic.buildIntraNet(tiny(), { dropRate: 0, localBackprop: false, ...cfg } as unknown as ic.CollabConfig, makeRng(1));
      const gMain = grads(net, ['main']), gAll = grads(net), gLocal = grads(net, [term]), gFull = grads(deep, [term]);
      // unit 1 and the classifier: exactly the main-loss gradient
      for (const k of [...under(gMain, 'tiny/body/unit1'), ...under(gMain, 'tiny/classifier')]) assert.equal(maxDiff(gAll.get(k), gMain.get(k)), 0, k);
      // (stop-gradients give present-but-zero gradients, so check values, not presence)
      for (const k of [...under(gLocal, 'tiny/body/unit1'), ...under(gLocal, 'tiny/body/unit3'), ...under(gLocal, 'tiny/classifier')]) assert.equal(norm(gLocal.get(k)), 0, `local loss leaks into ${k}`);
      // unit 2: main + local, and the local part equals the non-detached gradient
      for (const k of under(gMain, 'tiny/body/unit2')) {
        const sum = gMain.get(k)!.map((v, i) => v + gLocal.get(k)![i]);
        assert.ok(maxDiff(gAll.get(k), sum) < 1e-5, k);
        assert.ok(maxDiff(gLocal.get(k), gFull.get(k)) < 1e-5, `${k} detached vs full`);
      }
      assert.ok(norm(gLocal.get('tiny/body/unit2/cba/conv/kernel')) > 0, 'unit 2 gets a local gradient');
      const aux = under(gAll, 'tiny/aux');
      assert.ok(aux.length > 0 && aux.every((k) => norm(gAll.get(k)) > 0 && !gMain.has(k)), 'aux module trained by its loss only');
      // the ablation (deep supervision) does leak into unit 1: the detach is what prevents it
      assert.ok(norm(gFull.get('tiny/body/unit1/cba/conv/kernel')) > 0, 'full backprop reaches unit 1');
    });
  });
}

describe('intra-collab model', () => {
  it('L_kernel reaches only the selected conv kernels (spec 8.20)', () => {
    const net = ic.buildIntraNet(tiny(), { kernel: true }, makeRng(1));
    const g = grads(net, ['kernel']);
    assert.deepEqual([...g.keys()].filter((k) => norm(g.get(k)) > 0).sort(), ['tiny/body/unit2/cba/conv/kernel', 'tiny/body/unit3/cba/conv/kernel']);
  });
  it('L_out: gradient flows through the whole network', () => {
    const net = ic.buildIntraNet(tiny(), { out: true }, makeRng(1));
    const g = grads(net, ['main']);
    assert.ok(norm(g.get('tiny/body/unit1/cba/conv/kernel')) > 0 && norm(g.get('tiny/classifier/fc1/kernel')) > 0);
  });
  it('batch-norm running statistics are updated exactly once per step (spec 8.8)', () => {
    const a = ic.buildIntraNet(tiny(), {}, makeRng(1));
    const b = ic.buildIntraNet(tiny(), { mid: true, pullPush: true, out: true }, makeRng(1));
    for (const net of [a, b]) tf.tidy(() => { ic.collabLoss(net, x(), y(), { training: true, rng: makeRng(2) }); });
    const sa = collectState(a.root), sb = collectState(b.root);
    assert.equal(sa.length, sb.length);
    sa.forEach((v, i) => assert.ok(maxDiff(v.variable.dataSync() as Float32Array, sb[i].variable.dataSync() as Float32Array) < 1e-6, v.path));
    assert.ok(norm(sa[0].variable.dataSync() as Float32Array) > 0, 'statistics moved');
  });
  it('hierarchical dropout: [4,B,m] in training, [1,B,m] in eval equal to predict, branches differ (spec 8.5)', () => {
    const net = ic.buildIntraNet(tiny(), { out: true }, makeRng(1));
    const f = tf.randomNormal([5, 8], 0, 1, 'float32', 1);
    const tr = ic.classifierBranches(net.fc, f, { training: true, rng: makeRng(3) }, { K: 2, rate: 0.5 });
    assert.deepEqual(tr.shape, [4, 5, 3]);
    const br = tf.unstack(tr);
    assert.ok(tf.max(tf.abs(tf.sub(br[0], br[1]))).dataSync()[0] > 1e-4, 'branches differ');
    const ev = ic.classifierBranches(net.fc, f, { training: false }, { K: 2, rate: 0.5 });
    assert.deepEqual(ev.shape, [1, 5, 3]);
    const xs = x();
    const p1 = ic.predict(net, xs).dataSync(), p2 = ic.inference(net).apply(xs, { training: false }).dataSync();
    assert.deepEqual(Array.from(p1), Array.from(p2));
    assert.throws(() => ic.buildIntraNet(tiny(), { out: { K: 1 } }, makeRng(1)), /K\^n >= 2/);
  });
  it('bad configurations name the problem', () => {
    assert.throws(() => ic.buildIntraNet(tiny(), { mid: { units: [7] } }, makeRng(1)), /unit index 7/);
    assert.throws(() => ic.buildIntraNet(tiny(), { foo: 1 } as ic.CollabConfig, makeRng(1)), /unknown option 'foo'/);
    assert.throws(() => ic.buildIntraNet(tiny(), { kernel: { groups: [9] } }, makeRng(1)), /select no unit/);
    assert.throws(() => ic.archSpec('alexnet' as 'vgg16'), /unknown arch 'alexnet'/);
  });
  it('no extra parameters at inference, for every combination and for Song & Chai (spec 8.22)', () => {
    const base = countParams(ic.inference(ic.buildIntraNet(tiny(), {}, makeRng(0))));
    const combos: ic.CollabConfig[] = [{ out: true }, { mid: true }, { pullPush: true }, { kernel: true }, { out: true, mid: true, pullPush: true, kernel: true }];
    for (const c of combos) {
      const net = ic.buildIntraNet(tiny(), c, makeRng(0));
      assert.equal(countParams(ic.inference(net)), base, JSON.stringify(c));
    }
    const all = ic.buildIntraNet(tiny(), { mid: true, pullPush: true }, makeRng(0));
    assert.ok(ic.auxParamCount(all) > 0);
    for (const splits of [[1, 2, 2], [4, 1, 1]] as [number, number, number][]) {
      const sc = ic.buildSongChai(tiny(), { splits, cuts: [1, 2] }, makeRng(0));
      assert.equal(countParams(ic.songChaiInference(sc, 3)), base, `songChai ${splits}`);
      assert.ok(countParams(sc.root) > base);
    }
  });
  it('full-size models: VGG-16 and ResNet-18 (CIFAR, 3-FC classifier) parameter counts', function () {
    this.timeout(120000);
    // VGG-16 (BN, no conv bias): 14,710,464 conv + 8,448 BN + 530,442 classifier
    const v = ic.buildIntraNet(ic.vgg16Spec(), {}, makeRng(0));
    assert.equal(countParams(ic.inference(v)), 15249354);
    assert.equal(ic.featureDim(ic.vgg16Spec()), 512);
    tf.dispose(collectParams(v.root).map((nv: NamedVar) => nv.variable));
    // ResNet-18 body (kuangliu 11,173,962 minus its 5,130-parameter FC) + 530,442 classifier
    const r = ic.buildIntraNet(ic.resnet18Spec(), {}, makeRng(0));
    assert.equal(countParams(ic.inference(r)), 11699274);
    assert.equal(ic.kernelVariables(r, [3, 4]).length, 8);
    tf.dispose(collectParams(r.root).map((nv: NamedVar) => nv.variable));
    assert.equal(ic.featureDim(ic.vgg16Spec({ input: [96, 96, 3] })), 512);
    assert.equal(ic.featureDim(ic.miniVgg6Spec()), 576);
  });
});

describe('Song & Chai baseline', () => {
  it('gradScale at the split: 2 identical heads give the trunk the single-head gradient (spec 8.21)', () => {
    const sc = ic.buildSongChai(tiny(), { splits: [1, 2, 1], cuts: [1, 2], dropRate: 0 }, makeRng(4));
    // copy head 1's private weights into head 0
    const [c0, c1] = sc.roots[0].children;
    const p0 = collectParams(c0.layer), p1 = collectParams(c1.layer);
    p0.forEach((v, i) => v.variable.assign(p1[i].variable));
    const trunk = collectParams(sc.roots[0].layer).filter((v) => v.path.includes('/unit1/'));
    const xs = x(), yh = tf.oneHot(y(), 3).toFloat();
    const gradOf = (f: () => tf.Scalar) => {
      const { grads: g } = tf.variableGrads(f, trunk.map((v) => v.variable));
      return trunk.map((v) => g[v.variable.name].dataSync() as Float32Array);
    };
    const ctx = () => ({ training: true, rng: makeRng(1) });
    sc.config.rescale = false;
    const single = gradOf(() => ic.hardCE(yh, ic.songChaiHeads(sc, xs, ctx())[0]));
    const noScale = gradOf(() => ic.songChaiLoss(ic.songChaiHeads(sc, xs, ctx()), yh, { alpha: 0.5 }));
    sc.config.rescale = true;
    const scaled = gradOf(() => ic.songChaiLoss(ic.songChaiHeads(sc, xs, ctx()), yh, { alpha: 0.5 }));
    // soft terms vanish (identical heads): each head gives alpha * CE-gradient
    single.forEach((g, i) => {
      // sum over 2 heads of 0.5 * g, rescaled by 1/2 at the split: 0.5 * g = the alpha-weighted single head
      assert.ok(maxDiff(scaled[i], g.map((v) => v * 0.5)) < 1e-5, 'scaled');
      assert.ok(maxDiff(noScale[i], g) < 1e-5, 'without rescaling the trunk gets the sum, 2 * 0.5 * g');
    });
  });
  it('heads, loss and bad configurations', () => {
    const sc = ic.buildSongChai(tiny(), { splits: [1, 2, 2], cuts: [1, 2] }, makeRng(0));
    assert.equal(sc.heads, 4);
    const r = tf.tidy(() => ic.songChaiTrainLoss(sc, x(), y(), { training: true, rng: makeRng(1) }).loss.dataSync()[0]);
    assert.ok(Number.isFinite(r) && r > 0);
    assert.deepEqual(ic.songChaiPredict(sc, x(), 2).shape, [6, 3]);
    assert.throws(() => ic.buildSongChai(tiny(), { splits: [1, 1, 1], cuts: [1, 2] }, makeRng(0)), /at least 2 heads/);
    assert.throws(() => ic.buildSongChai(tiny(), { cuts: [2, 1] }, makeRng(0)), /cuts/);
    assert.throws(() => ic.songChaiPredict(sc, x(), 4), /head 4/);
  });
});
