// The one in-memory form every reader and dataset returns: raw uint8 pixels in NHWC order plus
// int32 labels. Tensors are made later, per batch (see batches.ts), so a 60k-image set costs
// 47 MB of JS memory and nothing on the backend until it is used.

export type Shape4 = [n: number, h: number, w: number, c: number];

export interface ImageSet {
  /** Pixels, NHWC, row-major, one byte each. */
  images: Uint8Array;
  /** [N, H, W, C]. */
  shape: Shape4;
  /** One class index per image, 0-based. */
  labels: Int32Array;
  /** Name of each class index (length = number of classes). */
  classNames: string[];
  /** The largest value a pixel can take: 255 for photos, 16 for the raw sklearn 8x8 digits. */
  maxValue: number;
  /** Where the data came from (file or dataset id); used in error messages. */
  source?: string;
}

/** Per-channel statistics of pixel/maxValue, i.e. of images scaled to [0, 1]. */
export interface Normalization {
  mean: number[];
  std: number[];
}

export function numClasses(set: ImageSet): number {
  return set.classNames.length;
}

/** Check an ImageSet's arrays agree with its shape; throws naming the mismatch. */
export function assertImageSet(set: ImageSet, what = set.source ?? 'ImageSet'): void {
  const [n, h, w, c] = set.shape;
  if (set.shape.length !== 4 || ![n, h, w, c].every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${what}: shape must be [N, H, W, C] of non-negative integers, got [${set.shape}]`);
  }
  if (set.images.length !== n * h * w * c) {
    throw new Error(`${what}: images has ${set.images.length} bytes but shape [${set.shape}] needs ${n * h * w * c}`);
  }
  if (set.labels.length !== n) {
    throw new Error(`${what}: ${set.labels.length} labels for ${n} images`);
  }
}

export function classNamesFromCount(k: number): string[] {
  return Array.from({ length: k }, (_, i) => String(i));
}
