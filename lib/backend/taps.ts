// Window taps (im2col) as one depthwise convolution with a one-hot filter: output channel
// c*T + t holds tap t = i*KW + j of input channel c. On wasm this is XNNPACK's depthwise conv
// (slices and StridedSlice there are scalar loops, 10-50x slower); everywhere it handles
// strides, dilations and padding natively. Picking with 1 and 0 weights is exact.
import * as tf from '@tensorflow/tfjs';
import { ExplicitPads } from './conv-geometry';

/** [KH, KW, C, KH*KW] with f[i, j, c, i*KW + j] = 1 (a few KB; rebuilt per call, never cached). */
export function oneHotTapFilter(kh: number, kw: number, c: number): tf.Tensor4D {
  const t = kh * kw;
  const a = new Float32Array(kh * kw * c * t);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let ch = 0; ch < c; ch++) a[((i * kw + j) * c + ch) * t + i * kw + j] = 1;
  return tf.tensor4d(a, [kh, kw, c, t]);
}

/**
 * Taps of every window of x: [N, OH, OW, C*KH*KW], ordered (c, i, j) along the last axis.
 * Zero padding (pad x yourself for another value and pass 'valid').
 */
export function windowTaps(x: tf.Tensor4D, kh: number, kw: number, strides: [number, number],
  pad: 'same' | 'valid' | ExplicitPads, dilations: [number, number] = [1, 1]): tf.Tensor4D {
  if (kh === 1 && kw === 1 && strides[0] === 1 && strides[1] === 1 && pad === 'valid') return x.clone();
  const f = oneHotTapFilter(kh, kw, x.shape[3]);
  const both = (strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1);
  const be = tf.getBackend();
  if (both && be === 'wasm') {
    // tf.depthwiseConv2d refuses strides and dilations > 1 together; wasm's kernel (XNNPACK) supports it.
    return tf.engine().runKernel('DepthwiseConv2dNative', { x, filter: f },
      { strides, pad, dilations, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  if (both) {
    const full = tf.depthwiseConv2d(x, f, 1, pad, 'NHWC', dilations);
    const [n, h, w, c] = full.shape;
    return full.stridedSlice([0, 0, 0, 0], [n, h, w, c], [1, strides[0], strides[1], 1]) as tf.Tensor4D;
  }
  return tf.depthwiseConv2d(x, f, strides, pad, 'NHWC', dilations);
}
