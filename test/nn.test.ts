import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../lib/nn';
import { makeRng } from '../lib/util/random';
import { sgd, trainStep } from '../lib/train';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5, msg = '') => {
  assert.strictEqual(a.length, b.length, `${msg} length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${msg}[${i}]: ${a[i]} vs ${b[i]}`);
};

describe('nn layers', () => {
  const train = { training: true, rng: makeRng(3) };
  const evalCtx = { training: false };

  it('conv2d: torch padding puts stride-2 outputs on the PyTorch grid and matches tf.conv2d', () => {
    const conv = nn.conv2d({ inChannels: 3, filters: 4, kernelSize: 3, stride: 2, bias: true, biasInit: { uniform: 1 } }, makeRng(1));
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
    const y = conv.apply(x, evalCtx);
    assert.deepStrictEqual(y.shape, [2, 4, 4, 4]);
    const ref = tf.add(tf.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D, conv.kernel as unknown as tf.Tensor4D, 2, 'valid'), conv.bias as tf.Tensor);
    close(y.dataSync(), ref.dataSync(), 1e-5, 'conv');
    nn.disposeLayer(conv); tf.dispose([x, y, ref]);
  });

  it('conv2d: a wrong input shape names the expected shape', () => {
    const conv = nn.conv2d({ name: 'c1', inChannels: 64, filters: 8, kernelSize: 3 }, makeRng(1));
    const x = tf.zeros([2, 8, 8, 3]);
    assert.throws(() => conv.apply(x, evalCtx), /conv2d 'c1': expected input \[N, H, W, 64\], got \[2, 8, 8, 3\]/);
    const d = nn.dense({ name: 'fc', inFeatures: 10, units: 2 }, makeRng(1));
    assert.throws(() => d.apply(tf.zeros([4, 12]), evalCtx), /dense 'fc': expected input \[N, 10\], got \[4, 12\]/);
    const bn = nn.batchNorm({ name: 'bn', channels: 5 });
    assert.throws(() => bn.apply(x, evalCtx), /batchNorm 'bn': expected input \[N, H, W, 5\]/);
    nn.disposeLayer(conv); nn.disposeLayer(d); nn.disposeLayer(bn); x.dispose();
  });

  it('grouped conv equals per-group convs; depthwise has PyTorch parameter count', () => {
    const g = nn.conv2d({ inChannels: 4, filters: 6, kernelSize: 3, groups: 2 }, makeRng(2));
    assert.deepStrictEqual(g.kernel.shape, [3, 3, 2, 6]);
    const x = tf.randomNormal([1, 5, 5, 4], 0, 1, 'float32', 2);
    const y = g.apply(x, evalCtx);
    const [x0, x1] = tf.split(x, 2, 3);
    const [k0, k1] = tf.split(g.kernel, 2, 3);
    const pad = [[0, 0], [1, 1], [1, 1], [0, 0]] as [number, number][];
    const ref = tf.concat([tf.conv2d(tf.pad(x0, pad) as tf.Tensor4D, k0 as tf.Tensor4D, 1, 'valid'), tf.conv2d(tf.pad(x1, pad) as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'valid')], 3);
    close(y.dataSync(), ref.dataSync(), 1e-5, 'grouped');
    const dw = nn.conv2d({ inChannels: 8, filters: 16, kernelSize: 3, groups: 8 }, makeRng(2));
    assert.strictEqual(nn.countParams(dw), 3 * 3 * 1 * 16); // torch: Conv2d(8, 16, 3, groups=8)
    assert.deepStrictEqual(dw.apply(tf.zeros([1, 6, 6, 8]), evalCtx).shape, [1, 6, 6, 16]);
    nn.disposeLayer(g); nn.disposeLayer(dw);
  });

  it('dilated conv2d: forward matches tf.conv2d with dilations and gradients flow to the kernel', () => {
    const conv = nn.conv2d({ inChannels: 2, filters: 3, kernelSize: 3, dilation: 2 }, makeRng(4));
    const x = tf.randomNormal([1, 9, 9, 2], 0, 1, 'float32', 4);
    const y = conv.apply(x, evalCtx);
    assert.deepStrictEqual(y.shape, [1, 9, 9, 3]); // torch padding = dilation * (k - 1) / 2 = 2
    const ref = tf.conv2d(tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]]) as tf.Tensor4D, conv.kernel as unknown as tf.Tensor4D, 1, 'valid', 'NHWC', 2);
    close(y.dataSync(), ref.dataSync(), 1e-5, 'dilated');
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(conv.apply(x, evalCtx))) as tf.Scalar, [conv.kernel]);
    const g = grads[conv.kernel.name];
    assert.ok(g && g.shape.join() === '3,3,2,3' && tf.sum(tf.abs(g)).dataSync()[0] > 0);
    nn.disposeLayer(conv);
  });

  it('batchNorm: train uses batch stats and updates running stats (PyTorch momentum, unbiased var); eval uses running stats', () => {
    const bn = nn.batchNorm({ channels: 2 });
    const x = tf.tensor2d([[1, 10], [3, 20], [5, 30], [7, 40]]);
    const y = bn.apply(x, train);
    // batch mean [4, 25], biased var [5, 125]
    close(y.dataSync(), [-3 / Math.sqrt(5 + 1e-5), -15 / Math.sqrt(125 + 1e-5), -1 / Math.sqrt(5 + 1e-5), -5 / Math.sqrt(125 + 1e-5),
      1 / Math.sqrt(5 + 1e-5), 5 / Math.sqrt(125 + 1e-5), 3 / Math.sqrt(5 + 1e-5), 15 / Math.sqrt(125 + 1e-5)], 1e-4, 'train out');
    close(bn.runningMean.dataSync(), [0.4, 2.5], 1e-6, 'running mean');
    close(bn.runningVar.dataSync(), [0.9 + 0.1 * 20 / 3, 0.9 + 0.1 * 500 / 3], 1e-5, 'running var (unbiased)');
    const ye = bn.apply(x, evalCtx);
    const rm = [0.4, 2.5], rv = [0.9 + 2 / 3, 0.9 + 50 / 3];
    close(ye.dataSync(), [1, 10, 3, 20, 5, 30, 7, 40].map((v, i) => (v - rm[i % 2]) / Math.sqrt(rv[i % 2] + 1e-5)), 1e-4, 'eval out');
    // frozen: training-mode output, no running-stat update
    nn.withFrozenBatchStats(() => bn.apply(x, train).dispose());
    close(bn.runningMean.dataSync(), [0.4, 2.5], 1e-6, 'frozen');
    nn.disposeLayer(bn);
  });

  it('dropout: identity in eval, seeded masks in training, needs an rng', () => {
    const d = nn.dropout(0.5);
    const x = tf.ones([1000]);
    close(d.apply(x, evalCtx).dataSync(), x.dataSync());
    assert.throws(() => d.apply(x, { training: true }), /needs ctx.rng/);
    const a = d.apply(x, { training: true, rng: makeRng(7) }).dataSync();
    const b = d.apply(x, { training: true, rng: makeRng(7) }).dataSync();
    close(a, b);
    const zeros = Array.from(a).filter((v) => v === 0).length;
    assert.ok(zeros > 400 && zeros < 600, `zeros ${zeros}`);
    assert.ok(Array.from(a).every((v) => v === 0 || Math.abs(v - 2) < 1e-6));
  });

  it('collectParams gives unique full paths, decay flags, and countParams/disposeLayer agree', () => {
    const before = tf.memory().numTensors;
    const m = nn.resnet18Cifar(makeRng(0), { widthMult: 0.125 });
    const ps = nn.collectParams(m);
    const paths = ps.map((p) => p.path);
    assert.ok(paths.includes('resnet18/stem/conv/kernel'), paths.slice(0, 5).join());
    assert.ok(paths.includes('resnet18/layer2/block0/shortcut/conv/kernel'));
    assert.ok(paths.includes('resnet18/fc/bias'));
    assert.strictEqual(new Set(paths).size, paths.length);
    assert.ok(ps.find((p) => p.path.endsWith('bn1/gamma'))!.decay === false);
    assert.ok(ps.find((p) => p.path.endsWith('conv1/kernel'))!.decay === true);
    assert.ok(nn.collectState(m).every((s) => /running(Mean|Var)$/.test(s.path)));
    assert.strictEqual(nn.countParams(m), ps.reduce((a, p) => a + p.variable.size, 0));
    assert.strictEqual(nn.findLayer(m, 'layer1/block0').name, 'block0');
    assert.throws(() => nn.findLayer(m, 'layer9'), /no child 'layer9'/);
    nn.disposeLayer(m);
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('layer-local update: only the selected variables change, and stopGradient blocks the upstream path', () => {
    const rng = makeRng(5);
    const l1 = nn.dense({ name: 'l1', inFeatures: 4, units: 3 }, rng);
    const l2 = nn.dense({ name: 'l2', inFeatures: 3, units: 2 }, rng);
    const local = nn.dense({ name: 'local', inFeatures: 3, units: 2 }, rng);
    const net = nn.sequential('net', [l1, l2]);
    const all = [...nn.collectParams(net), ...nn.collectParams(local)];
    const snap = () => all.map((v) => Array.from(v.variable.dataSync()));
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 9);
    const y = tf.tensor1d([0, 1, 1, 0, 1], 'int32');
    // Local loss on l1 (through its local head), global loss on l2 with a stop-gradient in between.
    const loss = () => {
      const h = tf.relu(l1.apply(x, train));
      const lLocal = nn.softmaxCrossEntropy(local.apply(h, train), y);
      const lTop = nn.softmaxCrossEntropy(l2.apply(nn.stopGradient(h), train), y);
      return tf.add(lLocal, lTop) as tf.Scalar;
    };
    // 1) Grads of l2's loss reach l2 only.
    const { grads } = tf.variableGrads(() => nn.softmaxCrossEntropy(l2.apply(nn.stopGradient(tf.relu(l1.apply(x, train))), train), y) as tf.Scalar,
      all.map((v) => v.variable));
    const nonZero = all.filter((v) => grads[v.variable.name] && tf.sum(tf.abs(grads[v.variable.name])).dataSync()[0] > 0)
      .map((v) => v.path).sort();
    assert.deepStrictEqual(nonZero, ['net/l2/bias', 'net/l2/kernel']);
    // 2) A step on l1 + local only leaves l2 untouched.
    const before = snap();
    const sel = all.filter((v) => v.path.startsWith('net/l1/') || v.path.startsWith('local/'));
    trainStep({ loss, vars: sel, optimizer: sgd({ lr: 0.5 }) });
    const after = snap();
    all.forEach((v, i) => {
      const changed = after[i].some((a, j) => a !== before[i][j]);
      assert.strictEqual(changed, !v.path.startsWith('net/l2/'), `${v.path} changed=${changed}`);
    });
    nn.disposeLayer(net); nn.disposeLayer(local);
  });

  it('sequential taps every child output into ctx.taps when asked', () => {
    const rng = makeRng(1);
    const s = nn.sequential('s', [nn.dense({ name: 'a', inFeatures: 2, units: 3 }, rng), nn.relu('r')], { tapOutputs: true, tapPrefix: 's/' });
    const taps = new Map<string, tf.Tensor>();
    const out = s.apply(tf.ones([1, 2]), { training: false, taps });
    assert.deepStrictEqual([...taps.keys()], ['s/a', 's/r']);
    assert.strictEqual(taps.get('s/r'), out);
    nn.disposeLayer(s);
  });

  it('softmaxCrossEntropy matches a hand computation and checks label shapes', () => {
    const z = tf.tensor2d([[1, 2, 3], [1, 1, 1]]);
    const l = nn.softmaxCrossEntropy(z, [2, 0]).dataSync()[0];
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    close([l], [((lse - 3) + Math.log(3)) / 2], 1e-6);
    assert.throws(() => nn.softmaxCrossEntropy(z, [1, 2, 0]), /expected labels \[2\]/);
  });
});

describe('nn memory', () => {
  it('a forward pass outside tf.tidy leaves only its output behind (no taps), and the taps when asked', () => {
    const m = nn.resnetCifarDepth(makeRng(0), 8, { widthMult: 0.25 });
    const x = tf.zeros([1, 8, 8, 3]);
    const n0 = tf.memory().numTensors;
    const y = m.apply(x, { training: false });
    assert.strictEqual(tf.memory().numTensors, n0 + 1);
    y.dispose();
    const taps = new Map<string, tf.Tensor>();
    const y2 = m.apply(x, { training: false, taps });
    assert.ok(taps.size >= m.children.length - 1 && !taps.get('stem')!.isDisposed);
    tf.dispose([y2, ...taps.values()]);
    nn.disposeLayer(m); x.dispose();
  });
});
