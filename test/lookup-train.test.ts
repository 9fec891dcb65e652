// Spec section 8, checks 14-16 and the runners: shared-table wiring of the cross-network and
// cross-task strategies, frozen tables, memory, the designed CMP threshold, and the runners' outputs.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeLookupInput } from '../lib/papers/lookup-vnets/lookup';
import { makeLookupVNet, microVGG, microResNet } from '../lib/papers/lookup-vnets/models';
import { trainSingle, trainCrossNetwork, trainCrossTask, evaluate } from '../lib/papers/lookup-vnets/strategies';
import { loadStandIn } from '../lib/papers/lookup-vnets/data';
import { runDimSweep, runCmpSweep, runStrategies, runInitAblation, costTable, storageTable } from '../lib/papers/lookup-vnets/experiments';
import { paperLookupVNet } from '../lib/papers/lookup-vnets/paper-models';
import { collectParams, countParams, disposeLayer } from '../lib/nn/tree';
import { sgd } from '../lib/train/optimizers';
import { trainStep } from '../lib/train/step';
import { softmaxCrossEntropy } from '../lib/nn/losses';
import { makeRng } from '../lib/util/random';

const snapshot = (vs: tf.Variable[]) => vs.map((v) => Array.from(v.dataSync()));
const same = (a: number[][], b: number[][]) => a.every((x, i) => x.every((v, j) => v === b[i][j]));

describe('lookup-vnets: strategies wiring', () => {
  const d = loadStandIn('colorBands', { seed: 1, train: 128, test: 64 });
  const batch = () => ({ x: tf.tensor4d(Int32Array.from(d.train.images.subarray(0, 16 * 16 * 16 * 3)), [16, 16, 16, 3], 'int32'), y: tf.tensor1d(d.train.labels.subarray(0, 16), 'int32') });

  it('cross-network: one table variable, own optimiser slot per network, W^g untouched by f\'s step', () => {
    const T = makeLookupInput({ dim: 2 });
    const f = makeLookupVNet(T, microResNet(6, 10, 16, makeRng(1)), 'f');
    const g = makeLookupVNet(T, microVGG(6, 10, 16, makeRng(2)), 'g');
    const vf = collectParams(f), vg = collectParams(g);
    assert.equal(vf.find((v) => v.path.endsWith('lookup/table'))!.variable, vg.find((v) => v.path.endsWith('lookup/table'))!.variable);
    const { x, y } = batch();
    const gIn0 = T.apply(x, { training: false });
    const wg0 = snapshot(g.backbone.params.concat(collectParams(g.backbone)).map((v) => v.variable));
    const of = sgd({ lr: 0.1, momentum: 0.9 }), og = sgd({ lr: 0.1, momentum: 0.9 });
    trainStep({ vars: vf, optimizer: of, loss: () => softmaxCrossEntropy(f.apply(x, { training: true }), y) as tf.Scalar });
    const gIn1 = T.apply(x, { training: false });
    assert.ok(tf.max(tf.abs(tf.sub(gIn0, gIn1))).dataSync()[0] > 0, "g's looked-up input changed after f's step");
    assert.ok(same(wg0, snapshot(collectParams(g.backbone).map((v) => v.variable))), 'W^g unchanged by f\'s step');
    trainStep({ vars: vg, optimizer: og, loss: () => softmaxCrossEntropy(g.apply(x, { training: true }), y) as tf.Scalar });
    const slotF = of.stateVars().find((v) => v.path.endsWith('lookup/table/momentum'))!;
    const slotG = og.stateVars().find((v) => v.path.endsWith('lookup/table/momentum'))!;
    assert.ok(slotF && slotG && slotF.variable !== slotG.variable, 'each optimiser holds its own momentum for T');
    assert.notDeepEqual(Array.from(slotF.variable.dataSync()), Array.from(slotG.variable.dataSync()));
    tf.dispose([x, y, gIn0, gIn1]); of.dispose(); og.dispose();
    disposeLayer(f.backbone); disposeLayer(g);
  });

  it('cross-network training: both networks end together, T and both W move', () => {
    const T = makeLookupInput({ dim: 1 });
    const f = makeLookupVNet(T, microResNet(3, 10, 16, makeRng(1)), 'f');
    const g = makeLookupVNet(T, microVGG(3, 10, 16, makeRng(2)), 'g');
    const before = snapshot([T.table, ...collectParams(f.backbone).map((v) => v.variable), ...collectParams(g.backbone).map((v) => v.variable)]);
    const r = trainCrossNetwork({ name: 'f', net: f, train: d.train, test: d.test }, { name: 'g', net: g, train: d.train, test: d.test },
      { epochs: 2, batchSize: 32, lr: 0.05 }, { seed: 3 });
    assert.equal(r.steps, 2 * 4);
    assert.deepEqual(r.curves.map((c) => `${c.member}${c.epoch}`), ['f1', 'g1', 'f2', 'g2']);
    const after = snapshot([T.table, ...collectParams(f.backbone).map((v) => v.variable), ...collectParams(g.backbone).map((v) => v.variable)]);
    assert.ok(!same([before[0]], [after[0]]), 'T changed');
    assert.ok(before.slice(1).some((b, i) => !same([b], [after[i + 1]])));
    assert.throws(() => trainCrossNetwork({ name: 'a', net: f, train: d.train, test: d.test },
      { name: 'b', net: makeLookupVNet(makeLookupInput(), microVGG(3, 10, 16, makeRng(4))), train: d.train, test: d.test },
      { epochs: 1, batchSize: 32, lr: 0.05 }, { seed: 1 }), /share the same lookup layer/);
    disposeLayer(f.backbone); disposeLayer(g);
  });

  it('cross-task: two heads with different class counts share T; a step on p moves T and W^f only', () => {
    const q = loadStandIn('colorBands', { seed: 2, train: 96, test: 32, labelBy: 'quadrant' });
    const T = makeLookupInput({ dim: 1 });
    const fp = makeLookupVNet(T, microVGG(3, 10, 16, makeRng(1)), 'fp');
    const gq = makeLookupVNet(T, microVGG(3, 4, 16, makeRng(2)), 'gq');
    const wg0 = snapshot(collectParams(gq.backbone).map((v) => v.variable));
    const wf0 = snapshot(collectParams(fp.backbone).map((v) => v.variable));
    const t0 = Array.from(T.table.dataSync());
    const { x, y } = batch();
    trainStep({ vars: collectParams(fp), optimizer: sgd({ lr: 0.1 }), loss: () => softmaxCrossEntropy(fp.apply(x, { training: true }), y) as tf.Scalar });
    assert.ok(same(wg0, snapshot(collectParams(gq.backbone).map((v) => v.variable))));
    assert.ok(!same(wf0, snapshot(collectParams(fp.backbone).map((v) => v.variable))));
    assert.notDeepEqual(Array.from(T.table.dataSync()), t0);
    const r = trainCrossTask({ name: 'p', net: fp, train: d.train, test: d.test }, { name: 'q', net: gq, train: q.train, test: q.test },
      { epochs: 1, batchSize: 32, lr: 0.05 }, { seed: 1 });
    assert.equal(r.steps, 4); // counted on p (128 / 32); q (96 images) cycles
    assert.ok(r.testAcc.p >= 0 && r.testAcc.q >= 0);
    tf.dispose([x, y]);
    disposeLayer(fp.backbone); disposeLayer(gq);
  });

  it('frozen tables stay bit-identical; tensors do not grow across epochs', () => {
    const T = makeLookupInput({ trainable: false, init: 'uniform', seed: 5 });
    const net = makeLookupVNet(T, microVGG(3, 10, 16, makeRng(1)));
    const t0 = Array.from(T.table.dataSync());
    const counts: number[] = [];
    trainSingle({ name: 'n', net, train: d.train, test: d.test }, { epochs: 3, batchSize: 32, lr: 0.05, weightDecay: 5e-4 },
      { seed: 1, onEpoch: () => counts.push(tf.memory().numTensors) });
    assert.deepEqual(Array.from(T.table.dataSync()), t0);
    assert.equal(counts[2], counts[1], `numTensors per epoch: ${counts}`);
    disposeLayer(net);
  });
});

describe('lookup-vnets: learning on ColorBandShapes (designed CMP threshold c = w = 64)', () => {
  it('c = 64 learns the shapes, c = 128 cannot beat chance', function () {
    const d = loadStandIn('colorBands', { seed: 7, train: 1500, test: 300 });
    const acc: Record<number, number> = {};
    for (const c of [64, 128]) {
      const net = makeLookupVNet(makeLookupInput({ cmpRate: c }), microVGG(3, 10, 16, makeRng(3)));
      trainSingle({ name: `c${c}`, net, train: d.train, test: d.test }, { epochs: 3, batchSize: 64, lr: 0.05 }, { seed: 3, evalEveryEpoch: false });
      acc[c] = evaluate(net, d.test);
      disposeLayer(net);
    }
    assert.ok(acc[64] > 0.3 && acc[64] > acc[128] + 0.2, `c=64 accuracy ${acc[64]} (c=128: ${acc[128]})`);
    assert.ok(acc[128] < 0.2, `c=128 accuracy ${acc[128]}`);
  });
});

describe('lookup-vnets: runners and full-size models', () => {
  const tiny = { epochs: 1, batchSize: 32, lr: 0.05, stepsPerEpoch: 2 };

  it('runDimSweep / runCmpSweep / runInitAblation return seeded records', () => {
    const a = runDimSweep({ data: 'digits16', dataOptions: { train: 128, test: 64 }, dims: [1, 2], seeds: [1], recipe: tiny });
    assert.equal(a.runs.length, 3);
    assert.deepEqual(a.summary.map((s) => s.model), ['Standard', 'Dim 1', 'Dim 2']);
    assert.ok(a.wallTimeMs > 0 && typeof a.backend === 'string');
    const b = runDimSweep({ data: 'digits16', dataOptions: { train: 128, test: 64 }, dims: [1, 2], seeds: [1], recipe: tiny });
    assert.deepEqual(b.runs.map((r) => r.testAcc), a.runs.map((r) => r.testAcc), 'same seed, same result');
    assert.deepEqual(a.tables['Dim 2'][0].length, 256);
    const c = runCmpSweep({ data: 'colorBands', dataOptions: { train: 96, test: 100 }, rates: [1, 64, 256], seeds: [1, 2], recipe: tiny });
    assert.equal(c.runs.length, 6);
    assert.equal(c.runs.find((r) => r.c === 64)!.bitsPerPixel, 6);
    assert.ok(c.chance >= 0.1 && c.chance < 0.3);
    assert.equal(c.summary.find((s) => s.model === 'CMP 256')!.n, 2);
    assert.ok(c.tolerance >= 0.02 && c.largestNearBest !== null);
    const best = Math.max(c.standard.mean, ...c.summary.map((s) => s.mean));
    assert.ok(c.summary.find((s) => s.model === `CMP ${c.largestNearBest}`)!.mean >= best - c.tolerance);
    const e = runInitAblation({ data: 'digits16', dataOptions: { train: 64, test: 32 }, inits: ['linspace', 'uniform'], seeds: [1], recipe: tiny });
    assert.deepEqual(e.runs.map((r) => r.model), ['linspace', 'uniform']);
    assert.throws(() => runDimSweep({ data: 'cifar' as never, dims: [1], seeds: [1], recipe: tiny }), /unknown data set 'cifar'/);
  });

  it('runStrategies covers standard, single, cross-network and cross-task', () => {
    const r = runStrategies({
      data: 'colorBands', dataOptions: { train: 64, test: 32 },
      taskP: { data: 'colorBands', options: { train: 64, test: 32 } }, taskQ: { data: 'colorBands', options: { train: 96, test: 32, labelBy: 'quadrant' } },
      dim: 1, recipe: tiny, seeds: [1],
    });
    const strategies = new Set(r.rows.map((x) => x.strategy));
    assert.deepEqual([...strategies].sort(), ['cross-network', 'cross-task', 'single', 'standard']);
    assert.equal(r.rows.filter((x) => x.strategy === 'cross-network').length, 2);
    assert.ok(r.tables['cross-network'] && r.tables['cross-task']);
  });

  it('full-size paper Lookup-VNets are constructible with the exact parameter counts', () => {
    const rows = costTable([1, 2]);
    const want: Record<string, number> = { 'ResNet-20': 269722, 'VGG-16': 14986698, 'WRN-40-4': 8949210, 'ResNet-18': 11689512, 'ResNet-34': 21797672 };
    for (const r of rows) assert.equal(r.params, want[r.network], r.network);
    assert.equal(rows.find((r) => r.network === 'ResNet-20' && r.u === 2)!.extraParams, 1968);
    // the constructed u = 2 model has exactly backbone(3) + extra parameters
    const net = paperLookupVNet('ResNet-20', { dim: 2 }, 10, 32);
    assert.equal(countParams(net), 269722 + 1968);
    const y = net.apply(tf.zeros([1, 32, 32, 3], 'int32'), { training: false });
    assert.deepEqual(y.shape, [1, 10]);
    y.dispose(); disposeLayer(net);
    const cmp = paperLookupVNet('VGG-16', { cmpRate: 16 }, 10, 32);
    assert.equal(countParams(cmp), 14986698 + 48);
    disposeLayer(cmp);
    const st = storageTable([16]);
    assert.equal(st[0].bytesPerImage, 1536);
  });
});
