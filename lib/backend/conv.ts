// Differentiable 2-D convolutions with dilation (atrous) for every backend. tfjs-core's conv2d
// and depthwiseConv2d gradients refuse dilation > 1; here the forward pass is the backend's own
// (dilated) convolution and the backward pass is conv-grads.ts, written with plain ops.
// Dilation 1 routes to tf.conv2d / tf.depthwiseConv2d and their built-in gradients.
import * as tf from '@tensorflow/tfjs';
import { ConvGeometry, PadSpec, convGeometry, normalisePad, pair } from './conv-geometry';
import { conv2dFilterGrad, conv2dInputGrad, depthwiseFilterGradSwapped, depthwiseInputGrad } from './conv-grads';

export type { PadSpec } from './conv-geometry';

export interface ConvOptions {
  /** Default 1. */
  strides?: number | [number, number];
  /** 'same' | 'valid' | symmetric integer | [[0,0],[top,bottom],[left,right],[0,0]]. Default 'valid'. */
  pad?: PadSpec;
  /** Atrous rate; default 1. */
  dilation?: number | [number, number];
}

function checkShapes(op: string, x: tf.Tensor, w: tf.Tensor): void {
  if (x.rank !== 4) throw new Error(`${op}: input must be [batch, height, width, channels], got shape [${x.shape}]`);
  if (w.rank !== 4) throw new Error(`${op}: filter must be rank 4 [kh, kw, in, out|multiplier], got shape [${w.shape}]`);
  if (x.shape[3] !== w.shape[2]) {
    throw new Error(`${op}: input has ${x.shape[3]} channels but the filter expects ${w.shape[2]} (filter shape [${w.shape}])`);
  }
}

/**
 * The forward conv with strides and dilations both > 1: the wasm kernels (XNNPACK) and cpu's
 * Conv2D handle it directly; otherwise compute stride 1 and subsample.
 */
function forwardStridedDilated(kernel: 'Conv2D' | 'DepthwiseConv2dNative', x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const strides: [number, number] = [g.strideHeight, g.strideWidth];
  const dilations: [number, number] = [g.dilationHeight, g.dilationWidth];
  const pad = [[0, 0], [g.top, g.bottom], [g.left, g.right], [0, 0]];
  const be = tf.getBackend();
  if (be === 'wasm' || (be === 'cpu' && kernel === 'Conv2D')) { // cpu's depthwise kernel refuses both > 1
    return tf.engine().runKernel(kernel, { x, filter: w }, { strides, pad, dilations, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const explicit = pad as [[number, number], [number, number], [number, number], [number, number]];
    const full = kernel === 'Conv2D'
      ? tf.conv2d(x, w, 1, explicit, 'NHWC', dilations)
      : tf.depthwiseConv2d(x, w, 1, explicit, 'NHWC', dilations);
    const [n, , , c] = full.shape;
    return full.stridedSlice([0, 0, 0, 0], [n, (g.outHeight - 1) * g.strideHeight + 1, (g.outWidth - 1) * g.strideWidth + 1, c],
      [1, g.strideHeight, g.strideWidth, 1]) as tf.Tensor4D;
  });
}

/**
 * conv2d(x [N,H,W,Cin], w [KH,KW,Cin,Cout]) with strides, padding and dilation, differentiable in
 * x and w on every backend (TF's atrous convolution semantics: the kernel taps are `dilation`
 * apart; 'same' pads for the dilated kernel size).
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, opts: ConvOptions = {}): tf.Tensor4D {
  checkShapes('conv2d', x, w);
  const strides = pair(opts.strides, 'strides');
  const dil = pair(opts.dilation, 'dilation');
  const pad = normalisePad(opts.pad ?? 'valid');
  if (dil[0] === 1 && dil[1] === 1) return tf.conv2d(x, w, strides, pad);
  const g = convGeometry(x.shape, w.shape, strides, pad, dil);
  const f = tf.customGrad((xi, wi, save) => {
    const xx = xi as tf.Tensor4D, ww = wi as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xx, ww]);
    const value = strides[0] === 1 && strides[1] === 1
      ? tf.conv2d(xx, ww, 1, pad, 'NHWC', dil)
      : forwardStridedDilated('Conv2D', xx, ww, g);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor4D[];
        return [conv2dInputGrad(dy as tf.Tensor4D, sw, g), conv2dFilterGrad(sx, dy as tf.Tensor4D, sw.shape, g)];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

/** depthwiseConv2d(x [N,H,W,C], w [KH,KW,C,M]) with dilation, differentiable on every backend. */
export function depthwiseConv2d(x: tf.Tensor4D, w: tf.Tensor4D, opts: ConvOptions = {}): tf.Tensor4D {
  checkShapes('depthwiseConv2d', x, w);
  const strides = pair(opts.strides, 'strides');
  const dil = pair(opts.dilation, 'dilation');
  const pad = normalisePad(opts.pad ?? 'valid');
  if (dil[0] === 1 && dil[1] === 1) return tf.depthwiseConv2d(x, w, strides, pad);
  const g = convGeometry(x.shape, w.shape, strides, pad, dil, undefined, true);
  const f = tf.customGrad((xi, wi, save) => {
    const xx = xi as tf.Tensor4D, ww = wi as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xx, ww]);
    const value = strides[0] === 1 && strides[1] === 1
      ? tf.depthwiseConv2d(xx, ww, 1, pad, 'NHWC', dil)
      : forwardStridedDilated('DepthwiseConv2dNative', xx, ww, g);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor4D[];
        return [depthwiseInputGrad(dy as tf.Tensor4D, sw, g), depthwiseFilterGradSwapped(sx, dy as tf.Tensor4D, sw.shape, g)];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

/** Identity in the forward pass, zero gradient (tf.stop_gradient / torch .detach()). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((xi) => ({
    value: (xi as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return f(x) as T;
}
