// From uint8 NHWC arrays to float tensors, one batch at a time.
// Ownership: every tensor these functions return is NEW and belongs to the caller, who must
// dispose it (x.dispose(), y.dispose(), or tf.dispose(batch)). `forEachBatch` does that for
// you after your callback returns (or its promise settles). Nothing is kept between batches,
// so tf.memory().numTensors returns to its starting value after an epoch.
import * as tf from '@tensorflow/tfjs';
import { Rng, makeRng } from '../util/random';
import { AugmentOptions, augmentBatch } from './augment';
import { ImageSet, Normalization } from './types';
import { range } from './subset';

export interface TensorBatch {
  /** [B, H, W, C] float32, (pixel/maxValue - mean) / std. */
  x: tf.Tensor4D;
  /** [B] int32 labels. */
  y: tf.Tensor1D;
  /** Dataset indices of the batch rows. */
  indices: Int32Array;
}

/** Pixels -> normalised float32, NHWC. `norm` may have 1 channel (broadcast) or C channels. */
export function normalizePixels(images: Uint8Array, channels: number, maxValue: number, norm?: Normalization): Float32Array {
  const mean = norm?.mean ?? [0], std = norm?.std ?? [1];
  if (mean.length !== std.length) throw new Error(`normalizePixels: mean has ${mean.length} channels but std has ${std.length}`);
  if (mean.length !== 1 && mean.length !== channels) throw new Error(`normalizePixels: normalisation has ${mean.length} channels, images have ${channels}`);
  if (std.some((s) => !(s > 0))) throw new Error(`normalizePixels: std must be positive, got [${std}]`);
  // Precompute a 256-entry lookup per channel: one multiply-free pass over the pixels.
  const lut = Array.from({ length: channels }, (_, k) => {
    const m = mean[mean.length === 1 ? 0 : k], s = std[std.length === 1 ? 0 : k];
    return Float32Array.from({ length: 256 }, (_, v) => (v / maxValue - m) / s);
  });
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = lut[i % channels][images[i]];
  return out;
}

/**
 * Gather `indices` of a set into normalised float tensors (optionally augmented). The caller
 * owns (and must dispose) x and y. `labels` overrides the set's labels (e.g. noisy labels).
 */
export function toTensors(set: ImageSet, indices?: ArrayLike<number>, opts: { normalization?: Normalization; augment?: AugmentOptions; rng?: Rng; labels?: ArrayLike<number> } = {}): TensorBatch {
  const [n, h, w, c] = set.shape;
  const idx = indices ? Int32Array.from(indices) : range(n);
  const per = h * w * c;
  let pix = new Uint8Array(idx.length * per);
  const lab = new Int32Array(idx.length);
  const labels = opts.labels ?? set.labels;
  if (labels.length !== n) throw new Error(`toTensors: ${labels.length} labels for ${n} images`);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (!(k >= 0 && k < n)) throw new Error(`toTensors: index ${k} is outside [0, ${n}) of ${set.source ?? 'the set'}`);
    pix.set(set.images.subarray(k * per, (k + 1) * per), i * per);
    lab[i] = labels[k];
  }
  let shape: [number, number, number, number] = [idx.length, h, w, c];
  if (opts.augment) {
    if (!opts.rng) throw new Error('toTensors: augmentation needs an rng');
    const a = augmentBatch({ images: pix, shape }, opts.augment, opts.rng);
    pix = a.images; shape = a.shape;
  }
  const x = tf.tensor4d(normalizePixels(pix, c, set.maxValue, opts.normalization), shape, 'float32');
  const y = tf.tensor1d(lab, 'int32');
  return { x, y, indices: idx };
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle the order each time the iterator is created (needs seed or rng). Default true. */
  shuffle?: boolean;
  /** Seed for order and augmentation; use a different one per epoch (e.g. seed*1000+epoch), or pass rng. */
  seed?: number;
  rng?: Rng;
  /** Drop the last incomplete batch. Default false. */
  dropLast?: boolean;
  /** Only iterate over these dataset indices (a split). */
  indices?: ArrayLike<number>;
  /** Override labels (noisy labels); indexed by dataset index. */
  labels?: ArrayLike<number>;
  normalization?: Normalization;
  augment?: AugmentOptions;
}

export function numBatches(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** Iterate over one epoch in batches. Each yielded batch holds new tensors: dispose them. */
export function* batches(set: ImageSet, opts: BatchOptions): Generator<TensorBatch> {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
  const shuffle = opts.shuffle ?? true;
  const needsRng = shuffle || !!opts.augment;
  if (needsRng && !opts.rng && opts.seed === undefined) throw new Error('batches: shuffling/augmentation needs a seed or an rng (pass shuffle: false to iterate in order)');
  const rng = opts.rng ?? makeRng(opts.seed ?? 0);
  const order = opts.indices ? Int32Array.from(opts.indices) : range(set.shape[0]);
  if (shuffle) rng.shuffle(order);
  const nb = numBatches(order.length, batchSize, opts.dropLast);
  for (let b = 0; b < nb; b++) {
    const idx = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
    yield toTensors(set, idx, { normalization: opts.normalization, augment: opts.augment, rng, labels: opts.labels });
  }
}

/** Run `fn` on every batch of one epoch, disposing each batch's tensors after `fn` settles. */
export async function forEachBatch(set: ImageSet, opts: BatchOptions, fn: (b: TensorBatch, i: number) => void | Promise<void>): Promise<void> {
  let i = 0;
  for (const b of batches(set, opts)) {
    try {
      await fn(b, i++);
    } finally {
      b.x.dispose();
      b.y.dispose();
    }
  }
}
