// The paper's full-size networks (constructible here, trained by users with tfjs-node-gpu and the
// real data): ResNet-20 / VGG-16 / WRN-40-4 on CIFAR and Tiny ImageNet, ResNet-18 / ResNet-34 on
// ImageNet, each behind a lookup layer. Only the first conv's input depth changes (3 -> 3u).
import type { Layer } from '../../nn/types';
import { resnetCifarDepth, vgg, wideResNet, resnet18, resnet } from '../../nn/backbones';
import { makeRng } from '../../util/random';
import { makeLookupInput, type LookupConfig } from './lookup';
import { makeLookupVNet, type ImageNet } from './models';

export type PaperNet = 'ResNet-20' | 'VGG-16' | 'WRN-40-4' | 'ResNet-18' | 'ResNet-34';
export const PAPER_NETS: PaperNet[] = ['ResNet-20', 'VGG-16', 'WRN-40-4', 'ResNet-18', 'ResNet-34'];

/**
 * A paper backbone with `inChannels` inputs.
 * - ResNet-20: He et al. CIFAR net, option-A (zero-padding) shortcuts (269,722 params at 10 classes, 3 inputs).
 * - VGG-16: Liu & Deng small-image VGG-16 with BN and one FC-512 (paper); lib/nn's VGG pools globally
 *   before the FC, which equals flatten at 32x32 (1x1x512); at 64x64 this is the GAP alternative of spec 9.11 [ours].
 * - WRN-40-4: pre-activation, 1x1 projections, no dropout [ours, spec 3.4].
 * - ResNet-18 / ResNet-34: torchvision ImageNet nets (11,689,512 / 21,797,672 params at 1000 classes).
 */
export function paperBackbone(name: PaperNet, inChannels: number, numClasses: number, inputSize: number, seed = 0): Layer {
  const rng = makeRng(seed);
  switch (name) {
    case 'ResNet-20': return resnetCifarDepth(rng, 20, { inChannels, numClasses, inputSize });
    case 'VGG-16': return vgg(rng, { cfg: 'vgg16', bn: true, hidden: [512], inChannels, numClasses, inputSize });
    case 'WRN-40-4': return wideResNet(rng, 40, 4, { inChannels, numClasses, inputSize });
    case 'ResNet-18': return resnet18(rng, { inChannels, numClasses, inputSize });
    case 'ResNet-34': return resnet(rng, { blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], stem: 'imagenet', inChannels, numClasses, inputSize, name: 'resnet34' });
    default: throw new Error(`paperBackbone: unknown network '${name as string}' (${PAPER_NETS.join(', ')})`);
  }
}

/** A full-size Lookup-VNet: lookup tables (full u or compressed c) in front of a paper backbone. */
export function paperLookupVNet(name: PaperNet, lookup: LookupConfig, numClasses: number, inputSize: number, seed = 0): ImageNet {
  const l = makeLookupInput({ ...lookup, seed: lookup.seed ?? seed });
  return makeLookupVNet(l, paperBackbone(name, l.outChannels, numClasses, inputSize, seed), `lookup-${name}`);
}
