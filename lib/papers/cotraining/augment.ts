// Data augmentation inside a DCT step (spec §2.5, §4, Augmenter): a random integer translation in
// [-maxShift, maxShift] per axis (zero-pad then crop, lib/data randomCrop) and an optional horizontal
// flip. The thesis: SVHN translation <= 2 px only; CIFAR translation <= 2 px + flip. The shared
// unlabelled part d_u is augmented ONCE and the identical tensor goes to both networks, since L_cot
// compares p1(x) and p2(x) on the same x [spec choice]; `independentAugmentU` augments it per network.
import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '../../data/augment';
import type { Rng } from '../../util/random';
import type { BundleBatch } from './streams';

export interface DctAugment {
  /** Largest shift in pixels per axis (thesis: 2; 0 = no translation). */
  maxShift: number;
  /** Probability of a horizontal flip (thesis CIFAR: 0.5; SVHN and digits: 0). */
  flip?: number;
  /** Augment d_u separately for each network of a pair (default false: one augmented d_u, shared). */
  independentAugmentU?: boolean;
}

export function validateAugment(a: DctAugment): void {
  if (!Number.isInteger(a.maxShift) || a.maxShift < 0) throw new Error(`DctAugment.maxShift must be a non-negative integer, got ${a.maxShift}`);
  const f = a.flip ?? 0;
  if (!(f >= 0 && f <= 1)) throw new Error(`DctAugment.flip must be a probability in [0, 1], got ${f}`);
}

/** Rows `idx` of the NHWC pool `x`, augmented in JS (seeded by `rng`), as a new tensor. */
export function augmentRows(x: tf.Tensor, idx: ArrayLike<number>, a: DctAugment, rng: Rng): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`DCT augmentation needs NHWC images, got an input of shape [${x.shape.join(', ')}] (turn augment off for the toy)`);
  const [, h, w, c] = x.shape as [number, number, number, number];
  const rows = tf.tidy(() => tf.gather(x, tf.tensor1d(Int32Array.from(idx), 'int32')));
  const data = rows.dataSync() as Float32Array;
  rows.dispose();
  const out = augmentBatch({ images: data, shape: [idx.length, h, w, c] }, { pad: a.maxShift, flip: a.flip ?? 0 }, rng);
  return tf.tensor4d(out.images, [idx.length, h, w, c]);
}

/**
 * The two stream inputs of one pair: x1 = aug([d_s1; d_u]), x2 = aug([d_s2; d_u]) with d_u augmented
 * once and shared (default) or per network (independentAugmentU). `withU` = false gives d_s only.
 */
export function augmentedPairInputs(x: tf.Tensor, batch: BundleBatch, a: DctAugment, withU: boolean, rng: Rng): { x1: tf.Tensor; x2: tf.Tensor } {
  validateAugment(a);
  const [s1, s2] = batch.ds;
  const a1 = augmentRows(x, s1, a, rng), a2 = augmentRows(x, s2, a, rng);
  if (!withU || batch.du.length === 0) return { x1: a1, x2: a2 };
  const u1 = augmentRows(x, batch.du, a, rng);
  const u2 = a.independentAugmentU ? augmentRows(x, batch.du, a, rng) : u1;
  const x1 = tf.concat([a1, u1], 0), x2 = tf.concat([a2, u2], 0);
  a1.dispose(); a2.dispose(); u1.dispose();
  if (u2 !== u1) u2.dispose();
  return { x1, x2 };
}
