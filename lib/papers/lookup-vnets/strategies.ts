// The three table-learning strategies (paper III-B-3..5) as one alternating loop over "members":
// each member is a network with its own data stream, its own optimiser (own momentum slot for the
// shared table T) and its own variable list. Per iteration every member takes one step, in order.
//  - single task, single network: one member.
//  - cross-network (eqs. 6-7): two networks sharing one lookup layer, the SAME mini-batch each
//    iteration; the second step recomputes lookup(x, T) after the first changed T [ours, spec 2.7].
//  - cross-task (eqs. 8-9): two networks sharing T, each on its own task; the smaller data set
//    cycles (reshuffled) and the run length is counted in epochs of the first member's data [ours].
// Both members always run the same number of iterations, so they stop together.
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../../data/types';
import { augmentBatch, type AugmentOptions } from '../../data/augment';
import { softmaxCrossEntropy } from '../../nn/losses';
import { collectParams } from '../../nn/tree';
import { sgd, type Optimizer } from '../../train/optimizers';
import { trainStep } from '../../train/step';
import { makeRng, type Rng } from '../../util/random';
import type { ImageNet } from './models';

export interface Recipe {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum?: number;
  /** Coupled L2 on kernels and (by default) the tables (spec 4.1, 9.7). */
  weightDecay?: number;
  /** Learning-rate factor per epoch (default constant 1). */
  lrFactor?: (epoch: number) => number;
  augment?: AugmentOptions;
  /** Cap on training steps per epoch (quick runs); default a full pass. */
  stepsPerEpoch?: number;
}

export interface Member {
  name: string;
  net: ImageNet;
  train: ImageSet;
  test: ImageSet;
  /** Members with the same stream id read the same mini-batch each iteration (cross-network). */
  stream?: string;
}

export interface EpochRecord {
  member: string;
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  lr: number;
}

export interface StrategyResult {
  curves: EpochRecord[];
  /** Final test accuracy per member. */
  testAcc: Record<string, number>;
  /** Table snapshots [C][K][u] per distinct lookup layer, by name, at the end. */
  tables: Record<string, number[][][]>;
  steps: number;
}

/** A shuffled, endlessly cycling stream of mini-batch indices over one data set. */
function batchStream(n: number, batchSize: number, rng: Rng): () => Int32Array {
  let perm = rng.permutation(n), pos = 0;
  return () => {
    if (pos + batchSize > n && pos > 0) { perm = rng.permutation(n); pos = 0; }
    const b = perm.subarray(pos, Math.min(n, pos + batchSize));
    pos += batchSize;
    return Int32Array.from(b);
  };
}

/** int32 [N,H,W,C] tensor of the images at `idx`, plus int32 labels. */
export function gatherBatch(set: ImageSet, idx: ArrayLike<number>, augment?: AugmentOptions, rng?: Rng): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [, h, w, c] = set.shape;
  const sz = h * w * c;
  let images = new Uint8Array(idx.length * sz);
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    images.set(set.images.subarray(idx[i] * sz, (idx[i] + 1) * sz), i * sz);
    labels[i] = set.labels[idx[i]];
  }
  let shape: [number, number, number, number] = [idx.length, h, w, c];
  if (augment && rng && ((augment.pad ?? 0) > 0 || (augment.flip ?? 0) > 0 || augment.crop)) {
    const r = augmentBatch({ images, shape }, augment, rng);
    images = r.images; shape = r.shape;
  }
  return { x: tf.tensor4d(Int32Array.from(images), shape, 'int32'), y: tf.tensor1d(labels, 'int32') };
}

/** Top-1 accuracy of a network on a set, in batches, eval mode. */
export function evaluate(net: ImageNet, set: ImageSet, batchSize = 256): number {
  const n = set.shape[0];
  if (n === 0) throw new Error(`evaluate: empty test set (${set.source ?? 'unnamed'})`);
  let correct = 0;
  for (let s = 0; s < n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
    const { x, y } = gatherBatch(set, idx);
    const hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(net.apply(x, { training: false }), 1), y), 'int32')));
    correct += hits.dataSync()[0];
    tf.dispose([x, y, hits]);
  }
  return correct / n;
}

export interface RunOptions {
  seed: number;
  /** Called after every epoch with that epoch's records (live plots). */
  onEpoch?: (records: EpochRecord[]) => void;
  /** Evaluate the test set every epoch (default true; false evaluates only at the end). */
  evalEveryEpoch?: boolean;
}

/** The alternating loop shared by all three strategies. */
export function trainMembers(members: Member[], recipe: Recipe, opts: RunOptions): StrategyResult {
  if (members.length === 0) throw new Error('trainMembers: no networks to train');
  if (!(recipe.epochs >= 1) || !(recipe.batchSize >= 1) || !(recipe.lr > 0)) {
    throw new Error(`trainMembers: recipe needs epochs >= 1, batchSize >= 1, lr > 0, got ${JSON.stringify(recipe)}`);
  }
  const names = new Set<string>();
  for (const m of members) {
    if (names.has(m.name)) throw new Error(`trainMembers: two members named '${m.name}'`);
    names.add(m.name);
  }
  const rng = makeRng(opts.seed);
  const streams = new Map<string, () => Int32Array>();
  const streamOf = (m: Member, i: number) => m.stream ?? `own${i}`;
  members.forEach((m, i) => {
    const id = streamOf(m, i);
    if (!streams.has(id)) streams.set(id, batchStream(m.train.shape[0], recipe.batchSize, rng.fork(`stream-${id}`)));
  });
  // one optimiser per member: its own momentum slot for the shared table (spec 9.10c)
  const opt: Optimizer[] = members.map(() => sgd({ lr: recipe.lr, momentum: recipe.momentum ?? 0.9, weightDecay: recipe.weightDecay ?? 0 }));
  const vars = members.map((m) => collectParams(m.net));
  const augRng = members.map((m) => rng.fork(`aug-${m.name}`));
  const stepsPerEpoch = recipe.stepsPerEpoch ?? Math.ceil(members[0].train.shape[0] / recipe.batchSize);
  const curves: EpochRecord[] = [];
  let steps = 0;
  for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
    const lr = recipe.lr * (recipe.lrFactor ? recipe.lrFactor(epoch - 1) : 1);
    const loss = members.map(() => 0), hits = members.map(() => 0), seen = members.map(() => 0);
    for (let s = 0; s < stepsPerEpoch; s++) {
      const batchIdx = new Map<string, Int32Array>();
      for (const [id, next] of streams) batchIdx.set(id, next());
      members.forEach((m, i) => {
        const idx = batchIdx.get(streamOf(m, i))!;
        const { x, y } = gatherBatch(m.train, idx, recipe.augment, augRng[i]);
        let correct = 0;
        const r = trainStep({
          vars: vars[i], optimizer: opt[i], lr,
          loss: () => {
            const logits = m.net.apply(x, { training: true, rng: augRng[i] });
            correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')).dataSync()[0]);
            return softmaxCrossEntropy(logits, y) as tf.Scalar;
          },
        });
        if (!Number.isFinite(r.loss)) throw new Error(`trainMembers: loss of '${m.name}' became ${r.loss} at epoch ${epoch}, step ${s} (lower lr)`);
        loss[i] += r.loss * idx.length; hits[i] += correct; seen[i] += idx.length;
        tf.dispose([x, y]);
      });
      steps++;
    }
    const last = epoch === recipe.epochs;
    const recs = members.map((m, i) => ({
      member: m.name, epoch, lr,
      trainLoss: loss[i] / seen[i], trainAcc: hits[i] / seen[i],
      testAcc: (opts.evalEveryEpoch ?? true) || last ? evaluate(m.net, m.test) : NaN,
    }));
    curves.push(...recs);
    opts.onEpoch?.(recs);
  }
  opt.forEach((o) => o.dispose());
  const tables: Record<string, number[][][]> = {};
  for (const m of members) if (m.net.lookup) tables[m.net.lookup.name] = m.net.lookup.tableValues();
  const finalAcc: Record<string, number> = {};
  members.forEach((m) => { finalAcc[m.name] = curves.filter((r) => r.member === m.name).slice(-1)[0].testAcc; });
  return { curves, testAcc: finalAcc, tables, steps };
}

/** Strategy 1: one network, one task; W and T trained together from step 0 (eq. 5). */
export function trainSingle(m: Member, recipe: Recipe, opts: RunOptions): StrategyResult {
  return trainMembers([m], recipe, opts);
}

/** Strategy 2: two networks share the tables on one task; one step of f then one of g on the same mini-batch. */
export function trainCrossNetwork(f: Member, g: Member, recipe: Recipe, opts: RunOptions): StrategyResult {
  if (!f.net.lookup || f.net.lookup !== g.net.lookup) throw new Error('trainCrossNetwork: both networks must share the same lookup layer (same table variable)');
  if (f.train !== g.train) throw new Error('trainCrossNetwork: both networks must train on the same data set (use trainCrossTask for two tasks)');
  return trainMembers([{ ...f, stream: 'shared' }, { ...g, stream: 'shared' }], recipe, opts);
}

/** Strategy 3: two networks on two tasks share the tables; alternate one step each; epochs count task p's data. */
export function trainCrossTask(p: Member, q: Member, recipe: Recipe, opts: RunOptions): StrategyResult {
  if (!p.net.lookup || p.net.lookup !== q.net.lookup) throw new Error('trainCrossTask: both networks must share the same lookup layer (same table variable)');
  return trainMembers([{ ...p, stream: undefined }, { ...q, stream: undefined }], recipe, opts);
}
