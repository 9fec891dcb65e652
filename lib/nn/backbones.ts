// Backbone factories: LeNet, VGG, ResNet (CIFAR basic-block, CIFAR 6n+2 option-A, ImageNet
// bottleneck), Wide ResNet, the reference CNN of the benchmark, and small conv nets.
// Init (documented choice): convs He-normal fan-out (torchvision ResNet/VGG, fb.resnet.torch);
// BN gamma 1, beta 0; linear layers PyTorch nn.Linear default U(+-1/sqrt(fanIn)).
import { makeRng, type Rng } from '../util/random';
import type { Layer } from './types';
import {
  activation, batchNorm, conv2d, dense, dropout, flatten, globalAvgPool, maxPool, relu, sequential, type ActivationName,
} from './layers';
import { basicBlock, bottleneckBlock, convBnAct, type ShortcutKind } from './blocks';
import { makeBackbone, type Backbone, type FeatureInfo } from './backbone';

function classifierHead(inFeatures: number, numClasses: number, rng: Rng, hidden: number[] = [], dropRate = 0): Layer[] {
  if (numClasses <= 0) return [];
  const out: Layer[] = [];
  let f = inFeatures;
  hidden.forEach((h, i) => {
    if (dropRate > 0) out.push(dropout(dropRate, `drop${i + 1}`));
    out.push(dense({ name: `fc${i + 1}`, inFeatures: f, units: h }, rng), relu(`fc${i + 1}_relu`));
    f = h;
  });
  out.push(dense({ name: 'fc', inFeatures: f, units: numClasses }, rng));
  return out;
}

// ---- reference CNN and LeNet ------------------------------------------------------------------

/**
 * The benchmark's reference CNN (issue 2 item 7): conv3x3-32 ReLU, maxpool 2, conv3x3-64 ReLU,
 * maxpool 2, dense-128 ReLU, dense-10. Convs use 'same' padding (choice; the issue does not say),
 * so 28x28 -> 7x7x64 -> 3136 features. 421,642 parameters for 28x28x1 and 10 classes.
 */
export function referenceCnn(rng: Rng = makeRng(0), o: { inputSize?: number; inChannels?: number; numClasses?: number } = {}): Backbone {
  const s = o.inputSize ?? 28, c = o.inChannels ?? 1, k = o.numClasses ?? 10;
  const s2 = Math.floor(Math.floor(s / 2) / 2);
  const body: Layer[] = [
    conv2d({ name: 'conv1', inChannels: c, filters: 32, kernelSize: 3, padding: 'same', bias: true, init: 'heUniformFanIn' }, rng),
    relu('relu1'), maxPool({ size: 2, name: 'pool1' }),
    conv2d({ name: 'conv2', inChannels: 32, filters: 64, kernelSize: 3, padding: 'same', bias: true, init: 'heUniformFanIn' }, rng),
    relu('relu2'), maxPool({ size: 2, name: 'pool2' }),
  ];
  const head: Layer[] = [
    flatten(), dense({ name: 'fc1', inFeatures: s2 * s2 * 64, units: 128 }, rng), relu('fc1_relu'),
    dense({ name: 'fc', inFeatures: 128, units: k }, rng),
  ];
  return makeBackbone('refcnn', body, head, {
    inputShape: [s, s, c], featureDim: s2 * s2 * 64,
    features: [{ name: 'pool1', channels: 32, reduction: 2 }, { name: 'pool2', channels: 64, reduction: 4 }],
  });
}

export interface LeNetOptions {
  inputSize?: number; inChannels?: number; numClasses?: number;
  /** Conv widths, default [20, 50] (Caffe LeNet as used by DCL). */
  convs?: [number, number];
  fc?: number;
  dropRate?: number;
  /** Activation after each conv: Caffe's LeNet has none ('linear'); default 'relu' (choice). */
  convAct?: ActivationName;
}

/** LeNet: C5-MP2-C5-MP2-FC-[D]-OUT ('valid' convs). 28x28 -> 4x4x50 = 800 features. */
export function lenet(rng: Rng, o: LeNetOptions = {}): Backbone {
  const s = o.inputSize ?? 28, c = o.inChannels ?? 1, k = o.numClasses ?? 10;
  const [c1, c2] = o.convs ?? [20, 50];
  const fc = o.fc ?? 500, act = o.convAct ?? 'relu';
  const sOut = Math.floor((Math.floor((s - 4) / 2) - 4) / 2);
  if (sOut < 1) throw new Error(`lenet: input ${s} is too small (needs >= 16)`);
  const body: Layer[] = [
    conv2d({ name: 'conv1', inChannels: c, filters: c1, kernelSize: 5, padding: 'valid', bias: true }, rng),
    activation(act, 'act1'), maxPool({ size: 2, name: 'pool1' }),
    conv2d({ name: 'conv2', inChannels: c1, filters: c2, kernelSize: 5, padding: 'valid', bias: true }, rng),
    activation(act, 'act2'), maxPool({ size: 2, name: 'pool2' }),
  ];
  const head: Layer[] = k > 0 ? [flatten(), dense({ name: 'fc1', inFeatures: sOut * sOut * c2, units: fc }, rng), relu('fc1_relu')] : [];
  if (k > 0 && (o.dropRate ?? 0.5) > 0) head.push(dropout(o.dropRate ?? 0.5, 'drop1'));
  if (k > 0) head.push(dense({ name: 'fc', inFeatures: fc, units: k }, rng));
  return makeBackbone('lenet', body, head, {
    inputShape: [s, s, c], featureDim: sOut * sOut * c2,
    features: [{ name: 'pool1', channels: c1, reduction: 2 }, { name: 'pool2', channels: c2, reduction: 4 }],
  });
}

// ---- VGG --------------------------------------------------------------------------------------

export type VggCfg = (number | 'M')[];
export const VGG_CFGS: Record<'vgg11' | 'vgg13' | 'vgg16' | 'vgg19', VggCfg> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

export interface VggOptions {
  cfg?: VggCfg | keyof typeof VGG_CFGS;
  /** Checked input size; default null = any (global pooling makes the net size-agnostic). */
  inputSize?: number | null; inChannels?: number; numClasses?: number;
  bn?: boolean;
  /** Conv bias; kuangliu's CIFAR VGG has it (true), the intra-model-collab spec not (false). Default false. */
  convBias?: boolean;
  /** Multiply every width (thin VGGs for quick runs). */
  widthMult?: number;
  /** Hidden FC widths before the output layer; [] = one FC (CIFAR variant). */
  hidden?: number[];
  dropRate?: number;
}

/**
 * CIFAR-style VGG: conv3x3 (pad 1) [+BN] + ReLU units, 2x2 max pools, global average pool (equal to
 * kuangliu's flatten at 1x1 for 32x32 input), classifier. Children: conv unit `unitI` (1-based,
 * each a conv/bn/act sequential) and `poolJ`; features = pool outputs.
 */
export function vgg(rng: Rng, o: VggOptions = {}): Backbone {
  const cfg = typeof o.cfg === 'string' ? VGG_CFGS[o.cfg] : (o.cfg ?? VGG_CFGS.vgg16);
  if (!cfg) throw new Error(`vgg: unknown cfg '${String(o.cfg)}' (${Object.keys(VGG_CFGS).join(', ')} or a list)`);
  const s = o.inputSize ?? null, c = o.inChannels ?? 3, k = o.numClasses ?? 10;
  const m = o.widthMult ?? 1;
  const body: Layer[] = [];
  const features: FeatureInfo[] = [];
  let cin = c, unit = 0, pool = 0, red = 1;
  for (const v of cfg) {
    if (v === 'M') {
      pool++; red *= 2;
      body.push(maxPool({ size: 2, name: `pool${pool}` }));
      features.push({ name: `pool${pool}`, channels: cin, reduction: red });
    } else {
      unit++;
      const w = Math.max(1, Math.round(v * m));
      body.push(convBnAct({ name: `unit${unit}`, inChannels: cin, filters: w, kernelSize: 3, bn: o.bn ?? true, bias: o.convBias ?? !(o.bn ?? true) }, rng));
      cin = w;
    }
  }
  if (cfg[cfg.length - 1] !== 'M') features.push({ name: `unit${unit}`, channels: cin, reduction: red });
  const head = k > 0 ? [globalAvgPool('gap'), ...classifierHead(cin, k, rng, o.hidden ?? [], o.dropRate ?? 0)] : [];
  return makeBackbone('vgg', body, head, { inputShape: [s, s, c], featureDim: cin, features });
}

// ---- ResNet -----------------------------------------------------------------------------------

export interface ResNetOptions {
  /** Blocks per stage, e.g. [2, 2, 2, 2] (ResNet-18), [3, 4, 6, 3] (ResNet-50), [n, n, n] (6n+2). */
  blocks: number[];
  /** Output width of each stage's blocks (for bottleneck: "planes"; output = planes * 4). */
  widths: number[];
  block?: 'basic' | 'bottleneck';
  /** 'cifar': conv3x3 stem, no max pool. 'imagenet': conv7x7/2 + maxpool3x3/2. */
  stem?: 'cifar' | 'imagenet';
  stemWidth?: number;
  shortcut?: ShortcutKind;
  preAct?: boolean;
  zeroInitLast?: boolean;
  /** Checked input size; default null = any size. */
  inputSize?: number | null; inChannels?: number; numClasses?: number;
  dropRate?: number;
  name?: string;
  /**
   * Stride of each stage's first block (default [1, 2, 2, ...]: the first stage keeps the stem's
   * resolution). E.g. [2, 2, 2] for a WRN with 3 downsamplings at 80x80 (few-shot MiniImageNet).
   */
  strides?: number[];
}

/**
 * Generic ResNet. Children: `stem`, `layer1..layerS` (each a sequential of blocks `block0..`),
 * [pre-act: `final_bn`, `final_relu`], then head `gap`, `fc`. Features = stem + stage outputs.
 */
export function resnet(rng: Rng, o: ResNetOptions): Backbone {
  if (o.blocks.length !== o.widths.length) throw new Error(`resnet: blocks (${o.blocks.length}) and widths (${o.widths.length}) differ in length`);
  if (o.strides && (o.strides.length !== o.blocks.length || !o.strides.every((v) => Number.isInteger(v) && v >= 1))) {
    throw new Error(`resnet: strides must give one positive integer per stage (${o.blocks.length}), got [${o.strides.join(', ')}]`);
  }
  const s = o.inputSize ?? null, c = o.inChannels ?? 3, k = o.numClasses ?? 10;
  const kind = o.block ?? 'basic', stem = o.stem ?? 'cifar', pre = o.preAct ?? false;
  const stemW = o.stemWidth ?? (stem === 'cifar' ? o.widths[0] : 64);
  const expansion = kind === 'bottleneck' ? 4 : 1;
  const body: Layer[] = [];
  const features: FeatureInfo[] = [];
  let red: number;
  if (stem === 'cifar') {
    // pre-act nets (WRN, ResNet v2) start with a bare conv: the first block's BN-ReLU follows.
    body.push(pre
      ? lambdaSeq('stem', [conv2d({ name: 'conv', inChannels: c, filters: stemW, kernelSize: 3 }, rng)])
      : convBnAct({ name: 'stem', inChannels: c, filters: stemW, kernelSize: 3 }, rng));
    red = 1;
  } else {
    body.push(lambdaSeq('stem', [
      conv2d({ name: 'conv', inChannels: c, filters: stemW, kernelSize: 7, stride: 2 }, rng),
      batchNorm({ name: 'bn', channels: stemW }), relu('relu'),
      maxPool({ size: 3, stride: 2, padding: 1, name: 'pool' }),
    ]));
    red = 4;
  }
  features.push({ name: 'stem', channels: stemW, reduction: red });
  let cin = stemW;
  o.blocks.forEach((n, si) => {
    const stride = o.strides ? o.strides[si] : si === 0 ? 1 : 2;
    red *= stride;
    const blocks: Layer[] = [];
    for (let b = 0; b < n; b++) {
      const st = b === 0 ? stride : 1;
      const blk = kind === 'basic'
        ? basicBlock({ name: `block${b}`, inChannels: cin, outChannels: o.widths[si], stride: st, preAct: pre, shortcut: o.shortcut, zeroInitLast: o.zeroInitLast, dropRate: o.dropRate }, rng)
        : bottleneckBlock({ name: `block${b}`, inChannels: cin, planes: o.widths[si], stride: st, preAct: pre, zeroInitLast: o.zeroInitLast }, rng);
      blocks.push(blk);
      cin = blk.outChannels;
    }
    body.push(lambdaSeq(`layer${si + 1}`, blocks));
    features.push({ name: `layer${si + 1}`, channels: o.widths[si] * expansion, reduction: red });
  });
  if (pre) {
    body.push(batchNorm({ name: 'final_bn', channels: cin }), relu('final_relu'));
    features[features.length - 1] = { ...features[features.length - 1], name: 'final_relu' };
  }
  const head = k > 0 ? [globalAvgPool('gap'), ...classifierHead(cin, k, rng)] : [];
  return makeBackbone(o.name ?? 'resnet', body, head, { inputShape: [s, s, c], featureDim: cin, features });
}

// A plain sequential used as a named group.
function lambdaSeq(name: string, layers: Layer[]): Layer { return sequential(name, layers); }

/** CIFAR ResNet-18 (kuangliu/pytorch-cifar): 11,173,962 parameters with 10 classes. */
export function resnet18Cifar(rng: Rng, o: Partial<ResNetOptions> & { widthMult?: number } = {}): Backbone {
  const m = o.widthMult ?? 1;
  return resnet(rng, { blocks: [2, 2, 2, 2], widths: [64, 128, 256, 512].map((w) => Math.max(1, Math.round(w * m))), name: 'resnet18', ...o });
}

/**
 * He et al. (2016) CIFAR ResNet of depth 6n+2 (20, 32, 44, 56, 110): widths 16/32/64, option-A
 * (zero-padding) shortcuts by default. ResNet-20 has 269,722 parameters (272,474 with
 * shortcut 'conv', option B), ResNet-56 853,018 (855,770), at 10 classes.
 */
export function resnetCifarDepth(rng: Rng, depth: number, o: Partial<ResNetOptions> & { widthMult?: number } = {}): Backbone {
  if ((depth - 2) % 6 !== 0 || depth < 8) throw new Error(`resnetCifarDepth: depth must be 6n+2 (20, 32, 44, 56, 110), got ${depth}`);
  const n = (depth - 2) / 6, m = o.widthMult ?? 1;
  return resnet(rng, { blocks: [n, n, n], widths: [16, 32, 64].map((w) => Math.max(1, Math.round(w * m))), shortcut: 'padZeros', name: `resnet${depth}`, ...o });
}

/** torchvision ResNet-50 (v1.5): 25,557,032 parameters at 1000 classes. */
export function resnet50(rng: Rng, o: Partial<ResNetOptions> = {}): Backbone {
  return resnet(rng, { blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], block: 'bottleneck', stem: 'imagenet', numClasses: 1000, name: 'resnet50', ...o });
}

/** ImageNet ResNet-18 (torchvision): 11,689,512 parameters at 1000 classes. */
export function resnet18(rng: Rng, o: Partial<ResNetOptions> = {}): Backbone {
  return resnet(rng, { blocks: [2, 2, 2, 2], widths: [64, 128, 256, 512], stem: 'imagenet', numClasses: 1000, name: 'resnet18', ...o });
}

/**
 * Wide ResNet WRN-d-k (Zagoruyko & Komodakis): pre-activation basic blocks, n = (d-4)/6 per stage,
 * widths 16k/32k/64k, conv 1x1 projections, dropout between convs.
 */
export function wideResNet(rng: Rng, depth: number, k: number, o: Partial<ResNetOptions> = {}): Backbone {
  if ((depth - 4) % 6 !== 0 || depth < 10) throw new Error(`wideResNet: depth must be 6n+4 (16, 22, 28, 40), got ${depth}`);
  const n = (depth - 4) / 6;
  return resnet(rng, { blocks: [n, n, n], widths: [16 * k, 32 * k, 64 * k], stemWidth: 16, preAct: true, name: `wrn${depth}_${k}`, ...o });
}

/** A small conv net of `widths` conv-BN-act units with max pools between (quick experiments). */
export function convNet(rng: Rng, o: { widths: number[]; inputSize?: number | null; inChannels?: number; numClasses?: number; act?: ActivationName; poolEvery?: number }): Backbone {
  const c = o.inChannels ?? 3, k = o.numClasses ?? 10, every = o.poolEvery ?? 1;
  const body: Layer[] = [];
  const features: FeatureInfo[] = [];
  let cin = c, red = 1;
  o.widths.forEach((w, i) => {
    body.push(convBnAct({ name: `unit${i + 1}`, inChannels: cin, filters: w, act: o.act }, rng));
    cin = w;
    if ((i + 1) % every === 0) {
      red *= 2;
      body.push(maxPool({ size: 2, name: `pool${i + 1}` }));
      features.push({ name: `pool${i + 1}`, channels: w, reduction: red });
    }
  });
  if (features.length === 0 || features[features.length - 1].name !== `pool${o.widths.length}`) {
    features.push({ name: `unit${o.widths.length}`, channels: cin, reduction: red });
  }
  const head = k > 0 ? [globalAvgPool('gap'), ...classifierHead(cin, k, rng)] : [];
  const s = o.inputSize === undefined ? null : o.inputSize;
  return makeBackbone('convnet', body, head, { inputShape: [s, s, c], featureDim: cin, features });
}

