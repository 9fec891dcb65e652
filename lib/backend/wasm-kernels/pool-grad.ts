// MaxPoolGrad and AvgPoolGrad for wasm. wasm's own MaxPoolGrad (and MaxPoolWithArgmax) start the
// running max at 0: windows of negative values get no gradient (found by test/kernels.test.ts).
// Max: one pass in JavaScript over the wasm heap (first maximum of each window takes dy, as in
// TensorFlow and tfjs's cpu kernel): ~6x faster than the mask formulation with tf ops
// (../pool-grads.ts), which memory traffic of its full-resolution masks dominated.
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
  const best = new Float32Array(c), at = new Int32Array(c);
  dx.fill(0);
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
