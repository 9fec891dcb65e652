// Weight initialisers drawn from the seeded Rng (not tf.random*), so a model built with the same
// seed is bit-identical on every backend and in every worker thread.
//
// Defaults (documented choice): conv kernels use He/Kaiming normal with fan-OUT
// (std = sqrt(2 / (kh*kw*cout))), as torchvision ResNet/VGG and fb.resnet.torch do; dense kernels use
// PyTorch's nn.Linear default (kaiming_uniform a=sqrt(5) => U(-1/sqrt(fanIn), 1/sqrt(fanIn))) with the
// bias drawn from the same range. Every factory takes an `init` option to override.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random';

export type InitKind =
  | 'heNormalFanOut' | 'heNormalFanIn' | 'heUniformFanIn' | 'glorotUniform' | 'glorotNormal'
  | 'torchDefault' | 'zeros' | 'ones' | { normal: number } | { uniform: number } | { constant: number }
  | { truncatedNormal: number };

/** fanIn / fanOut of a kernel in tfjs layout: conv [kh,kw,cin,cout], dense [in,out], depthwise [kh,kw,c,mult]. */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptive = shape.slice(0, shape.length - 2).reduce((a, b) => a * b, 1);
  return { fanIn: receptive * shape[shape.length - 2], fanOut: receptive * shape[shape.length - 1] };
}

/** Fill a Float32Array for `shape` following `kind`. `fanInOverride` is used for biases (torchDefault). */
export function initValues(shape: number[], kind: InitKind, rng: Rng, fanInOverride?: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const { fanIn, fanOut } = fans(shape);
  const fi = fanInOverride ?? fanIn;
  const normal = (std: number) => { for (let i = 0; i < n; i++) out[i] = rng.normal() * std; };
  const uniform = (b: number) => { for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * b; };
  if (typeof kind === 'object') {
    if ('normal' in kind) normal(kind.normal);
    else if ('uniform' in kind) uniform(kind.uniform);
    else if ('constant' in kind) out.fill(kind.constant);
    else if ('truncatedNormal' in kind) {
      for (let i = 0; i < n; i++) {
        let v = rng.normal();
        while (Math.abs(v) > 2) v = rng.normal();
        out[i] = v * kind.truncatedNormal;
      }
    } else throw new Error(`unknown init ${JSON.stringify(kind)}`);
    return out;
  }
  switch (kind) {
    case 'heNormalFanOut': normal(Math.sqrt(2 / fanOut)); break;
    case 'heNormalFanIn': normal(Math.sqrt(2 / fi)); break;
    case 'heUniformFanIn': uniform(Math.sqrt(6 / fi)); break;
    case 'glorotUniform': uniform(Math.sqrt(6 / (fanIn + fanOut))); break;
    case 'glorotNormal': normal(Math.sqrt(2 / (fanIn + fanOut))); break;
    case 'torchDefault': uniform(1 / Math.sqrt(fi)); break;
    case 'zeros': break;
    case 'ones': out.fill(1); break;
    default: throw new Error(`unknown init '${kind as string}'`);
  }
  return out;
}

/** A new tf.Variable initialised from the Rng. */
export function initVariable(shape: number[], kind: InitKind, rng: Rng, trainable = true, fanInOverride?: number): tf.Variable {
  const values = initValues(shape, kind, rng, fanInOverride);
  // tidy disposes the temporary tensor; the variable keeps its own reference to the data.
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable));
}
