// The views of DCT: complete, separately initialised networks of one architecture (thesis §3.2).
// ConvLargeBN is the reference SVHN/CIFAR net (Laine & Aila [144] with weight norm and mean-only BN
// replaced by standard BN, as the thesis says); ResNet-18 (ImageNet) comes from lib/nn. The small
// MLP / ConvSmall28 are this library's CPU-scale stand-ins [choice, spec §3].
import type { Layer } from '../../nn/types';
import { dense, batchNorm, activation, sequential, flatten, maxPool, dropout, gaussianNoise, globalAvgPool, conv2d } from '../../nn/layers';
import { convBnAct } from '../../nn/blocks';
import { resnet18 } from '../../nn/backbones';
import type { Backbone } from '../../nn/backbone';
import { makeRng, type Rng } from '../../util/random';

export interface MlpOptions {
  inFeatures: number;
  hidden: number[];
  numClasses: number;
  /** BN after every hidden dense (default true; off for the 2-D toy). */
  bn?: boolean;
  /** LeakyReLU slope (0.1, as ConvLarge). */
  alpha?: number;
  name?: string;
}

/** MLP on any input shape (flattened): Fashion 784-256-256-10, digits 64-128-128-10, toy 2-64-64-2. */
export function mlpNet(o: MlpOptions, rng: Rng): Layer {
  if (!(o.inFeatures > 0) || !(o.numClasses >= 2)) throw new Error(`mlpNet: need inFeatures > 0 and numClasses >= 2, got ${o.inFeatures}, ${o.numClasses}`);
  const layers: Layer[] = [flatten('flatten')];
  let d = o.inFeatures;
  o.hidden.forEach((h, i) => {
    layers.push(dense({ name: `fc${i + 1}`, inFeatures: d, units: h, init: 'heNormalFanIn', bias: !(o.bn ?? true) }, rng));
    if (o.bn ?? true) layers.push(batchNorm({ name: `bn${i + 1}`, channels: h }));
    layers.push(activation('leakyRelu', `act${i + 1}`, o.alpha ?? 0.1));
    d = h;
  });
  layers.push(dense({ name: 'fc_out', inFeatures: d, units: o.numClasses }, rng));
  return sequential(o.name ?? 'mlp', layers);
}

/** ConvSmall28: [N,28,28,1] -> [N,10], the ConvLarge shape family at ~1.5 M MAC/image [spec §3]. */
export function convSmall28(rng: Rng, o: { numClasses?: number; dropout?: number; inChannels?: number } = {}): Layer {
  const a = { act: 'leakyRelu' as const, alpha: 0.1 };
  const layers: Layer[] = [
    convBnAct({ name: 'c1', inChannels: o.inChannels ?? 1, filters: 16, ...a }, rng),
    maxPool({ size: 2, name: 'pool1' }),
    convBnAct({ name: 'c2', inChannels: 16, filters: 32, ...a }, rng),
    maxPool({ size: 2, name: 'pool2' }),
  ];
  if ((o.dropout ?? 0.3) > 0) layers.push(dropout(o.dropout ?? 0.3, 'drop'));
  layers.push(
    sequential('c3', [conv2d({ name: 'conv', inChannels: 32, filters: 64, kernelSize: 3, padding: 'valid', bias: false }, rng), batchNorm({ name: 'bn', channels: 64 }), activation('leakyRelu', 'act', 0.1)]),
    convBnAct({ name: 'c4', inChannels: 64, filters: 32, kernelSize: 1, ...a }, rng),
    globalAvgPool('gap'),
    dense({ name: 'fc', inFeatures: 32, units: o.numClasses ?? 10 }, rng),
  );
  return sequential('convSmall28', layers);
}

/**
 * ConvLarge of [144] with standard BN (thesis §3.2.5): noise 0.15; 3x conv3x3 128 + BN + LReLU(0.1);
 * maxpool 2; dropout 0.5; 3x conv3x3 256; maxpool 2; dropout 0.5; conv3x3 512 valid (6x6);
 * conv1x1 256; conv1x1 128; GAP; dense 128 -> C. Input noise and dropout are kept: the thesis is
 * silent, the most reasonable reading is that they were (spec pitfall 12). Not trained here.
 */
export function convLargeBN(rng: Rng, o: { numClasses?: number; inputNoise?: number; dropout?: number } = {}): Layer {
  const a = { act: 'leakyRelu' as const, alpha: 0.1 };
  const c = (name: string, i: number, f: number, k = 3) => convBnAct({ name, inChannels: i, filters: f, kernelSize: k, ...a }, rng);
  const drop = o.dropout ?? 0.5;
  return sequential('convLargeBN', [
    gaussianNoise(o.inputNoise ?? 0.15, 'noise'),
    c('c1a', 3, 128), c('c1b', 128, 128), c('c1c', 128, 128), maxPool({ size: 2, name: 'pool1' }), dropout(drop, 'drop1'),
    c('c2a', 128, 256), c('c2b', 256, 256), c('c2c', 256, 256), maxPool({ size: 2, name: 'pool2' }), dropout(drop, 'drop2'),
    sequential('c3a', [conv2d({ name: 'conv', inChannels: 256, filters: 512, kernelSize: 3, padding: 'valid', bias: false }, rng), batchNorm({ name: 'bn', channels: 512 }), activation('leakyRelu', 'act', 0.1)]),
    c('c3b', 512, 256, 1), c('c3c', 256, 128, 1),
    globalAvgPool('gap'),
    dense({ name: 'fc', inFeatures: 128, units: o.numClasses ?? 10 }, rng),
  ]);
}

/** ResNet-18 for the ImageNet two-phase recipe (11,689,512 parameters with 1000 classes). Not trained here. */
export function resnet18View(seed: number): Backbone {
  return resnet18(makeRng(seed));
}

/** n views of one architecture, each from its own seed (views must differ at initialisation: pitfall 10). */
export function makeViews(n: number, build: (rng: Rng) => Layer, seed: number): Layer[] {
  if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) throw new Error(`makeViews: the number of views must be even and >= 2, got ${n}`);
  const root = makeRng(seed);
  return Array.from({ length: n }, (_, i) => build(root.fork(`view-${i}`)));
}
