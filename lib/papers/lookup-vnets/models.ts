// How a Lookup-VNet is assembled: the lookup layer in front of any backbone whose first conv takes
// C*u channels (full tables) or C (compressed). The standard network is the same backbone behind a
// fixed preprocessing of the integers. Also the two small backbones the notebook trains on CPU.
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from '../../nn/types';
import { conv2d, dense, flatten, globalAvgPool, maxPool, relu, sequential, batchNorm } from '../../nn/layers';
import type { Rng } from '../../util/random';
import type { LookupLayer } from './lookup';

/** A backbone factory: explicit input channels, classes and square input size, seeded init. */
export type BackboneFactory = (inChannels: number, numClasses: number, inputSize: number, rng: Rng) => Layer;

/** A network whose `apply` takes raw integer images [N,H,W,C] (Lookup-VNet or standard). */
export interface ImageNet extends Layer {
  /** The lookup layer (Lookup-VNet) or null (standard network). */
  lookup: LookupLayer | null;
  backbone: Layer;
}

/** Lookup-VNet: logits = backbone(lookup(x, T)). The lookup layer may be shared by several nets. */
export function makeLookupVNet(lookup: LookupLayer, backbone: Layer, name = 'lookupvnet'): ImageNet {
  return {
    name, params: [], state: [], children: [lookup, backbone], lookup, backbone,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      return tf.tidy(() => backbone.apply(lookup.apply(x, ctx), ctx));
    },
  };
}

export type Preprocess = (xInt: tf.Tensor) => tf.Tensor;

/** Standard network: logits = backbone(preprocess(x)), preprocessing fixed (not learned). */
export function makeStandardNet(preprocess: Preprocess, backbone: Layer, name = 'standard'): ImageNet {
  return {
    name, params: [], state: [], children: [backbone], lookup: null, backbone,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      return tf.tidy(() => backbone.apply(preprocess(x), ctx));
    },
  };
}

// ---- fixed preprocessing of the standard baselines (spec 4.3, 9.3) ----------------------------

/** x/127.5 - 1: what a u = 1 'linspace' table starts as. */
export const scaleMinus1To1: Preprocess = (x) => tf.tidy(() => tf.sub(tf.div(tf.cast(x, 'float32'), 127.5), 1));

/** Raw floats (what an 'identity' table gives). */
export const rawFloat: Preprocess = (x) => tf.cast(x, 'float32');

/**
 * Per-image standardization (the paper's CIFAR / Tiny ImageNet baseline, read as TF's
 * per_image_standardization): mean and std over all H*W*C values of each image of x/255, std guarded
 * by 1/sqrt(H*W*C). Not representable by a fixed lookup table.
 */
export const perImageStandardize: Preprocess = (x) => tf.tidy(() => {
  const f = tf.div(tf.cast(x, 'float32'), 255);
  const { mean, variance } = tf.moments(f, [1, 2, 3], true);
  const n = x.shape[1]! * x.shape[2]! * x.shape[3]!;
  return tf.div(tf.sub(f, mean), tf.maximum(tf.sqrt(variance), 1 / Math.sqrt(n)));
});

/** Data-set-level per-channel standardization ((x/255 - mean_ch)/std_ch): the ImageNet baseline. */
export function datasetStandardize(mean: number[], std: number[]): Preprocess {
  if (mean.length !== std.length) throw new Error(`datasetStandardize: mean has ${mean.length} channels, std ${std.length}`);
  return (x) => tf.tidy(() => {
    if (x.shape[x.rank - 1] !== mean.length) throw new Error(`datasetStandardize: ${mean.length}-channel statistics for a ${x.shape[x.rank - 1]}-channel image`);
    return tf.div(tf.sub(tf.div(tf.cast(x, 'float32'), 255), tf.tensor1d(mean)), tf.tensor1d(std));
  });
}

export type PreprocessName = 'scaleMinus1To1' | 'perImage' | 'raw';
export function preprocessByName(name: PreprocessName): Preprocess {
  switch (name) {
    case 'scaleMinus1To1': return scaleMinus1To1;
    case 'perImage': return perImageStandardize;
    case 'raw': return rawFloat;
    default: throw new Error(`unknown preprocessing '${name as string}' (scaleMinus1To1, perImage, raw)`);
  }
}

// ---- small backbones for CPU runs [ours, spec 3.4] --------------------------------------------

/** MicroVGG (stands in for VGG-16): conv16-ReLU-pool-conv32-ReLU-pool-flatten-dense64-ReLU-dense. */
export function microVGG(inChannels: number, numClasses: number, inputSize: number, rng: Rng, opts: { bn?: boolean } = {}): Layer {
  if (!Number.isInteger(inputSize) || inputSize < 4) throw new Error(`microVGG: inputSize must be an integer >= 4, got ${inputSize}`);
  const r = (n: string) => rng.fork(n);
  const convBlock = (name: string, cin: number, cout: number): Layer[] => [
    conv2d({ name, inChannels: cin, filters: cout, kernelSize: 3, bias: !opts.bn }, r(name)),
    ...(opts.bn ? [batchNorm({ name: `${name}_bn`, channels: cout })] : []),
    relu(`${name}_relu`),
  ];
  const s = Math.floor(Math.floor(inputSize / 2) / 2); // 'valid' 2x2 pools: 14 -> 7 -> 3
  return sequential('microvgg', [
    ...convBlock('conv1', inChannels, 16), maxPool({ size: 2, name: 'pool1' }),
    ...convBlock('conv2', 16, 32), maxPool({ size: 2, name: 'pool2' }),
    flatten(),
    dense({ name: 'fc1', inFeatures: s * s * 32, units: 64 }, r('fc1')), relu('fc1_relu'),
    dense({ name: 'fc2', inFeatures: 64, units: numClasses }, r('fc2')),
  ]);
}

/** y = ReLU(x + conv(ReLU(conv(x)))) with equal channels. TODO(move to lib/nn) if a generic block lands. */
function plainResidual(name: string, ch: number, rng: Rng): Layer {
  const c1 = conv2d({ name: 'conv1', inChannels: ch, filters: ch, kernelSize: 3, bias: true }, rng.fork('c1'));
  const c2 = conv2d({ name: 'conv2', inChannels: ch, filters: ch, kernelSize: 3, bias: true }, rng.fork('c2'));
  return {
    name, params: [], state: [], children: [c1, c2],
    apply: (x, ctx) => tf.tidy(() => tf.relu(tf.add(x, c2.apply(tf.relu(c1.apply(x, ctx)), ctx)))),
  };
}

/** MicroResNet (stands in for ResNet-20): conv16, res16, conv32/2, res32, GAP, dense. ~28.5k params at 3 inputs. */
export function microResNet(inChannels: number, numClasses: number, _inputSize: number, rng: Rng): Layer {
  return sequential('microresnet', [
    conv2d({ name: 'stem', inChannels, filters: 16, kernelSize: 3, bias: true }, rng.fork('stem')), relu('stem_relu'),
    plainResidual('res1', 16, rng.fork('res1')),
    conv2d({ name: 'down', inChannels: 16, filters: 32, kernelSize: 3, stride: 2, bias: true }, rng.fork('down')), relu('down_relu'),
    plainResidual('res2', 32, rng.fork('res2')),
    globalAvgPool(),
    dense({ name: 'fc', inFeatures: 32, units: numClasses }, rng.fork('fc')),
  ]);
}

export const MICRO_BACKBONES: Record<string, BackboneFactory> = {
  microVGG: (c, k, s, rng) => microVGG(c, k, s, rng),
  microVGGbn: (c, k, s, rng) => microVGG(c, k, s, rng, { bn: true }),
  microResNet,
};
