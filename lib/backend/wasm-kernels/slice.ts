// Slice for wasm as one strided copy inside the heap. wasm's own Slice first copies the whole
// input out of the heap (readSync), then copies row by row (rank <= 4) or element by element
// through a TensorBuffer (rank > 4): the gradient of every explicit pad (a Slice) and the
// reshape-and-slice subsampling of ResNet shortcuts took ~25% of a ResNet-20 training step.
import * as tf from '@tensorflow/tfjs';

type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
};

/** Copy the block `begin`/`size` of a row-major array of `shape` from `src` into `dst`. */
export function sliceCopy(src: tf.TypedArray, dst: tf.TypedArray, shape: number[], begin: number[], size: number[]): void {
  const rank = shape.length;
  if (rank === 0) { dst[0] = src[0]; return; }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * shape[a + 1];
  // One contiguous run: the innermost axes that are taken whole, plus the first partial one.
  let k = rank - 1;
  while (k > 0 && size[k] === shape[k]) k--;
  const run = size[k] * strides[k];
  const base = begin.reduce((o, b, a) => o + b * strides[a], 0);
  const outer = size.slice(0, k).reduce((p, s) => p * s, 1);
  const idx = new Array<number>(k).fill(0);
  let off = base;
  for (let r = 0, d = 0; r < outer; r++, d += run) {
    if (run >= 32) dst.set(src.subarray(off, off + run), d);
    else for (let i = 0; i < run; i++) dst[d + i] = src[off + i];
    // Odometer over the outer axes.
    for (let a = k - 1; a >= 0; a--) {
      off += strides[a];
      if (++idx[a] < size[a]) break;
      off -= size[a] * strides[a];
      idx[a] = 0;
    }
  }
}

export function sliceConfig(): tf.KernelConfig {
  const original = tf.getKernel('Slice', 'wasm');
  if (!original) throw new Error('wasm kernel Slice missing');
  return {
    kernelName: 'Slice',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
      const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
      const be = args.backend as HeapBackend;
      const out = be.makeOutput(s, x.dtype);
      if (tf.util.sizeFromShape(s) > 0) sliceCopy(be.typedArrayFromHeap(x), be.typedArrayFromHeap(out), x.shape, b, s);
      return out;
    },
  };
}
