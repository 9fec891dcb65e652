// Gradients of 2-D convolution (regular and depthwise) written with plain tf ops, so that they
// run on every backend and support strides, dilations and any padding at once.
//  - input gradient: insert (stride-1) zeros between the rows/cols of dy, pad, then a stride-1
//    convolution (dilated like the forward one) with the 180-degree-rotated filter;
//  - filter gradient: im2col (one depthwise conv with a one-hot filter, taps.ts), one GEMM.
// The wasm training kernels call these; so does the differentiable dilated conv2d (conv.ts).
import * as tf from '@tensorflow/tfjs';
import { ConvGeometry, ExplicitPads } from './conv-geometry';
import { windowTaps } from './taps';

/**
 * dy upsampled by the strides (zeros between entries) and cropped where the forward pass never
 * reached, with the explicit pads that make a stride-1 'valid'-shaped conv return [N, IH, IW, *].
 */
function upsampleForInputGrad(dy: tf.Tensor4D, g: ConvGeometry): { t: tf.Tensor4D; pads: ExplicitPads } {
  const [n, oh, ow, c] = dy.shape;
  const sh = g.strideHeight, sw = g.strideWidth;
  let t = dy;
  if (sh > 1 || sw > 1) {
    t = dy.reshape([n, oh, 1, ow, 1, c])
      .pad([[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]])
      .reshape([n, oh * sh, ow * sw, c]);
  }
  const ekh = (g.filterHeight - 1) * g.dilationHeight, ekw = (g.filterWidth - 1) * g.dilationWidth;
  const pt = ekh - g.top, pb = g.inHeight + g.top - oh * sh;
  const pl = ekw - g.left, pr = g.inWidth + g.left - ow * sw;
  if (pt < 0 || pb < 0 || pl < 0 || pr < 0) {
    // Rows/cols of dy that no input position reaches (or pads wider than the kernel): crop.
    const h = oh * sh + Math.min(0, pt) + Math.min(0, pb), w = ow * sw + Math.min(0, pl) + Math.min(0, pr);
    t = t.slice([0, Math.max(0, -pt), Math.max(0, -pl), 0], [n, h, w, c]);
  }
  return { t, pads: [[0, 0], [Math.max(0, pt), Math.max(0, pb)], [Math.max(0, pl), Math.max(0, pr)], [0, 0]] };
}

/** d(loss)/dx of conv2d(x, w) given dy; w is [KH, KW, Cin, Cout]. */
export function conv2dInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const { t, pads } = upsampleForInputGrad(dy, g);
    const wFlip = w.reverse([0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(t, wFlip, 1, pads, 'NHWC', [g.dilationHeight, g.dilationWidth]);
  });
}

function explicitPads(g: ConvGeometry): ExplicitPads {
  return [[0, 0], [g.top, g.bottom], [g.left, g.right], [0, 0]];
}

/** im2col of x for geometry g: [N*OH*OW, C*KH*KW] ordered (c, i, j). */
function im2col(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor2D {
  const taps = windowTaps(x, g.filterHeight, g.filterWidth, [g.strideHeight, g.strideWidth], explicitPads(g),
    [g.dilationHeight, g.dilationWidth]);
  return taps.reshape([g.batch * g.outHeight * g.outWidth, x.shape[3] * g.filterHeight * g.filterWidth]);
}

/** d(loss)/dw of conv2d(x, w) given dy, as one GEMM over im2col patches. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, oh, ow, co] = dy.shape;
    const [kh, kw, ci] = filterShape;
    const cols = im2col(x, g); // [K, Cin*KH*KW]
    const dy2 = dy.reshape([n * oh * ow, co]);
    if (ci * kh * kw <= co) {
      // Few patch columns (first layers): transpose the patches, dW = cols^T @ dy.
      const w = tf.matMul(cols, dy2, true, false); // [Cin*KH*KW, Cout]
      return w.reshape([ci, kh, kw, co]).transpose([1, 2, 0, 3]) as tf.Tensor4D;
    }
    // Otherwise transpose dy: dW^T = dy^T [Cout, K] @ cols [K, Cin*KH*KW].
    const wt = tf.matMul(dy2, cols, true, false);
    return wt.reshape([co, ci, kh, kw]).transpose([2, 3, 1, 0]) as tf.Tensor4D;
  });
}

/** d(loss)/dx of depthwiseConv2d(x, w), w [KH, KW, C, M]. */
export function depthwiseInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = w.shape;
    const { t, pads } = upsampleForInputGrad(dy, g);
    // dy channel c*M+m pairs with w[.., c, m]: one depthwise conv over C*M channels, then sum over m.
    const wFlip = w.reverse([0, 1]).reshape([kh, kw, c * m, 1]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(t, wFlip, 1, pads, 'NHWC', [g.dilationHeight, g.dilationWidth]);
    return m === 1 ? y : y.reshape([y.shape[0], y.shape[1], y.shape[2], c, m]).sum(4) as tf.Tensor4D;
  });
}

/** d(loss)/dw of depthwiseConv2d(x, w) from the window taps of x. */
export function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filterShape;
    const [n, oh, ow] = dy.shape;
    const k = n * oh * ow, t = kh * kw;
    const cols = im2col(x, g); // [K, C*T]
    // Per channel: sum_K patches[K, c, t] * dy[K, c, m] (elementwise, then a leading-axis sum).
    const prod = m === 1 ? cols.reshape([k, c, t]).mul(dy.reshape([k, c, 1])) : cols.reshape([k, c, t, 1]).mul(dy.reshape([k, c, 1, m]));
    const s = prod.sum(0); // [C, T] or [C, T, M]
    return (m === 1 ? s.transpose([1, 0]) : s.transpose([1, 0, 2])).reshape(filterShape) as tf.Tensor4D;
  });
}

/**
 * d(loss)/dw for dilation 1 as one convolution with the roles swapped: channels become the batch,
 * the batch becomes the contraction axis, dy becomes the filter (dilated by the forward stride).
 * On wasm this is a single XNNPACK conv and two transposes, with no im2col copies.
 */
export function conv2dFilterGradSwapped(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: ConvGeometry): tf.Tensor4D {
  // Measured on wasm (CPU ms, bench CNN layers, fresh tensors): [64,14,14,32]->64: 33 swapped vs
  // 78 im2col (whose GEMM repacks the 3.6M-float patch matrix as weights); [64,28,28,1]->32: 6 vs 22.
  // Dilation > 1 would need stride and dilation > 1 at once in the swapped conv: use im2col.
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1) return conv2dFilterGrad(x, dy, filterShape, g);
  if (g.strideHeight === 1 && g.strideWidth === 1 && 4 * x.size <= dy.size) return conv2dFilterGradXAsFilter(x, dy, filterShape, g);
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const [kh, kw] = filterShape;
    const b = kh + (g.outHeight - 1) * g.strideHeight - g.top - h;
    const r = kw + (g.outWidth - 1) * g.strideWidth - g.left - w;
    let xt = x.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [Cin, H, W, N]
    if (b < 0 || r < 0) xt = xt.slice([0, 0, 0, 0], [xt.shape[0], h + Math.min(0, b), w + Math.min(0, r), xt.shape[3]]);
    const dyt = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, N, Cout]
    const out = tf.conv2d(xt, dyt, 1, [[0, 0], [g.top, Math.max(0, b)], [g.left, Math.max(0, r)], [0, 0]], 'NHWC',
      [g.strideHeight, g.strideWidth]); // [Cin, KH, KW, Cout]
    return out.transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * The swapped form with x, not dy, as the conv's filter, for stride 1 when x is much smaller
 * than dy (few input channels, e.g. a network's first conv). XNNPACK repacks a conv's filter on
 * every call whose filter tensor is new (~12 ns per float here), so packing the small x instead
 * of the big dy is what counts: dW[a] = sum_u xpad[u] dy[u - a] is a correlation of dy (padded
 * by KH-1, images as channels, output channels as the batch) with xpad, read back reversed.
 * Measured on wasm, [64,28,28,1] -> 32: 21 ms vs 29 ms CPU.
 */
function conv2dFilterGradXAsFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const [kh, kw] = filterShape;
    // xpad rows u = 0 .. OH+KH-2 hold x[u - top] (zeros outside x; rows past it are cropped).
    const b = kh + g.outHeight - 1 - g.top - h, r = kw + g.outWidth - 1 - g.left - w;
    let xs: tf.Tensor4D = x;
    if (b < 0 || r < 0) xs = xs.slice([0, 0, 0, 0], [xs.shape[0], h + Math.min(0, b), w + Math.min(0, r), xs.shape[3]]);
    const xpad = xs.pad([[0, 0], [g.top, Math.max(0, b)], [g.left, Math.max(0, r)], [0, 0]]);
    const f = xpad.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [Hp, Wp, N, Cin]
    const input = dy.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [Cout, OH, OW, N]
    const out = tf.conv2d(input, f, 1, [[0, 0], [kh - 1, kh - 1], [kw - 1, kw - 1], [0, 0]]); // [Cout, KH, KW, Cin]
    return out.reverse([1, 2]).transpose([1, 2, 3, 0]) as tf.Tensor4D;
  });
}

/**
 * d(loss)/dw of depthwiseConv2d as one depthwise conv with the roles swapped: every (channel,
 * multiplier, image) triple becomes a channel, x the input and dy the (dilated by the stride)
 * filter; a sum over images finishes it. Needs stride 1 or dilation 1 (the swapped conv has them
 * exchanged); otherwise the im2col form is used.
 */
export function depthwiseFilterGradSwapped(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: ConvGeometry): tf.Tensor4D {
  const strided = g.strideHeight > 1 || g.strideWidth > 1, dilated = g.dilationHeight > 1 || g.dilationWidth > 1;
  if (strided && dilated) return depthwiseFilterGrad(x, dy, filterShape, g);
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [kh, kw, , m] = filterShape;
    const { outHeight: oh, outWidth: ow } = g;
    const b = (kh - 1) * g.dilationHeight + (oh - 1) * g.strideHeight + 1 - g.top - h;
    const r = (kw - 1) * g.dilationWidth + (ow - 1) * g.strideWidth + 1 - g.left - w;
    let xt: tf.Tensor = x.transpose([1, 2, 3, 0]); // [H, W, C, N]
    if (b < 0 || r < 0) xt = xt.slice([0, 0, 0, 0], [h + Math.min(0, b), w + Math.min(0, r), c, n]);
    const [hh, ww] = xt.shape;
    if (m > 1) xt = xt.reshape([hh, ww, c, 1, n]).tile([1, 1, 1, m, 1]); // channels (c, m, n)
    const input = xt.reshape([1, hh, ww, c * m * n]) as tf.Tensor4D;
    const filt = dy.reshape([n, oh, ow, c, m]).transpose([1, 2, 3, 4, 0]).reshape([oh, ow, c * m * n, 1]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(input, filt, [g.dilationHeight, g.dilationWidth],
      [[0, 0], [g.top, Math.max(0, b)], [g.left, Math.max(0, r)], [0, 0]], 'NHWC', [g.strideHeight, g.strideWidth]);
    return out.reshape([kh, kw, c, m, n]).sum(4).reshape(filterShape) as tf.Tensor4D;
  });
}
