// Semi-supervised datasets for DCT: a training pool split into labelled S and unlabelled U (N labels
// per class, class-balanced, seeded), plus a test set. Inputs live on the backend as one tensor so
// batches are cheap gathers.
import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist, loadSklearnDigits } from '../../data/shipped';
import { labelledSubset } from '../../data/samplers';
import { stratifiedSplit } from '../../data/splits';
import type { ImageSet } from '../../data/types';
import { makeRng } from '../../util/random';
import { makeMoons } from './moons';

export interface SemiSupData {
  name: string;
  /** Training pool inputs [N, ...] (images in [0,1], NHWC; or [N, 2] points). */
  x: tf.Tensor;
  /** Labels of the pool; training reads only those at `labelled`. */
  y: Int32Array;
  labelled: Int32Array;
  unlabelled: Int32Array;
  testX: tf.Tensor;
  testY: Int32Array;
  numClasses: number;
  /** Valid input range for FGSM clipping; null for unbounded inputs (toy). */
  clip: [number, number] | null;
  /** Per-example input shape. */
  inputShape: number[];
  seed: number;
}

function imagesToTensor(set: ImageSet, idx: ArrayLike<number>): tf.Tensor4D {
  const [, h, w, c] = set.shape, per = h * w * c;
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++) {
    const off = idx[i] * per;
    for (let j = 0; j < per; j++) out[i * per + j] = set.images[off + j] / set.maxValue;
  }
  return tf.tensor4d(out, [idx.length, h, w, c]);
}

function pick(labels: Int32Array, idx: ArrayLike<number>): Int32Array {
  return Int32Array.from(idx, (i) => labels[i]);
}

/** Pool indices relabelled 0..n-1 so S and U index into `x`. */
function poolSplit(poolLabels: Int32Array, perClass: number, seed: number) {
  const s = labelledSubset(poolLabels, { perClass, rng: makeRng(seed).fork('labelled') });
  return s;
}

/**
 * sklearn 8x8 digits (SVHN analogue): stratified test of `test` images (default 497 -> a 1300 pool),
 * S = `perClass` per class (10 -> 100 labels), U = the rest of the pool. Pixels 0..16 scaled to [0,1].
 */
export function digitsSemiSup(o: { perClass?: number; test?: number; seed: number }): SemiSupData {
  const set = loadSklearnDigits();
  const split = stratifiedSplit(set.labels, { test: o.test ?? 497, rng: makeRng(o.seed).fork('test') });
  const poolY = pick(set.labels, split.train);
  const s = poolSplit(poolY, o.perClass ?? 10, o.seed);
  return {
    name: 'digits', x: imagesToTensor(set, split.train), y: poolY, labelled: s.labelled, unlabelled: s.unlabelled,
    testX: imagesToTensor(set, split.test), testY: pick(set.labels, split.test), numClasses: 10, clip: [0, 1],
    inputShape: [8, 8, 1], seed: o.seed,
  };
}

/**
 * Fashion-MNIST (CIFAR-10 analogue): pool = the first `pool` images of a seeded permutation of the
 * 60k training set (10000 by default for the CPU budget), S = `perClass` per class (100 -> 1000),
 * U = the rest of the pool; test = `test` images of the official test set (first n of a permutation).
 */
export function fashionSemiSup(o: { perClass?: number; pool?: number; test?: number; seed: number }): SemiSupData {
  const train = loadFashionMnist({ split: 'train' }), test = loadFashionMnist({ split: 'test' });
  const rng = makeRng(o.seed);
  const poolIdx = rng.fork('pool').permutation(train.labels.length).subarray(0, o.pool ?? 10000);
  const testIdx = rng.fork('test').permutation(test.labels.length).subarray(0, o.test ?? 2000);
  const poolY = pick(train.labels, poolIdx);
  const s = poolSplit(poolY, o.perClass ?? 100, o.seed);
  return {
    name: 'fashion', x: imagesToTensor(train, poolIdx), y: poolY, labelled: s.labelled, unlabelled: s.unlabelled,
    testX: imagesToTensor(test, testIdx), testY: pick(test.labels, testIdx), numClasses: 10, clip: [0, 1],
    inputShape: [28, 28, 1], seed: o.seed,
  };
}

/** Two moons: `n` training points (3 labelled per class by default) and `test` held-out points, standardised together. */
export function moonsSemiSup(o: { n?: number; perClass?: number; test?: number; noise?: number; seed: number }): SemiSupData {
  const n = o.n ?? 1000, nt = o.test ?? 1000;
  const all = makeMoons(n + nt, { noise: o.noise ?? 0.1, seed: o.seed });
  const perm = makeRng(o.seed).fork('moons-split').permutation(n + nt);
  const tr = perm.subarray(0, n), te = perm.subarray(n);
  const rows = (idx: Int32Array) => tf.tensor2d(Float32Array.from({ length: idx.length * 2 }, (_, k) => all.x[2 * idx[k >> 1] + (k & 1)]), [idx.length, 2]);
  const poolY = pick(all.labels, tr);
  const s = poolSplit(poolY, o.perClass ?? 3, o.seed);
  return {
    name: 'moons', x: rows(tr), y: poolY, labelled: s.labelled, unlabelled: s.unlabelled,
    testX: rows(te), testY: pick(all.labels, te), numClasses: 2, clip: null, inputShape: [2], seed: o.seed,
  };
}

export function disposeData(d: SemiSupData): void {
  d.x.dispose();
  d.testX.dispose();
}

/**
 * Any labelled training/test ImageSet pair (e.g. SVHN .mat or CIFAR binaries read with lib/data) as
 * a DCT dataset: S = `perClass` per class (SVHN 100/class = 1000, CIFAR-10 400/class = 4000,
 * CIFAR-100 100/class = 10000), U = the rest of the training set. Pixels scaled to [0,1]. The whole
 * set is put on the backend: a 73k-image SVHN pool is ~900 MB of float32, so pass `poolSize` on small machines.
 */
export function semiSupFromImageSets(train: ImageSet, test: ImageSet, o: { perClass: number; seed: number; poolSize?: number; testSize?: number; name?: string }): SemiSupData {
  if (train.classNames.length !== test.classNames.length) {
    throw new Error(`semiSupFromImageSets: train has ${train.classNames.length} classes, test ${test.classNames.length}`);
  }
  const rng = makeRng(o.seed);
  const poolIdx = o.poolSize ? rng.fork('pool').permutation(train.labels.length).subarray(0, o.poolSize) : Int32Array.from({ length: train.labels.length }, (_, i) => i);
  const testIdx = o.testSize ? rng.fork('test').permutation(test.labels.length).subarray(0, o.testSize) : Int32Array.from({ length: test.labels.length }, (_, i) => i);
  const poolY = pick(train.labels, poolIdx);
  const s = poolSplit(poolY, o.perClass, o.seed);
  return {
    name: o.name ?? train.source ?? 'images', x: imagesToTensor(train, poolIdx), y: poolY, labelled: s.labelled, unlabelled: s.unlabelled,
    testX: imagesToTensor(test, testIdx), testY: pick(test.labels, testIdx), numClasses: train.classNames.length, clip: [0, 1],
    inputShape: train.shape.slice(1), seed: o.seed,
  };
}
