// Pooling gradients with plain tf ops, no scalar loops. wasm's own MaxPoolGrad (and
// MaxPoolWithArgmax) start the running max at 0, so windows of negative values lose their
// gradient. Max, kernel == stride: masks at full resolution (maxPoolBackpropTiled); otherwise the
// window taps (taps.ts), a first-maximum mask and the transposed one-hot depthwise conv to
// scatter back. Avg: the transposed depthwise conv with a 1/(KH*KW) filter.
import * as tf from '@tensorflow/tfjs';
import { ConvGeometry } from './conv-geometry';
import { depthwiseInputGrad } from './conv-grads';
import { oneHotTapFilter, windowTaps } from './taps';

export interface PoolGeometry {
  filterHeight: number; filterWidth: number; strideHeight: number; strideWidth: number;
  top: number; left: number; bottom: number; right: number; inHeight: number; inWidth: number; outHeight: number; outWidth: number;
}

export function poolGeometry(xShape: number[], filterSize: number | [number, number], strides: number | [number, number],
  pad: 'same' | 'valid' | number, dimRoundingMode?: 'floor' | 'round' | 'ceil'): PoolGeometry {
  const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  return {
    filterHeight: info.filterHeight, filterWidth: info.filterWidth, strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    top: info.padInfo.top, left: info.padInfo.left, bottom: info.padInfo.bottom, right: info.padInfo.right, inHeight: info.inHeight, inWidth: info.inWidth,
    outHeight: info.outHeight, outWidth: info.outWidth,
  };
}

/** The pool as a depthwise-conv geometry (for the transposed conv that scatters gradients back). */
function asConv(g: PoolGeometry, n: number, c: number): ConvGeometry {
  return {
    batch: n, inHeight: g.inHeight, inWidth: g.inWidth, inChannels: c, outHeight: g.outHeight, outWidth: g.outWidth,
    filterHeight: g.filterHeight, filterWidth: g.filterWidth, strideHeight: g.strideHeight, strideWidth: g.strideWidth,
    dilationHeight: 1, dilationWidth: 1, top: g.top, left: g.left, bottom: g.bottom, right: g.right,
  };
}

/**
 * Non-overlapping windows (kernel == stride: the usual 2x2/2), at full resolution: nearest
 * upsampling (resizeNearestNeighbor by the integer factor) of y marks every tap equal to its
 * window max; ties go to the first tap in row-major order via a max-pool of the mask weighted by
 * a descending tap priority. ~4x cheaper on wasm than the general per-tap form below.
 */
function maxPoolBackpropTiled(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, g: PoolGeometry): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = g;
  const H = oh * kh, W = ow * kw;
  // x on the window grid: rows -top .. H-top (pad with -inf-like values, crop unused rows).
  const pb = Math.max(0, H - g.top - h), pr = Math.max(0, W - g.left - w);
  let xa = g.top || pb || g.left || pr ? x.pad([[0, 0], [g.top, pb], [g.left, pr], [0, 0]], -3.4e38) as tf.Tensor4D : x;
  if (xa.shape[1] > H || xa.shape[2] > W) xa = xa.slice([0, 0, 0, 0], [n, H, W, c]);
  const up = (t: tf.Tensor4D) => tf.image.resizeNearestNeighbor(t, [H, W]);
  const one = tf.scalar(1);
  // Priority per tap, laid out [1, H, W, C] (wasm broadcasts over a leading axis ~3x faster
  // than over the channel axis).
  const prioVals = new Float32Array(H * W * c);
  for (let r = 0; r < H; r++) {
    for (let q = 0; q < W; q++) prioVals.fill(kh * kw - ((r % kh) * kw + (q % kw)), (r * W + q) * c, (r * W + q + 1) * c);
  }
  const prio = tf.tensor4d(prioVals, [1, H, W, c]);
  const p = one.sub(tf.step(up(y).sub(xa))).mul(prio) as tf.Tensor4D; // priority where x == window max, else 0
  const first = one.sub(tf.step(up(tf.maxPool(p, [kh, kw], [kh, kw], 'valid')).sub(p)));
  const dxa = first.mul(up(dy)) as tf.Tensor4D;
  // Back to x's frame: drop the pads, zero-fill rows no window covered.
  const hh = Math.min(h, H - g.top), ww = Math.min(w, W - g.left);
  const body = g.top || g.left || hh !== H || ww !== W ? dxa.slice([0, g.top, g.left, 0], [n, hh, ww, c]) : dxa;
  return hh < h || ww < w ? body.pad([[0, 0], [0, h - hh], [0, w - ww], [0, 0]]) : body;
}

/**
 * d/dx of maxPool given dy, the input x and the pooled output y: the taps of every window
 * (one-hot depthwise conv of the -inf-padded input), a mask of the first tap equal to the max
 * (TensorFlow's tie rule, via a cumsum over taps), and the transposed one-hot conv to put
 * mask*dy back where it came from (sums where overlapping windows share a maximum).
 */
export function maxPoolBackprop(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, g: PoolGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    if (g.filterHeight === g.strideHeight && g.filterWidth === g.strideWidth) return maxPoolBackpropTiled(dy, x, y, g);
    const [n, , , c] = x.shape;
    const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = g;
    const t = kh * kw;
    const xp = g.top || g.bottom || g.left || g.right ? x.pad([[0, 0], [g.top, g.bottom], [g.left, g.right], [0, 0]], -3.4e38) as tf.Tensor4D : x;
    const taps = windowTaps(xp, kh, kw, [g.strideHeight, g.strideWidth], 'valid').reshape([n, oh, ow, c, t]);
    // Exact masks with arithmetic (wasm's broadcasting Equal/Cast are scalar loops, ~100x slower):
    // gap = max - tap >= 0, mask = 1 - step(gap); first max = mask * (1 - step(cumsum(mask) - 1)).
    const one = tf.scalar(1);
    let first = one.sub(tf.step(y.reshape([n, oh, ow, c, 1]).sub(taps)));
    if (t > 1) first = first.mul(one.sub(tf.step(tf.cumsum(first, 4).sub(one))));
    const gt = first.mul(dy.reshape([n, oh, ow, c, 1])).reshape([n, oh, ow, c * t]) as tf.Tensor4D;
    return depthwiseInputGrad(gt, oneHotTapFilter(kh, kw, c), asConv(g, n, c));
  });
}

/**
 * d/dx of avgPool (tfjs's AvgPoolGrad divides by the full window size, padding included): the
 * transposed depthwise conv of dy with a constant 1/(KH*KW) filter.
 */
export function avgPoolBackprop(dy: tf.Tensor4D, g: PoolGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const c = dy.shape[3];
    const w = tf.fill([g.filterHeight, g.filterWidth, c, 1], 1 / (g.filterHeight * g.filterWidth)) as tf.Tensor4D;
    return depthwiseInputGrad(dy, w, asConv(g, dy.shape[0], c));
  });
}
