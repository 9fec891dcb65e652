// MaxPoolGrad and AvgPoolGrad for wasm. wasm's own MaxPoolGrad (and MaxPoolWithArgmax) start the
// running max at 0: windows of negative values get no gradient (found by test/kernels.test.ts).
// Max: one pass in JavaScript over the wasm heap (first maximum of each window takes dy, as in
// TensorFlow and tfjs's cpu kernel): ~6x faster than the mask formulation with tf ops
// (an earlier version), which memory traffic of its full-resolution masks dominated.
// Avg: a transposed depthwise conv (../pool-grads.ts).
import * as tf from '@tensorflow/tfjs';
import { avgPoolBackprop, poolGeometry, type PoolGeometry } from '../pool-grads';
import { Backend, viaOps } from './via-ops';

interface PoolAttrs { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' }
type HeapBackend = Backend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
};

/** dx (zeroed, x's shape) += dy routed to the first maximum of each window of x. */
export function maxPoolGradLoop(x: Float32Array, dy: Float32Array, dx: Float32Array, shape: number[], g: PoolGeometry): void {
  const [n, h, w, c] = shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = g;
  dx.fill(0);
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && g.top === 0 && g.left === 0 && 2 * oh <= h && 2 * ow <= w) {
    maxPool2x2GradLoop(x, dy, dx, n, h, w, c, oh, ow);
    return;
  }
  const best = new Float32Array(c), at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = Math.max(0, i * sh - g.top), r1 = Math.min(h, i * sh - g.top + kh);
      for (let j = 0; j < ow; j++) {
        const q0 = Math.max(0, j * sw - g.left), q1 = Math.min(w, j * sw - g.left + kw);
        if (r0 >= r1 || q0 >= q1) continue; // a window wholly in the padding takes no gradient
        const first = ((b * h + r0) * w + q0) * c;
        for (let k = 0; k < c; k++) { best[k] = x[first + k]; at[k] = first + k; }
        for (let r = r0; r < r1; r++) {
          for (let q = r === r0 ? q0 + 1 : q0; q < q1; q++) {
            const base = ((b * h + r) * w + q) * c;
            for (let k = 0; k < c; k++) {
              const v = x[base + k];
              if (v > best[k]) { best[k] = v; at[k] = base + k; }
            }
          }
        }
        const o = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) dx[at[k]] += dy[o + k];
      }
    }
  }
}

/** The common 2x2 / stride 2 / no padding case, unrolled (non-overlapping windows: assign). */
function maxPool2x2GradLoop(x: Float32Array, dy: Float32Array, dx: Float32Array, n: number, h: number, w: number, c: number, oh: number, ow: number): void {
  const rowStride = w * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      let p = (b * h + 2 * i) * rowStride;
      for (let j = 0; j < ow; j++, p += 2 * c) {
        for (let k = 0; k < c; k++, o++) {
          // First maximum in row-major window order (TensorFlow's tie rule).
          const p00 = p + k, p01 = p00 + c, p10 = p00 + rowStride, p11 = p10 + c;
          let at = p00, v = x[p00];
          if (x[p01] > v) { v = x[p01]; at = p01; }
          if (x[p10] > v) { v = x[p10]; at = p10; }
          if (x[p11] > v) at = p11;
          dx[at] = dy[o];
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as PoolAttrs;
    const g = poolGeometry(input.shape, a.filterSize, a.strides, a.pad, a.dimRoundingMode);
    const b = backend as HeapBackend;
    const out = b.makeOutput(input.shape.slice(), 'float32');
    // Views after the allocation: growing the heap detaches earlier views.
    maxPoolGradLoop(b.typedArrayFromHeap(input), b.typedArrayFromHeap(dy), b.typedArrayFromHeap(out), input.shape, g);
    return out;
  },
};

export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as PoolAttrs;
    const g = poolGeometry(input.shape, a.filterSize, a.strides, a.pad, a.dimRoundingMode);
    return viaOps(backend as Backend, [dy], (d) => avgPoolBackprop(d as tf.Tensor4D, g));
  },
};
