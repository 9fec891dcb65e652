// Basic layers. Each factory takes explicit input sizes and a seeded Rng and returns a plain Layer.
// Variable paths are local ("kernel", "bias", "gamma"); collectParams() prefixes the layer names.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random';
import type { Ctx, Layer, NamedVar } from './types';
import { expectShape } from './check';
import { initValues, initVariable, fans, type InitKind } from './init';
import { conv2dOp, depthwiseConv2dOp, type Padding } from './ops';

export interface Conv2dOptions {
  name?: string;
  inChannels: number;
  filters: number;
  kernelSize: number | [number, number];
  stride?: number;
  /**
   * 'torch' (default): symmetric padding dilation*(k-1)/2 like PyTorch's padding=k//2, applied
   * explicitly so stride-2 outputs sit on the same grid as PyTorch. Or tfjs 'same'/'valid', or a number.
   */
  padding?: 'torch' | Padding;
  dilation?: number;
  /** Grouped conv: groups == inChannels is depthwise (filters = multiplier * inChannels). */
  groups?: number;
  bias?: boolean;
  /** Kernel init; default He-normal fan-out (torchvision ResNet / VGG). */
  init?: InitKind;
  biasInit?: InitKind;
  /** Start from these tensors instead (network surgery, weight transfer); copied, shape-checked. */
  values?: { kernel?: tf.Tensor; bias?: tf.Tensor };
}

function fromValues(name: string, what: string, t: tf.Tensor, shape: number[]): tf.Variable {
  if (!tf.util.arraysEqual(t.shape, shape)) throw new Error(`${name}: initial ${what} must have shape [${shape}], got [${t.shape}]`);
  return tf.tidy(() => tf.variable(tf.clone(t), true));
}

export interface Conv2dLayer extends Layer {
  readonly inChannels: number;
  readonly filters: number;
  kernel: tf.Variable;
  bias: tf.Variable | null;
}

/** Conv2d, NHWC. Kernel [kh, kw, cin/groups, cout] (depthwise: [kh, kw, cin, multiplier]). */
export function conv2d(o: Conv2dOptions, rng: Rng): Conv2dLayer {
  const name = o.name ?? 'conv';
  const [kh, kw] = typeof o.kernelSize === 'number' ? [o.kernelSize, o.kernelSize] : o.kernelSize;
  const stride = o.stride ?? 1, dilation = o.dilation ?? 1, groups = o.groups ?? 1;
  const cin = o.inChannels, cout = o.filters;
  if (cin % groups !== 0 || cout % groups !== 0) {
    throw new Error(`conv2d '${name}': inChannels ${cin} and filters ${cout} must both be divisible by groups ${groups}`);
  }
  let padding: Padding;
  if (o.padding === undefined || o.padding === 'torch') {
    if (kh % 2 === 0 || kw % 2 === 0) throw new Error(`conv2d '${name}': 'torch' padding needs an odd kernel, got ${kh}x${kw}`);
    padding = [[dilation * (kh - 1) / 2, dilation * (kh - 1) / 2], [dilation * (kw - 1) / 2, dilation * (kw - 1) / 2]];
  } else padding = o.padding;
  const depthwise = groups > 1 && groups === cin;
  const torchShape = [kh, kw, cin / groups, cout]; // fans as PyTorch computes them
  const shape = depthwise ? [kh, kw, cin, cout / cin] : torchShape;
  let kernel: tf.Variable;
  if (o.values?.kernel) kernel = fromValues(`conv2d '${name}'`, 'kernel', o.values.kernel, shape);
  else {
    const values = initValues(torchShape, o.init ?? 'heNormalFanOut', rng);
    kernel = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true));
  }
  const bias = !o.bias ? null : o.values?.bias ? fromValues(`conv2d '${name}'`, 'bias', o.values.bias, [cout])
    : initVariable([cout], o.biasInit ?? 'zeros', rng, true, fans(torchShape).fanIn);
  const params: NamedVar[] = [{ path: 'kernel', variable: kernel, decay: true }];
  if (bias) params.push({ path: 'bias', variable: bias, decay: false });
  const layer: Conv2dLayer = {
    name, params, state: [], children: [], inChannels: cin, filters: cout, kernel, bias,
    apply(x: tf.Tensor, _ctx: Ctx): tf.Tensor {
      expectShape('conv2d', name, x, [null, null, null, cin]);
      return tf.tidy(() => {
        const x4 = x as tf.Tensor4D;
        const k = layer.kernel as unknown as tf.Tensor4D;
        let y: tf.Tensor4D;
        if (groups === 1) y = conv2dOp(x4, k, stride, padding, dilation);
        else if (depthwise) y = depthwiseConv2dOp(x4, k, stride, padding, dilation);
        else {
          const xs = tf.split(x4, groups, 3);
          const ks = tf.split(k, groups, 3);
          y = tf.concat(xs.map((xi, g) => conv2dOp(xi as tf.Tensor4D, ks[g] as tf.Tensor4D, stride, padding, dilation)), 3);
        }
        return layer.bias ? tf.add(y, layer.bias) : y;
      });
    },
  };
  return layer;
}

export interface DenseOptions {
  name?: string;
  inFeatures: number;
  units: number;
  bias?: boolean;
  /** Default 'torchDefault' = nn.Linear's U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for kernel and bias. */
  init?: InitKind;
  biasInit?: InitKind;
  values?: { kernel?: tf.Tensor; bias?: tf.Tensor };
}

export interface DenseLayer extends Layer {
  readonly inFeatures: number;
  readonly units: number;
  kernel: tf.Variable;
  bias: tf.Variable | null;
}

/** Fully connected layer on [N, inFeatures]; kernel [inFeatures, units] (transpose of PyTorch's). */
export function dense(o: DenseOptions, rng: Rng): DenseLayer {
  const name = o.name ?? 'dense';
  const kernel = o.values?.kernel ? fromValues(`dense '${name}'`, 'kernel', o.values.kernel, [o.inFeatures, o.units])
    : initVariable([o.inFeatures, o.units], o.init ?? 'torchDefault', rng);
  const useBias = o.bias ?? true;
  const bias = !useBias ? null : o.values?.bias ? fromValues(`dense '${name}'`, 'bias', o.values.bias, [o.units])
    : initVariable([o.units], o.biasInit ?? 'torchDefault', rng, true, o.inFeatures);
  const params: NamedVar[] = [{ path: 'kernel', variable: kernel, decay: true }];
  if (bias) params.push({ path: 'bias', variable: bias, decay: false });
  const layer: DenseLayer = {
    name, params, state: [], children: [], inFeatures: o.inFeatures, units: o.units, kernel, bias,
    apply(x: tf.Tensor): tf.Tensor {
      expectShape('dense', name, x, [null, o.inFeatures], ['N', `${o.inFeatures}`]);
      return tf.tidy(() => {
        const y = tf.matMul(x as tf.Tensor2D, layer.kernel as unknown as tf.Tensor2D);
        return layer.bias ? tf.add(y, layer.bias) : y;
      });
    },
  };
  return layer;
}

// ---- batch norm -------------------------------------------------------------------------------

let statsFrozen = 0;
/**
 * Run `fn` with batch-norm running statistics frozen: training-mode BN still normalises with batch
 * statistics but does not update running mean/var (recomputation in GUNN's custom backward, extra
 * forwards for attacks or consistency losses that must not count twice).
 */
export function withFrozenBatchStats<T>(fn: () => T): T {
  statsFrozen++;
  try { return fn(); } finally { statsFrozen--; }
}

export interface BatchNormOptions {
  name?: string;
  channels: number;
  /** PyTorch convention: running = (1 - momentum) * running + momentum * batch. Default 0.1. */
  momentum?: number;
  eps?: number;
  /** Initial gamma (1; neural rejuvenation uses 0.5; zero-init residual uses 0). */
  gammaInit?: number;
  betaInit?: number;
  affine?: boolean;
}

export interface BatchNormLayer extends Layer {
  readonly channels: number;
  gamma: tf.Variable | null;
  beta: tf.Variable | null;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

export interface BnResult {
  y: tf.Tensor;
  /** Batch mean and biased variance (training) or the running statistics (eval). */
  mean: tf.Tensor;
  variance: tf.Tensor;
  /** Updated running statistics (training only): (1 - m) * run + m * batch (unbiased variance). */
  newRunningMean?: tf.Tensor;
  newRunningVar?: tf.Tensor;
}

/**
 * (x - mean) / sqrt(var + eps) * g + b as one scale and one shift per channel. Same values as
 * tf.batchNorm, but its gradient is plain broadcasting: tf.batchNorm's gradient tiles every
 * per-channel term to x's shape, and wasm's Tile made a conv-bn layer's training step ~2.7x
 * the conv's alone (scratch-measured, [64,16,16,32]); this form costs ~1.7x.
 */
function normalize(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, g: tf.Tensor | undefined, b: tf.Tensor | undefined, eps: number): tf.Tensor {
  let s = tf.rsqrt(tf.add(variance, eps));
  if (g) s = tf.mul(s, g);
  const shift = tf.neg(tf.mul(mean, s));
  return tf.add(tf.mul(x, s), b ? tf.add(shift, b) : shift);
}

/**
 * Pure batch norm over every axis but the last: returns the output and the new running statistics
 * without assigning anything (recomputation in custom backward passes, functional models).
 */
export function batchNormForward(
  x: tf.Tensor, p: { gamma?: tf.Tensor | null; beta?: tf.Tensor | null; runningMean: tf.Tensor; runningVar: tf.Tensor },
  training: boolean, o: { eps?: number; momentum?: number } = {},
): BnResult {
  const eps = o.eps ?? 1e-5, momentum = o.momentum ?? 0.1;
  const g = p.gamma ?? undefined, b = p.beta ?? undefined;
  if (!training) return { y: normalize(x, p.runningMean, p.runningVar, g, b, eps), mean: p.runningMean, variance: p.runningVar };
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const n = x.size / x.shape[x.rank - 1];
  const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
  return {
    y: normalize(x, mean, variance, g, b, eps), mean, variance,
    newRunningMean: tf.add(tf.mul(p.runningMean, 1 - momentum), tf.mul(mean, momentum)),
    newRunningVar: tf.add(tf.mul(p.runningVar, 1 - momentum), tf.mul(unbiased, momentum)),
  };
}

/**
 * Batch norm layer on [N, C] or [N, H, W, C]. Training: batch statistics with the biased variance
 * for normalisation and the unbiased variance for the running estimate (as PyTorch); the running
 * statistics are assigned unless inside withFrozenBatchStats. Eval: running statistics.
 * `values` starts from given tensors (network surgery); they are copied.
 */
export function batchNorm(o: BatchNormOptions & { values?: { gamma?: tf.Tensor; beta?: tf.Tensor; runningMean?: tf.Tensor; runningVar?: tf.Tensor } }): BatchNormLayer {
  const name = o.name ?? 'bn';
  const c = o.channels, momentum = o.momentum ?? 0.1, eps = o.eps ?? 1e-5;
  const affine = o.affine ?? true;
  const mk = (v: number, trainable: boolean, t?: tf.Tensor, what = '') => tf.tidy(() => {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) throw new Error(`batchNorm '${name}': ${what} must have shape [${c}], got [${t.shape}]`);
    return tf.variable(t ? tf.clone(t) : tf.fill([c], v), trainable);
  });
  const gamma = affine ? mk(o.gammaInit ?? 1, true, o.values?.gamma, 'gamma') : null;
  const beta = affine ? mk(o.betaInit ?? 0, true, o.values?.beta, 'beta') : null;
  const runningMean = mk(0, false, o.values?.runningMean, 'runningMean'), runningVar = mk(1, false, o.values?.runningVar, 'runningVar');
  const params: NamedVar[] = [];
  if (gamma && beta) params.push({ path: 'gamma', variable: gamma, decay: false }, { path: 'beta', variable: beta, decay: false });
  const layer: BatchNormLayer = {
    name, params, channels: c, gamma, beta, runningMean, runningVar,
    state: [{ path: 'runningMean', variable: runningMean, decay: false }, { path: 'runningVar', variable: runningVar, decay: false }],
    children: [],
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      if (!((x.rank === 4 || x.rank === 2) && x.shape[x.rank - 1] === c)) {
        throw new Error(`batchNorm '${name}': expected input [N, H, W, ${c}] or [N, ${c}], got [${x.shape.join(', ')}]`);
      }
      return tf.tidy(() => {
        const r = batchNormForward(x, layer, ctx.training, { eps, momentum });
        if (ctx.training && !statsFrozen) {
          layer.runningMean.assign(r.newRunningMean as tf.Tensor);
          layer.runningVar.assign(r.newRunningVar as tf.Tensor);
        }
        return r.y;
      });
    },
  };
  return layer;
}

/** Whether training-mode batch norm currently updates running statistics. */
export function batchStatsFrozen(): boolean { return statsFrozen > 0; }

// ---- parameter-free layers ---------------------------------------------------------------------

/** A parameter-free layer from a function (activations, reshapes, custom ops). */
export function lambda(name: string, fn: (x: tf.Tensor, ctx: Ctx) => tf.Tensor): Layer {
  return { name, params: [], state: [], children: [], apply: (x, ctx) => tf.tidy(() => fn(x, ctx)) };
}

export const relu = (name = 'relu'): Layer => lambda(name, (x) => tf.relu(x));
export const relu6 = (name = 'relu6'): Layer => lambda(name, (x) => tf.relu6(x));
export const leakyRelu = (alpha = 0.01, name = 'lrelu'): Layer => lambda(name, (x) => tf.leakyRelu(x, alpha));
export const sigmoid = (name = 'sigmoid'): Layer => lambda(name, (x) => tf.sigmoid(x));
export const tanh = (name = 'tanh'): Layer => lambda(name, (x) => tf.tanh(x));
export const identity = (name = 'identity'): Layer => lambda(name, (x) => tf.clone(x));

export type ActivationName = 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'linear';
/** An activation by name ('leakyRelu' uses `alpha`, default 0.1 as in the semi-supervised nets). */
export function activation(kind: ActivationName, name: string = kind, alpha = 0.1): Layer {
  switch (kind) {
    case 'relu': return relu(name);
    case 'relu6': return relu6(name);
    case 'leakyRelu': return leakyRelu(alpha, name);
    case 'sigmoid': return sigmoid(name);
    case 'tanh': return tanh(name);
    case 'linear': return identity(name);
    default: throw new Error(`unknown activation '${kind as string}' (relu, relu6, leakyRelu, sigmoid, tanh, linear)`);
  }
}

function check4d(kind: string, name: string, x: tf.Tensor): void {
  if (x.rank !== 4) throw new Error(`${kind} '${name}': expected input [N, H, W, C], got [${x.shape.join(', ')}]`);
}

export interface PoolOptions { size: number; stride?: number; padding?: 'same' | 'valid' | number; name?: string }

/** Max pooling. A numeric padding pads symmetrically with -inf (PyTorch MaxPool2d(padding=p)). */
export function maxPool(o: PoolOptions): Layer {
  const name = o.name ?? 'maxpool', stride = o.stride ?? o.size;
  return lambda(name, (x) => {
    check4d('maxPool', name, x);
    return tf.maxPool(x as tf.Tensor4D, o.size, stride, o.padding ?? 'valid');
  });
}

/** Average pooling. Note: tfjs excludes padded cells from the average (PyTorch count_include_pad=False). */
export function avgPool(o: PoolOptions): Layer {
  const name = o.name ?? 'avgpool', stride = o.stride ?? o.size;
  return lambda(name, (x) => {
    check4d('avgPool', name, x);
    return tf.avgPool(x as tf.Tensor4D, o.size, stride, o.padding ?? 'valid');
  });
}

/** [N, H, W, C] -> [N, C] (or [N, 1, 1, C] with keepDims). */
export function globalAvgPool(name = 'gap', keepDims = false): Layer {
  return lambda(name, (x) => {
    check4d('globalAvgPool', name, x);
    return tf.mean(x, [1, 2], keepDims);
  });
}

/** [N, ...] -> [N, prod(...)]. NHWC order: flattening differs from PyTorch's NCHW order (same function class). */
export function flatten(name = 'flatten'): Layer {
  return lambda(name, (x) => tf.reshape(x, [x.shape[0], -1]));
}

/** Inverted dropout; the mask comes from ctx.rng so runs are reproducible. Identity in eval mode. */
export function dropout(rate: number, name = 'dropout'): Layer {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout '${name}': rate must be in [0, 1), got ${rate}`);
  return lambda(name, (x, ctx) => {
    if (!ctx.training || rate === 0) return tf.clone(x);
    if (!ctx.rng) throw new Error(`dropout '${name}': training needs ctx.rng (a seeded Rng) for the mask`);
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', ctx.rng.seed()), rate), 'float32');
    return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
  });
}

/** Additive Gaussian noise N(0, std^2) in training (input noise of the semi-supervised nets); identity in eval. */
export function gaussianNoise(std: number, name = 'noise'): Layer {
  return lambda(name, (x, ctx) => {
    if (!ctx.training || std === 0) return tf.clone(x);
    if (!ctx.rng) throw new Error(`gaussianNoise '${name}': training needs ctx.rng (a seeded Rng)`);
    return tf.add(x, tf.randomNormal(x.shape, 0, std, 'float32', ctx.rng.seed()));
  });
}

/** Nearest-neighbour upsampling by an integer factor via broadcasting (gradient on every backend). */
export function upsampleNearest(x: tf.Tensor, factor: number): tf.Tensor {
  if (x.rank !== 4) throw new Error(`upsampleNearest: expected [N, H, W, C], got [${x.shape}]`);
  if (factor === 1) return tf.clone(x);
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => tf.reshape(tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.ones([1, 1, factor, 1, factor, 1])), [n, h * factor, w * factor, c]));
}

// ---- containers --------------------------------------------------------------------------------

export interface SequentialLayer extends Layer {
  /** Run only children [from, to) (default to the end): partial forwards for local losses. */
  applyRange(x: tf.Tensor, ctx: Ctx, from: number, to?: number): tf.Tensor;
}

/**
 * Children applied in order. With `tapOutputs`, each child's output is stored in ctx.taps under
 * `${prefix}${child.name}` (when ctx.taps is given): feature taps for FPNs and local classifiers.
 */
export function sequential(name: string, layers: Layer[], opts: { tapOutputs?: boolean; tapPrefix?: string } = {}): SequentialLayer {
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw new Error(`sequential '${name}': two children named '${l.name}'`);
    names.add(l.name);
  }
  const run = (x: tf.Tensor, ctx: Ctx, from: number, to: number): tf.Tensor => {
    // Without taps, intermediates are freed on return; with taps they must outlive this call
    // (the caller's tf.tidy frees them).
    if (!(ctx.taps && opts.tapOutputs)) return tf.tidy(() => chain(x, ctx, from, to));
    return chain(x, ctx, from, to);
  };
  const chain = (x: tf.Tensor, ctx: Ctx, from: number, to: number): tf.Tensor => {
    let h = x;
    for (let i = from; i < to; i++) {
      h = layers[i].apply(h, ctx);
      if (ctx.taps && opts.tapOutputs) ctx.taps.set(`${opts.tapPrefix ?? ''}${layers[i].name}`, h);
    }
    return h === x ? tf.clone(x) : h;
  };
  return {
    name, params: [], state: [], children: layers,
    apply: (x, ctx) => run(x, ctx, 0, layers.length),
    applyRange: (x, ctx, from, to) => run(x, ctx, from, to ?? layers.length),
  };
}
