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
  if (dilation === 1 && padding !== 'same' && padding !== 'valid') {
    // Explicit pads inside the conv, not a separate tf.pad: the input gradient then skips the
    // border, and no Pad/Slice pair runs (the gradient of a ResNet-20 3x3 conv: ~1.5x fewer MACs).
    const p = typeof padding === 'number' ? [[padding, padding], [padding, padding]] : padding;
    return tf.conv2d(x, w, stride, [[0, 0], p[0] as [number, number], p[1] as [number, number], [0, 0]]);
  }
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

// Vector-Jacobian products callable from inside a tf.customGrad gradient function (nested gradients,
// e.g. GUNN's memory-saving backward that recomputes each unit).
//
// tfjs 4.22 keeps one global tape: engine.gradients() started while the outer backward pass is
// running (gradientDepth back at 0) replaces `state.activeTape` with a fresh array and sets it to
// null when done, after which the outer pass crashes in its own clean-up ("Cannot read properties
// of null (reading 'forEach')") and leaks the outer saved tensors. We save and restore the outer
// tape around the nested call; the nested call still disposes its own saved tensors.
interface EngineWithTape {
  state: { activeTape: unknown };
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

/**
 * d<dy, f()>/d xs for tensors (activations or variables) `xs` that f reads. Unconnected inputs get
 * zeros. Safe to call inside a custom gradient function.
 */
export function vjp(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine() as unknown as EngineWithTape;
  const outer = engine.state.activeTape;
  let res: { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
  try {
    res = engine.gradients(f, xs, dy, true);
  } finally {
    engine.state.activeTape = outer;
  }
  res.value.dispose();
  return xs.map((x, i) => res.grads[i] ?? tf.zerosLike(x));
}
