// Tensor ops the layers build on. Convolutions with dilation > 1 go through lib/backend's
// differentiable atrous conv (tfjs-core's conv2d gradient refuses dilation > 1); dilation 1 uses
// tf.conv2d directly.
import * as tf from '@tensorflow/tfjs';
import { conv2d as atrousConv2d, depthwiseConv2d as atrousDepthwise, stopGradient } from '../backend/conv';

export { stopGradient };

export type Padding = 'same' | 'valid' | number | [[number, number], [number, number]];

/** Symmetric (PyTorch-style) or tfjs padding applied explicitly, so stride-2 grids match PyTorch. */
export function padInput(x: tf.Tensor4D, padding: Padding): { x: tf.Tensor4D; pad: 'same' | 'valid' } {
  if (padding === 'same' || padding === 'valid') return { x, pad: padding };
  const p = typeof padding === 'number' ? [[padding, padding], [padding, padding]] : padding;
  if (p[0][0] === 0 && p[0][1] === 0 && p[1][0] === 0 && p[1][1] === 0) return { x, pad: 'valid' };
  return { x: tf.pad(x, [[0, 0], p[0] as [number, number], p[1] as [number, number], [0, 0]]), pad: 'valid' };
}

/** 2-D convolution, NHWC, kernel [kh, kw, cin, cout]; differentiable for any dilation. */
export function conv2dOp(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, padding: Padding, dilation = 1): tf.Tensor4D {
  const { x: xp, pad } = padInput(x, padding);
  if (dilation === 1) return tf.conv2d(xp, w, stride, pad);
  return atrousConv2d(xp, w, { strides: stride, pad, dilation });
}

/** Depthwise conv, kernel [kh, kw, cin, multiplier]; differentiable for any dilation. */
export function depthwiseConv2dOp(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, padding: Padding, dilation = 1): tf.Tensor4D {
  const { x: xp, pad } = padInput(x, padding);
  if (dilation === 1) return tf.depthwiseConv2d(xp, w, stride, pad);
  return atrousDepthwise(xp, w, { strides: stride, pad, dilation });
}
