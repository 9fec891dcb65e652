// Pooling geometry and the average-pool gradient with plain tf ops: the transposed depthwise
// conv with a 1/(KH*KW) filter. (The max-pool gradient is a heap loop: wasm-kernels/pool-grad.ts.)
import * as tf from '@tensorflow/tfjs';
import { ConvGeometry } from './conv-geometry';
import { depthwiseInputGrad } from './conv-grads';

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
