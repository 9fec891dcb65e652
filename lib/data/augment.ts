// Seeded augmentation on uint8 NHWC batches, done in JS before tensors are made (cheap at
// 28-32 px, and it keeps the augmentation identical on every backend):
//  - pad + random crop (torchvision RandomCrop(size, padding): zero-padded pixels, i.e. black
//    before normalisation, which is what the CIFAR recipes do);
//  - horizontal flip with probability p (off for digits and orientation-coded shapes).
// Both also take float batches (e.g. images already scaled to [0,1]): same geometry, zero = 0.0.
import { Rng } from '../util/random';

export interface AugmentOptions {
  /** Zero padding on every side before the random crop (0 = no crop). */
  pad?: number;
  /** Output size [h, w] of the crop (default: the input size). */
  crop?: [number, number];
  /** Probability of a horizontal flip (default 0). */
  flip?: number;
}

export interface UintBatch<A extends Uint8Array | Float32Array = Uint8Array> {
  images: A;
  shape: [number, number, number, number];
}

/** A zero-filled array of the same kind as `a`. */
function like<A extends Uint8Array | Float32Array>(a: A, n: number): A {
  return (a instanceof Float32Array ? new Float32Array(n) : new Uint8Array(n)) as A;
}

/** Random crop of size `crop` from each image zero-padded by `pad`. */
export function randomCrop<A extends Uint8Array | Float32Array>(b: UintBatch<A>, pad: number, rng: Rng, crop?: [number, number]): UintBatch<A> {
  const [n, h, w, c] = b.shape;
  const [ch, cw] = crop ?? [h, w];
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`randomCrop: pad must be a non-negative integer, got ${pad}`);
  if (ch > h + 2 * pad || cw > w + 2 * pad) throw new Error(`randomCrop: crop ${ch}x${cw} is larger than the padded ${h + 2 * pad}x${w + 2 * pad} image`);
  const out = like(b.images, n * ch * cw * c);
  for (let i = 0; i < n; i++) {
    // Offset of the crop's top-left corner in padded coordinates, uniform over all valid positions.
    const oy = rng.int(h + 2 * pad - ch + 1) - pad;
    const ox = rng.int(w + 2 * pad - cw + 1) - pad;
    for (let y = 0; y < ch; y++) {
      const sy = y + oy;
      if (sy < 0 || sy >= h) continue;
      const x0 = Math.max(0, -ox), x1 = Math.min(cw, w - ox);
      if (x1 <= x0) continue;
      const src = ((i * h + sy) * w + x0 + ox) * c;
      out.set(b.images.subarray(src, src + (x1 - x0) * c), ((i * ch + y) * cw + x0) * c);
    }
  }
  return { images: out, shape: [n, ch, cw, c] };
}

/** Flip each image left-right with probability p (in place on a copy). */
export function randomFlip<A extends Uint8Array | Float32Array>(b: UintBatch<A>, p: number, rng: Rng): UintBatch<A> {
  const [n, h, w, c] = b.shape;
  const out = b.images.slice() as A;
  for (let i = 0; i < n; i++) {
    if (!(rng.next() < p)) continue;
    for (let y = 0; y < h; y++) {
      const row = (i * h + y) * w;
      for (let x = 0; x < w; x++) {
        const s = (row + x) * c, d = (row + w - 1 - x) * c;
        for (let k = 0; k < c; k++) out[d + k] = b.images[s + k];
      }
    }
  }
  return { images: out, shape: b.shape };
}

/** Crop (if pad or crop is set), then flip (if flip > 0). */
export function augmentBatch<A extends Uint8Array | Float32Array>(b: UintBatch<A>, opts: AugmentOptions, rng: Rng): UintBatch<A> {
  let r = b;
  if ((opts.pad ?? 0) > 0 || opts.crop) r = randomCrop(r, opts.pad ?? 0, rng, opts.crop);
  if ((opts.flip ?? 0) > 0) r = randomFlip(r, opts.flip!, rng);
  return r;
}
