import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../lib/nn';
import * as train from '../lib/train';
import { makeRng } from '../lib/util/random';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6, msg = '') => {
  assert.strictEqual(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${msg}[${i}]: ${a[i]} vs ${b[i]}`);
};

/** p0 = [1, -2], loss = 0.5 p[0] + 1 p[1] (constant gradient a = [0.5, 1]). */
function linearProblem(decay = true) {
  const v = tf.variable(tf.tensor1d([1, -2]));
  const nv: nn.NamedVar = { path: 'p', variable: v, decay };
  const a = tf.tensor1d([0.5, 1]);
  const loss = () => tf.sum(tf.mul(a, v)) as tf.Scalar;
  return { v, nv, loss, dispose: () => { v.dispose(); a.dispose(); } };
}

describe('train: optimisers', () => {
  it('SGD momentum + weight decay: two steps equal the hand computation (PyTorch semantics)', () => {
    // step 1: g = a + 0.01 p0 = [0.51, 0.98]; buf = g; p1 = p0 - 0.1 g = [0.949, -2.098]
    // step 2: g = a + 0.01 p1 = [0.50949, 0.97902]; buf = 0.9 [0.51, 0.98] + g = [0.96849, 1.86102]
    //         p2 = p1 - 0.1 buf = [0.852151, -2.284102]
    const p = linearProblem();
    const opt = train.sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    train.trainStep({ loss: p.loss, vars: [p.nv], optimizer: opt });
    close(p.v.dataSync(), [0.949, -2.098], 1e-6, 'p1');
    train.trainStep({ loss: p.loss, vars: [p.nv], optimizer: opt });
    close(p.v.dataSync(), [0.852151, -2.284102], 1e-6, 'p2');
    opt.dispose(); p.dispose();
  });

  it('SGD Nesterov: two steps equal the hand computation', () => {
    // step 1: g = [0.51, 0.98]; buf = g; g' = g + 0.9 buf = [0.969, 1.862]; p1 = [0.9031, -2.1862]
    // step 2: g = a + 0.01 p1 = [0.509031, 0.978138]; buf = 0.9 [0.51, 0.98] + g = [0.968031, 1.860138]
    //         g' = g + 0.9 buf = [1.3802589, 2.6522622]; p2 = p1 - 0.1 g' = [0.76507411, -2.45142622]
    const p = linearProblem();
    const opt = train.sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true });
    train.trainStep({ loss: p.loss, vars: [p.nv], optimizer: opt });
    close(p.v.dataSync(), [0.9031, -2.1862], 1e-6, 'p1');
    train.trainStep({ loss: p.loss, vars: [p.nv], optimizer: opt });
    close(p.v.dataSync(), [0.76507411, -2.45142622], 1e-6, 'p2');
    opt.dispose(); p.dispose();
  });

  it('SGD skips weight decay on decay=false variables unless decayAll; lr per step overrides', () => {
    const p = linearProblem(false);
    const opt = train.sgd({ lr: 0.1, weightDecay: 0.5 });
    train.trainStep({ loss: p.loss, vars: [p.nv], optimizer: opt, lr: 0.2 });
    close(p.v.dataSync(), [1 - 0.2 * 0.5, -2 - 0.2 * 1], 1e-6);
    const q = linearProblem(false);
    const opt2 = train.sgd({ lr: 0.1, weightDecay: 0.5, decayAll: true });
    train.trainStep({ loss: q.loss, vars: [q.nv], optimizer: opt2 });
    close(q.v.dataSync(), [1 - 0.1 * (0.5 + 0.5), -2 - 0.1 * (1 - 1)], 1e-6);
    assert.throws(() => train.sgd({ lr: 0.1, nesterov: true }), /nesterov needs momentum/);
    p.dispose(); q.dispose();
  });

  it('Adam and AdamW: bias-corrected steps of size lr in the gradient sign direction', () => {
    const p = linearProblem();
    const opt = train.adam({ lr: 0.01 });
    train.trainStep({ loss: p.loss, vars: [p.nv], optimizer: opt });
    close(p.v.dataSync(), [0.99, -2.01], 1e-6, 'adam 1');
    train.trainStep({ loss: p.loss, vars: [p.nv], optimizer: opt });
    close(p.v.dataSync(), [0.98, -2.02], 1e-6, 'adam 2');
    const q = linearProblem();
    const w = train.adam({ lr: 0.01, weightDecay: 0.1, decoupled: true });
    train.trainStep({ loss: q.loss, vars: [q.nv], optimizer: w });
    close(q.v.dataSync(), [1 * (1 - 0.001) - 0.01, -2 * (1 - 0.001) - 0.01], 1e-6, 'adamw');
    p.dispose(); q.dispose(); opt.dispose(); w.dispose();
  });

  it('trainStepGroups: one backward pass, each group moved by its own optimiser and lr', () => {
    const p = linearProblem(), q = linearProblem();
    const loss = () => tf.add(p.loss(), q.loss()) as tf.Scalar;
    const o1 = train.sgd({ lr: 0.1 }), o2 = train.sgd({ lr: 1 });
    train.trainStepGroups({ loss, groups: [{ vars: [p.nv], optimizer: o1 }, { vars: [{ ...q.nv, path: 'q' }], optimizer: o2, lr: 0.5 }] });
    close(p.v.dataSync(), [1 - 0.05, -2 - 0.1], 1e-6, 'group 1');
    close(q.v.dataSync(), [1 - 0.25, -2 - 0.5], 1e-6, 'group 2');
    assert.throws(() => train.trainStepGroups({ loss, groups: [{ vars: [p.nv], optimizer: o1 }, { vars: [p.nv], optimizer: o2 }] }), /in two groups/);
    p.dispose(); q.dispose();
  });

  it('trainStep names the problem when the loss does not reach the variables', () => {
    const v = tf.variable(tf.scalar(1));
    const other = tf.variable(tf.scalar(2));
    assert.throws(() => train.trainStep({ loss: () => tf.mul(other, 2) as tf.Scalar, vars: [{ path: 'a/b', variable: v, decay: true }], optimizer: train.sgd({ lr: 1 }) }),
      /does not depend on any of the 1 variables given \(first: 'a\/b'\)/);
    v.dispose(); other.dispose();
  });
});

describe('train: schedules', () => {
  it('step, cosine, warm-up and sigmoid ramp-up values', () => {
    const s = train.stepDecay(0.1, [30, 60]);
    close([s(0), s(29.9), s(30), s(65)], [0.1, 0.1, 0.01, 0.001], 1e-12);
    const c = train.cosine(1, 100, 0);
    close([c(0), c(50), c(100), c(25)], [1, 0.5, 0, 0.5 * (1 + Math.cos(Math.PI / 4))], 1e-12);
    const w = train.linearWarmup(5, train.cosine(0.4, 100));
    close([w(0), w(2.5)], [0, 0.5 * train.cosine(0.4, 100)(5)], 1e-12);
    assert.strictEqual(w(10), train.cosine(0.4, 100)(10));
    const r = train.sigmoidRampup(80, 2);
    close([r(0), r(40), r(80), r(200)], [2 * Math.exp(-5), 2 * Math.exp(-1.25), 2, 2], 1e-12);
    close([train.poly(1, 10, 0.9)(5)], [Math.pow(0.5, 0.9)], 1e-12);
  });
});

function syntheticBatches(n: number, batch: number, seed: number) {
  const rng = makeRng(seed);
  const xs = Float32Array.from({ length: n * 6 * 6 }, () => rng.normal());
  const ys = Int32Array.from({ length: n }, (_, i) => (xs[i * 36] > 0 ? 1 : 0));
  return () => (function* () {
    for (let i = 0; i + batch <= n; i += batch) {
      yield { x: tf.tensor4d(xs.subarray(i * 36, (i + batch) * 36), [batch, 6, 6, 1]), y: tf.tensor1d(ys.subarray(i, i + batch), 'int32') };
    }
  })();
}

function tinyNet(seed: number) {
  return nn.convNet(makeRng(seed), { widths: [4, 8], inputSize: 6, inChannels: 1, numClasses: 2 });
}

describe('train: fit', () => {
  it('keeps tf.memory().numTensors constant after every epoch (momentum, BN, dropout-free net, eval)', async () => {
    const model = tinyNet(1);
    const data = syntheticBatches(64, 16, 1);
    const counts: number[] = [];
    const r = await train.fit({
      model, optimizer: train.sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }), epochs: 4, train: data, eval: () => data(),
      stepsPerEpoch: 4, lr: ({ epoch }) => train.cosine(0.1, 4)(epoch), progress: false,
      callbacks: { onEpochEnd: () => { counts.push(tf.memory().numTensors); } },
    });
    assert.strictEqual(r.history.length, 4);
    assert.strictEqual(r.steps, 16);
    assert.ok(counts.every((c) => c === counts[0]), `numTensors per epoch: ${counts}`);
    assert.ok(r.history[3].trainLoss < r.history[0].trainLoss, 'loss decreases');
    assert.ok(typeof r.final?.accuracy === 'number');
    assert.ok(r.history[0].metrics.trainAcc >= 0 && r.history[0].metrics.trainAcc <= 1);
    nn.disposeLayer(model);
  });

  it('stops at the first NaN loss with an error naming epoch and step', async () => {
    const model = tinyNet(2);
    const data = syntheticBatches(64, 16, 2);
    const before = tf.memory().numTensors;
    await assert.rejects(() => train.fit({
      model, optimizer: train.sgd({ lr: 0.1 }), epochs: 3, train: data, progress: false,
      loss: (b, ctx, info) => {
        const l = nn.softmaxCrossEntropy(model.apply(b.x, ctx), b.y) as tf.Scalar;
        return info.step === 5 ? tf.mul(l, NaN) as tf.Scalar : l;
      },
    }), (e: Error) => e instanceof train.NonFiniteLossError && /loss is NaN at epoch 1 \(0-based\), step 5 \(batch 1 of the epoch\)/.test(e.message));
    assert.strictEqual(tf.memory().numTensors, before, 'no tensors left behind by the failed step');
    nn.disposeLayer(model);
  });

  it('custom losses can log metrics, callbacks can stop early, and evaluate() counts correctly', async () => {
    const model = tinyNet(3);
    const data = syntheticBatches(32, 16, 3);
    const seen: number[] = [];
    const r = await train.fit({
      model, optimizer: train.adam({ lr: 1e-2 }), epochs: 5, train: data, progress: false,
      loss: (b, ctx) => {
        const z = model.apply(b.x, ctx);
        return { loss: nn.softmaxCrossEntropy(z, b.y) as tf.Scalar, metrics: { meanLogit: tf.mean(z) as tf.Scalar, constant: 7 } };
      },
      callbacks: { onBatchEnd: (i) => { seen.push(i.step); }, onEpochEnd: (rec) => (rec.epoch === 1 ? 'stop' : undefined) },
    });
    assert.strictEqual(r.history.length, 2);
    assert.deepStrictEqual(seen, [0, 1, 2, 3]);
    assert.strictEqual(r.history[0].metrics.constant, 7);
    // evaluate: an identity "model" on one-hot rows gets exactly the fraction of matching labels.
    const x = tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]]);
    const ev = await train.evaluate((t) => tf.clone(t), [{ x, y: tf.tensor1d([0, 1, 1, 1], 'int32') }], { keepPredictions: true });
    assert.strictEqual(ev.accuracy, 0.75);
    assert.deepStrictEqual(Array.from(ev.predictions!), [0, 1, 0, 1]);
    assert.ok(x.isDisposed);
    const z = tf.tensor2d([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.3, 0.3, 0.4]]);
    const ev2 = await train.evaluate((t) => tf.clone(t), [{ x: z, y: tf.tensor1d([2, 1, 1], 'int32') }], { topK: 2 });
    assert.strictEqual(ev2.topK, 2 / 3); // row 3: label 1 ties class 0, which wins the tie
    assert.strictEqual(ev2.accuracy, 0);
    nn.disposeLayer(model);
  });

  it('progress: an in-place bar on a TTY, periodic plain lines otherwise; the chart hook gets the history', async () => {
    const fake = (isTTY: boolean) => {
      const out: string[] = [];
      return { out, stream: { isTTY, write: (t: string) => { out.push(t); return true; } } as unknown as NodeJS.WriteStream };
    };
    const tty = fake(true);
    const p = train.makeProgress('ep 1', 'auto', 0, tty.stream);
    p.update(1, 4, { loss: 1.5 }); p.update(2, 4, { loss: 1.25 }); p.end('done');
    assert.ok(tty.out[0].startsWith('\rep 1 [######..................] 1/4'), JSON.stringify(tty.out[0]));
    assert.ok(/loss 1\.2500/.test(tty.out[1]));
    assert.ok(tty.out[2].startsWith('\rdone'));
    const plain = fake(false);
    const q = train.makeProgress('ep 1', 'auto', 2, plain.stream);
    for (let i = 1; i <= 4; i++) q.update(i, 4, { loss: i });
    q.end('done');
    assert.deepStrictEqual(plain.out, ['ep 1 2/4  loss 2.0000\n', 'ep 1 4/4  loss 4.0000\n', 'done\n']);
    const silent = fake(true);
    const s = train.makeProgress('x', false, 1, silent.stream);
    s.update(1, 1, {}); s.end('y');
    assert.deepStrictEqual(silent.out, []);
    // chart hook
    const model = tinyNet(4);
    const seen: number[] = [];
    await train.fit({ model, optimizer: train.sgd({ lr: 0.1 }), epochs: 2, train: syntheticBatches(32, 16, 4), progress: false,
      chart: { update: (h) => { seen.push(h.length); } } });
    assert.deepStrictEqual(seen, [1, 2]);
    nn.disposeLayer(model);
  });

  it('runExperiment records config, backend, seed, wall time and metrics', async () => {
    const rec = await train.runExperiment({ seed: 11, lr: 0.1 }, ({ rng, seed }) => ({ seed, draw: rng.next() }));
    assert.strictEqual(rec.seed, 11);
    assert.deepStrictEqual(rec.config, { seed: 11, lr: 0.1 });
    assert.strictEqual(rec.backend.length > 0, true);
    assert.ok(rec.wallTimeMs >= 0);
    assert.strictEqual(rec.metrics.draw, makeRng(11).next());
  });
});
