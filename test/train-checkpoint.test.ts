import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../lib/nn';
import * as train from '../lib/train';
import { makeRng } from '../lib/util/random';

describe('train: checkpoints', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-ckpt-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('round-trips params, BN state, optimiser slots and meta', async () => {
    const m = nn.resnetCifarDepth(makeRng(1), 8, { widthMult: 0.25 });
    const vars = [...nn.collectParams(m), ...nn.collectState(m)];
    const opt = train.sgd({ lr: 0.1, momentum: 0.9 });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1), y = tf.tensor1d([1, 2], 'int32');
    train.trainStep({ loss: () => nn.softmaxCrossEntropy(m.apply(x, { training: true }), y) as tf.Scalar, vars: nn.collectParams(m), optimizer: opt });
    const saved = vars.map((v) => Array.from(v.variable.dataSync()));
    const slots = opt.stateVars();
    await train.saveCheckpoint(dir, [...vars, ...slots.map((s) => ({ ...s, path: `opt/${s.path}` }))], { epoch: 3, note: 'hi' });
    // Scramble, then restore.
    for (const v of vars) v.variable.assign(tf.zerosLike(v.variable));
    const loaded = await train.loadCheckpoint(dir, vars, { strict: true });
    assert.deepStrictEqual(loaded.meta, { epoch: 3, note: 'hi' });
    vars.forEach((v, i) => assert.deepStrictEqual(Array.from(v.variable.dataSync()), saved[i], v.path));
    // Optimiser slots through loadState.
    const all = await train.loadCheckpoint(dir);
    const optState = new Map([...all.tensors].filter(([k]) => k.startsWith('opt/')).map(([k, t]) => [k.slice(4), t]));
    const opt2 = train.sgd({ lr: 0.1, momentum: 0.9 });
    opt2.loadState(optState, nn.collectParams(m));
    const a = opt.stateVars(), b = opt2.stateVars();
    assert.strictEqual(a.length, b.length);
    const bByPath = new Map(b.map((s) => [s.path, s]));
    assert.ok(a.some((s) => s.path.endsWith('/momentum')));
    a.forEach((s) => assert.deepStrictEqual(Array.from(s.variable.dataSync()), Array.from(bByPath.get(s.path)!.variable.dataSync()), s.path));
    tf.dispose([...all.tensors.values()]);
    opt.dispose(); opt2.dispose(); nn.disposeLayer(m); tf.dispose([x, y]);
  });

  it('a crash mid-write leaves the previous checkpoint intact and loadable', async () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const vars: nn.NamedVar[] = [{ path: 'w', variable: v, decay: true }];
    await train.saveCheckpoint(dir, vars, { version: 'first' });
    v.assign(tf.tensor1d([9, 9, 9]));
    await assert.rejects(() => train.saveCheckpoint(dir, vars, { version: 'second' }, {
      beforeCommit: () => { throw new Error('simulated crash after writing weights'); },
    }), /simulated crash/);
    // No half-written folder is visible, latest still names the first save.
    assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.startsWith('.tmp-')), []);
    const r = await train.loadCheckpoint(dir, vars);
    assert.strictEqual(r.meta.version, 'first');
    assert.deepStrictEqual(Array.from(v.dataSync()), [1, 2, 3]);
    // A process killed mid-write leaves a stray temp folder: it is ignored, and the next save works.
    fs.mkdirSync(path.join(dir, '.tmp-killed'));
    fs.writeFileSync(path.join(dir, '.tmp-killed', 'weights.bin'), Buffer.alloc(5));
    v.assign(tf.tensor1d([4, 5, 6]));
    await train.saveCheckpoint(dir, vars, { version: 'third' });
    v.assign(tf.tensor1d([0, 0, 0]));
    const r2 = await train.loadCheckpoint(dir, vars);
    assert.strictEqual(r2.meta.version, 'third');
    assert.deepStrictEqual(Array.from(v.dataSync()), [4, 5, 6]);
    // keep = 2 versions by default
    assert.strictEqual(fs.readdirSync(dir).filter((f) => /^ckpt-/.test(f)).length, 2);
    v.dispose();
  });

  it('clear errors: missing dir, truncated weights, missing or mis-shaped variables', async () => {
    await assert.rejects(() => train.loadCheckpoint(path.join(dir, 'nope')), /no such directory/);
    await assert.rejects(() => train.loadCheckpoint(dir), /holds no checkpoint/);
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const folder = await train.saveCheckpoint(dir, [{ path: 'w', variable: v, decay: true }]);
    const w2 = tf.variable(tf.zeros([4]));
    await assert.rejects(() => train.loadCheckpoint(dir, [{ path: 'w', variable: w2, decay: true }]), /'w' has shape \[3\] in the checkpoint but \[4\] in the model/);
    await assert.rejects(() => train.loadCheckpoint(dir, [{ path: 'other', variable: w2, decay: true }]), /has no variable 'other'/);
    fs.writeFileSync(path.join(folder, 'weights.bin'), Buffer.alloc(5));
    await assert.rejects(() => train.loadCheckpoint(dir), /weights.bin' has 5 bytes, the specs need 12/);
    v.dispose(); w2.dispose();
  });

  it('fit with checkpoint + resume continues where an interrupted run stopped and matches an uninterrupted run (BN state, momentum, dropout masks)', async () => {
    const mkData = () => {
      const rng = makeRng(9);
      const xs = Float32Array.from({ length: 32 * 16 }, () => rng.normal());
      const ys = Int32Array.from({ length: 32 }, (_, i) => i % 2);
      return (epoch: number) => (function* () {
        const order = makeRng(epoch).permutation(2);
        for (const b of order) yield { x: tf.tensor4d(xs.subarray(b * 256, (b + 1) * 256), [16, 4, 4, 1]), y: tf.tensor1d(ys.subarray(b * 16, (b + 1) * 16), 'int32') };
      })();
    };
    const run = async (epochs: number, ckptDir?: string, stopAfter?: number) => {
      const r5 = makeRng(5);
      const model = nn.sequential('m', [
        nn.convBnAct({ name: 'unit', inChannels: 1, filters: 3 }, r5), nn.dropout(0.3), nn.globalAvgPool(),
        nn.dense({ name: 'fc', inFeatures: 3, units: 2 }, r5),
      ]);
      const r = await train.fit({
        model, optimizer: train.sgd({ lr: 0.1, momentum: 0.9 }), epochs, train: mkData(), progress: false,
        checkpoint: ckptDir ? { dir: ckptDir, resume: true } : undefined,
        callbacks: { onEpochEnd: (rec) => (stopAfter !== undefined && rec.epoch === stopAfter ? 'stop' : undefined) },
      });
      const w = nn.collectParams(model).map((v) => Array.from(v.variable.dataSync()));
      const bn = nn.collectState(model).map((v) => Array.from(v.variable.dataSync()));
      nn.disposeLayer(model);
      return { r, w, bn };
    };
    const full = await run(4);
    await run(4, dir, 1); // "crashes" after epoch 1 (checkpoint of epoch 1 written)
    const resumed = await run(4, dir);
    assert.strictEqual(resumed.r.history.length, 4);
    assert.strictEqual(resumed.r.steps, full.r.steps);
    full.w.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - resumed.w[i][j]) < 1e-5, `param ${i}[${j}] ${v} vs ${resumed.w[i][j]}`)));
    full.bn.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - resumed.bn[i][j]) < 1e-5, `state ${i}[${j}]`)));
  });
});
