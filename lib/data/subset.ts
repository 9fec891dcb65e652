// Index-based views of an ImageSet: everything downstream (splits, samplers, batches) works on
// Int32Array index lists; `subset` materialises a copy when one is really needed.
import { ImageSet, assertImageSet } from './types';

function checkIndices(fn: string, n: number, indices: ArrayLike<number>): void {
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`${fn}: index ${k} at position ${i} is outside [0, ${n})`);
  }
}

/** A copy of the images/labels at `indices`, in that order. */
export function subset(set: ImageSet, indices: ArrayLike<number>, labels?: Int32Array): ImageSet {
  const [n, h, w, c] = set.shape;
  checkIndices('subset', n, indices);
  const sz = h * w * c;
  const images = new Uint8Array(indices.length * sz);
  const outLabels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    images.set(set.images.subarray(k * sz, (k + 1) * sz), i * sz);
    outLabels[i] = (labels ?? set.labels)[k];
  }
  return { ...set, images, shape: [indices.length, h, w, c], labels: outLabels };
}

/** Concatenate sets with the same image size and class list. */
export function concatSets(sets: ImageSet[]): ImageSet {
  if (sets.length === 0) throw new Error('concatSets: no sets given');
  const [, h, w, c] = sets[0].shape;
  for (const s of sets) {
    assertImageSet(s);
    if (s.shape[1] !== h || s.shape[2] !== w || s.shape[3] !== c) throw new Error(`concatSets: image size [${s.shape.slice(1)}] differs from [${h},${w},${c}]`);
    if (s.maxValue !== sets[0].maxValue) throw new Error(`concatSets: maxValue ${s.maxValue} differs from ${sets[0].maxValue}`);
  }
  const n = sets.reduce((a, s) => a + s.shape[0], 0);
  const images = new Uint8Array(n * h * w * c);
  const labels = new Int32Array(n);
  let k = 0;
  for (const s of sets) {
    images.set(s.images, k * h * w * c);
    labels.set(s.labels, k);
    k += s.shape[0];
  }
  return { ...sets[0], images, labels, shape: [n, h, w, c], source: sets.map((s) => s.source).join('+') };
}

/** Number of images per class (length = numClasses, or max label + 1). */
export function classCounts(labels: ArrayLike<number>, numClasses?: number): Int32Array {
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i] + 1);
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0 || l >= k) throw new Error(`classCounts: label ${l} at ${i} is outside [0, ${k})`);
    counts[l]++;
  }
  return counts;
}

/** For each class, the indices (in increasing order) of its images. */
export function indicesByClass(labels: ArrayLike<number>, numClasses?: number): Int32Array[] {
  const counts = classCounts(labels, numClasses);
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < labels.length; i++) out[labels[i]][fill[labels[i]]++] = i;
  return out;
}

/** Index list 0..n-1. */
export function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
