// Bilinear resize as two small interpolation matrices (rows, then columns): exact, with the
// same source-coordinate rules as tfjs's kernels (alignCorners, halfPixelCenters, clamping).
// Nearest neighbour is the same with 0/1 matrices. The gradient is the same product with the
// transposed matrices; used as wasm's ResizeBilinearGrad/ResizeNearestNeighborGrad (tfjs 4.22:
// wasm's ignore halfPixelCenters; cpu's bilinear one breaks on non-square inputs and cpu's nearest
// one disagrees with its forward op under alignCorners).
import * as tf from '@tensorflow/tfjs';

/** [outSize, inSize] matrix M with out = M @ in along one axis. */
export function bilinearMatrix(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const ratio = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
    const lo = Math.max(0, Math.floor(src));
    const hi = Math.min(inSize - 1, Math.ceil(src));
    const frac = src - lo;
    m[i * inSize + lo] += 1 - frac;
    m[i * inSize + hi] += frac;
  }
  return m;
}

/** [outSize, inSize] 0/1 matrix of tfjs's nearest-neighbour source pixel per output pixel. */
export function nearestMatrix(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const ratio = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    let k = Math.min(inSize - 1, alignCorners ? Math.round(src) : Math.floor(src));
    if (halfPixelCenters) k = Math.max(0, k);
    m[i * inSize + k] = 1;
  }
  return m;
}

/** y[n,i,j,c] = sum_pq A[i,p] B[j,q] x[n,p,q,c] with A [oh, h], B [ow, w]. */
export function separableResize(x: tf.Tensor4D, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const oh = a.shape[0], ow = b.shape[0];
    const rows = a.matMul(x.transpose([1, 0, 2, 3]).reshape([h, n * w * c])).reshape([oh, n, w, c]);
    const cols = b.matMul(rows.transpose([2, 1, 0, 3]).reshape([w, n * oh * c])).reshape([ow, n, oh, c]);
    return cols.transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

type Kind = 'bilinear' | 'nearest';
const matrixOf = (k: Kind) => (k === 'bilinear' ? bilinearMatrix : nearestMatrix);

/** tf.image.resizeBilinear / resizeNearestNeighbor computed with matrices (differentiable through matMul). */
export function resizeMatmul(kind: Kind, x: tf.Tensor4D, size: [number, number], alignCorners = false, halfPixelCenters = false): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const a = tf.tensor2d(matrixOf(kind)(h, size[0], alignCorners, halfPixelCenters), [size[0], h]);
    const b = tf.tensor2d(matrixOf(kind)(w, size[1], alignCorners, halfPixelCenters), [size[1], w]);
    return separableResize(x, a, b);
  });
}

/** The gradient of a resize wrt its input, for dy [N, oh, ow, C] and input [N, h, w, C]. */
export function resizeBackprop(kind: Kind, dy: tf.Tensor4D, inputShape: number[], alignCorners: boolean, halfPixelCenters: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const [, oh, ow] = dy.shape;
    const [, h, w] = inputShape;
    const a = tf.tensor2d(matrixOf(kind)(h, oh, alignCorners, halfPixelCenters), [oh, h]).transpose() as tf.Tensor2D;
    const b = tf.tensor2d(matrixOf(kind)(w, ow, alignCorners, halfPixelCenters), [ow, w]).transpose() as tf.Tensor2D;
    return separableResize(dy, a, b);
  });
}
