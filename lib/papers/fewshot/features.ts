// Activation matrices kept on the JS side: a row-major [N, n] Float32Array plus integer labels.
// phi training and every evaluation run on pre-computed activations ("for efficiency, we compute the
// activation a(x) for each image x before the experiments", thesis 2.2.4.1), so this is the currency
// of the whole paper folder.
import * as tf from '@tensorflow/tfjs';

export interface Features {
  /** Row-major [count, dim] activations. */
  x: Float32Array;
  /** Dataset labels, one per row. */
  labels: Int32Array;
  dim: number;
}

export function featureCount(f: Features): number {
  return f.labels.length;
}

/** Check the sizes agree; every entry point calls it so bad input fails with a named problem. */
export function checkFeatures(f: Features, what = 'features'): Features {
  if (!Number.isInteger(f.dim) || f.dim <= 0) throw new Error(`${what}: dim must be a positive integer, got ${f.dim}`);
  if (f.x.length !== f.labels.length * f.dim) {
    throw new Error(`${what}: x has ${f.x.length} values but ${f.labels.length} labels x dim ${f.dim} = ${f.labels.length * f.dim}`);
  }
  return f;
}

/** Rows `idx` of f as a new Features. */
export function selectRows(f: Features, idx: ArrayLike<number>): Features {
  const x = new Float32Array(idx.length * f.dim);
  const labels = new Int32Array(idx.length);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    if (i < 0 || i >= f.labels.length) throw new Error(`selectRows: row ${i} out of range [0, ${f.labels.length})`);
    x.set(f.x.subarray(i * f.dim, (i + 1) * f.dim), r * f.dim);
    labels[r] = f.labels[i];
  }
  return { x, labels, dim: f.dim };
}

/** Rows whose label is in `classes`. */
export function selectClasses(f: Features, classes: number[]): Features {
  const keep = new Set(classes);
  const idx: number[] = [];
  for (let i = 0; i < f.labels.length; i++) if (keep.has(f.labels[i])) idx.push(i);
  return selectRows(f, idx);
}

/** Concatenate feature sets of the same dim. */
export function concatFeatures(parts: Features[]): Features {
  if (parts.length === 0) throw new Error('concatFeatures: nothing to concatenate');
  const dim = parts[0].dim;
  for (const p of parts) if (p.dim !== dim) throw new Error(`concatFeatures: dim mismatch ${p.dim} vs ${dim}`);
  const total = parts.reduce((a, p) => a + p.labels.length, 0);
  const x = new Float32Array(total * dim);
  const labels = new Int32Array(total);
  let o = 0;
  for (const p of parts) {
    x.set(p.x, o * dim);
    labels.set(p.labels, o);
    o += p.labels.length;
  }
  return { x, labels, dim };
}

/** [count, dim] tensor of the features (caller disposes). */
export function featuresTensor(f: Features): tf.Tensor2D {
  return tf.tensor2d(f.x, [f.labels.length, f.dim], 'float32');
}

/** Row-major matrix helper: rows of a [rows, dim] Float32Array as a tensor. */
export function matrixTensor(rows: Float32Array, dim: number): tf.Tensor2D {
  if (rows.length % dim !== 0) throw new Error(`matrixTensor: ${rows.length} values is not a multiple of dim ${dim}`);
  return tf.tensor2d(rows, [rows.length / dim, dim], 'float32');
}
