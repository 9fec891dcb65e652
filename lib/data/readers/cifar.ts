// CIFAR-10 / CIFAR-100 "binary version" files (https://www.cs.toronto.edu/~kriz/cifar.html).
// CIFAR-10 record: 1 label byte + 3072 pixel bytes; CIFAR-100 record: coarse byte + fine byte +
// 3072 pixel bytes. Pixels are three 32x32 row-major planes R, G, B; we transpose to HWC.
import * as fs from 'fs';
import { readFileChecked } from './bytes';

const PIXELS = 3072;

export interface CifarBatch {
  images: Uint8Array; // [n, 32, 32, 3]
  n: number;
  shape: [number, number, number, number];
  /** CIFAR-10: the label; CIFAR-100: the fine label. */
  labels: Int32Array;
  /** CIFAR-100 only. */
  coarseLabels?: Int32Array;
}

function parseCifar(buf: Buffer, path: string, labelBytes: 1 | 2, numClasses: [number, number]): CifarBatch {
  const what = labelBytes === 1 ? 'readCifar10' : 'readCifar100';
  const rec = labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % rec !== 0) {
    const hint = buf.length % (3 - labelBytes + PIXELS) === 0 && buf.length > 0
      ? ` (it divides by ${3 - labelBytes + PIXELS}: is this a ${labelBytes === 1 ? 'CIFAR-100' : 'CIFAR-10'} file?)` : '';
    throw new Error(`${what}: ${path} is ${buf.length} bytes, not a whole number of ${rec}-byte records${hint}; the file is truncated or not CIFAR binary`);
  }
  const n = buf.length / rec;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  const coarse = labelBytes === 2 ? new Int32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    if (coarse) {
      coarse[i] = buf[o];
      if (buf[o] >= numClasses[0]) throw new Error(`${what}: ${path} record ${i} has coarse label ${buf[o]} (must be < ${numClasses[0]}); corrupt file or wrong format`);
    }
    const lab = buf[o + labelBytes - 1];
    if (lab >= numClasses[1]) throw new Error(`${what}: ${path} record ${i} has label ${lab} (must be < ${numClasses[1]}); corrupt file or wrong format`);
    labels[i] = lab;
    const p = o + labelBytes;
    const out = i * PIXELS;
    for (let ch = 0; ch < 3; ch++) {
      const plane = p + ch * 1024;
      for (let k = 0; k < 1024; k++) images[out + k * 3 + ch] = buf[plane + k];
    }
  }
  return { images, n, shape: [n, 32, 32, 3], labels, coarseLabels: coarse };
}

/** Read one CIFAR-10 binary batch (`data_batch_1.bin` ... `test_batch.bin`). */
export function readCifar10(path: string): CifarBatch {
  return parseCifar(readFileChecked(path, 'readCifar10'), path, 1, [10, 10]);
}

/** Read a CIFAR-100 binary file (`train.bin`, `test.bin`); labels are the fine labels. */
export function readCifar100(path: string): CifarBatch {
  return parseCifar(readFileChecked(path, 'readCifar100'), path, 2, [20, 100]);
}

/** Read a label-name file (`batches.meta.txt`, `fine_label_names.txt`): one name per non-empty line. */
export function readLabelNames(path: string): string[] {
  return readFileChecked(path, 'readLabelNames').toString('utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Encode NHWC uint8 images + labels as CIFAR binary records (for tests and exports). */
export function encodeCifar(images: Uint8Array, labels: ArrayLike<number>, coarseLabels?: ArrayLike<number>): Buffer {
  const n = labels.length;
  if (images.length !== n * PIXELS) throw new Error(`encodeCifar: ${images.length} pixel bytes for ${n} labels (need ${n * PIXELS})`);
  const lb = coarseLabels ? 2 : 1;
  const rec = lb + PIXELS;
  const out = Buffer.alloc(n * rec);
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    if (coarseLabels) out[o] = coarseLabels[i];
    out[o + lb - 1] = labels[i];
    for (let ch = 0; ch < 3; ch++) for (let k = 0; k < 1024; k++) out[o + lb + ch * 1024 + k] = images[i * PIXELS + k * 3 + ch];
  }
  return out;
}

export function writeCifar(path: string, images: Uint8Array, labels: ArrayLike<number>, coarseLabels?: ArrayLike<number>): void {
  fs.writeFileSync(path, encodeCifar(images, labels, coarseLabels));
}

/** Concatenate batches (e.g. data_batch_1..5) into one. */
export function concatCifar(batches: CifarBatch[]): CifarBatch {
  const n = batches.reduce((a, b) => a + b.n, 0);
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  const hasCoarse = batches.every((b) => b.coarseLabels);
  const coarse = hasCoarse ? new Int32Array(n) : undefined;
  let k = 0;
  for (const b of batches) {
    images.set(b.images, k * PIXELS);
    labels.set(b.labels, k);
    if (coarse && b.coarseLabels) coarse.set(b.coarseLabels, k);
    k += b.n;
  }
  return { images, n, shape: [n, 32, 32, 3], labels, coarseLabels: coarse };
}
