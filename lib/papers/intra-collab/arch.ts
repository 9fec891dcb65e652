// Backbones as lists of "units" (spec 3.2): the layers that local losses attach to. A unit is
// conv-BN-ReLU (VGG) or a BasicBlock / the stem (ResNet). Parameter-free pooling between units
// belongs to the input side of the next unit. Built from lib/nn layers.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer } from '../../nn/types';
import { convBnAct, basicBlock } from '../../nn/blocks';
import type { Conv2dLayer } from '../../nn/layers';

export type UnitSpec =
  | { kind: 'conv'; filters: number; poolBefore: boolean; group: number }
  | { kind: 'basic'; filters: number; stride: number; group: number };

export interface ArchSpec {
  name: string;
  /** Input [H, W, C]. */
  input: [number, number, number];
  units: UnitSpec[];
  /** After the last unit: optional 2x2 max pool, then 'flatten' or global average pool. */
  tailPool: boolean;
  tail: 'flatten' | 'gap';
  /** Hidden width of the 3-FC classifier (paper: not given; spec: 512). */
  hidden: number;
  numClasses: number;
  /** Conv groups that get L_kernel ("last two groups"). */
  kernelGroups: number[];
}

export interface Unit {
  layer: Layer;
  inChannels: number;
  channels: number;
  /** Output spatial size (square). */
  size: number;
  group: number;
  /** The unit's conv kernels that L_kernel may act on (never the 1x1 shortcut). */
  kernels: tf.Variable[];
}

function vggUnits(cfg: (number | 'M')[], groupsBy: 'pool'): UnitSpec[] {
  void groupsBy;
  const out: UnitSpec[] = [];
  let pool = false, group = 1;
  for (const v of cfg) {
    if (v === 'M') { pool = true; group++; continue; }
    out.push({ kind: 'conv', filters: v, poolBefore: pool, group });
    pool = false;
  }
  return out;
}

/** VGG-16 CIFAR variant with BN, no conv bias, 3-FC classifier (spec 3.2). */
export function vgg16Spec(o: { numClasses?: number; widthMult?: number; input?: [number, number, number]; hidden?: number } = {}): ArchSpec {
  const m = o.widthMult ?? 1;
  const cfg: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
  const input = o.input ?? [32, 32, 3];
  return {
    name: m === 1 ? 'vgg16' : `vgg16x${m}`, input, units: vggUnits(cfg.map((v) => (v === 'M' ? v : v * m)), 'pool'),
    tailPool: true, tail: input[0] === 32 ? 'flatten' : 'gap', hidden: o.hidden ?? 512, numClasses: o.numClasses ?? 10,
    kernelGroups: [4, 5],
  };
}

/** MiniVGG-6 (spec 7.1): [16,16,M,32,32,M,64,64,M] on 28x28x1, flatten 3x3x64, FC 128. */
export function miniVgg6Spec(o: { numClasses?: number; widthMult?: number; input?: [number, number, number]; hidden?: number } = {}): ArchSpec {
  const m = o.widthMult ?? 1;
  const cfg: (number | 'M')[] = [16, 16, 'M', 32, 32, 'M', 64, 64, 'M'];
  return {
    name: m === 1 ? 'minivgg6' : `minivgg6x${m}`, input: o.input ?? [28, 28, 1], units: vggUnits(cfg.map((v) => (v === 'M' ? v : v * m)), 'pool'),
    tailPool: true, tail: 'flatten', hidden: o.hidden ?? 128, numClasses: o.numClasses ?? 10, kernelGroups: [2, 3],
  };
}

function resnetUnits(widths: number[], blocks: number[]): UnitSpec[] {
  const out: UnitSpec[] = [{ kind: 'conv', filters: widths[0], poolBefore: false, group: 0 }];
  widths.forEach((w, s) => {
    for (let b = 0; b < blocks[s]; b++) out.push({ kind: 'basic', filters: w, stride: b === 0 && s > 0 ? 2 : 1, group: s + 1 });
  });
  return out;
}

/** ResNet-18 CIFAR variant: stem + 8 BasicBlocks = 9 units; L_kernel on layer3 and layer4. */
export function resnet18Spec(o: { numClasses?: number; widthMult?: number; input?: [number, number, number]; hidden?: number } = {}): ArchSpec {
  const m = o.widthMult ?? 1;
  return {
    name: m === 1 ? 'resnet18' : `resnet18x${m}`, input: o.input ?? [32, 32, 3],
    units: resnetUnits([64, 128, 256, 512].map((w) => w * m), [2, 2, 2, 2]),
    tailPool: false, tail: 'gap', hidden: o.hidden ?? 512, numClasses: o.numClasses ?? 10, kernelGroups: [3, 4],
  };
}

/** MiniResNet (spec 7.1): stem 16, one BasicBlock per stage (16, 32/s2, 64/s2), GAP, FC 128. */
export function miniResnetSpec(o: { numClasses?: number; widthMult?: number; input?: [number, number, number]; hidden?: number } = {}): ArchSpec {
  const m = o.widthMult ?? 1;
  return {
    name: 'miniresnet', input: o.input ?? [28, 28, 1], units: resnetUnits([16, 32, 64].map((w) => w * m), [1, 1, 1]),
    tailPool: false, tail: 'gap', hidden: o.hidden ?? 128, numClasses: o.numClasses ?? 10, kernelGroups: [2, 3],
  };
}

export const ARCHS = { minivgg6: miniVgg6Spec, vgg16: vgg16Spec, resnet18: resnet18Spec, miniresnet: miniResnetSpec };
export type ArchName = keyof typeof ARCHS;

export function archSpec(name: ArchName, o: Parameters<typeof vgg16Spec>[0] = {}): ArchSpec {
  const f = ARCHS[name];
  if (!f) throw new Error(`intra-collab: unknown arch '${String(name)}' (${Object.keys(ARCHS).join(', ')})`);
  return f(o);
}

/** Build units [from, to) of a spec, given the input channels and size of unit `from`. */
export function buildUnits(spec: ArchSpec, rng: Rng, from = 0, to = spec.units.length, inC?: number, inSize?: number, prefix = 'unit'): Unit[] {
  let c = inC ?? spec.input[2];
  let s = inSize ?? spec.input[0];
  if (from === 0) { c = spec.input[2]; s = spec.input[0]; }
  const out: Unit[] = [];
  for (let i = from; i < to; i++) {
    const u = spec.units[i];
    const name = `${prefix}${i + 1}`;
    if (u.kind === 'conv') {
      const cba = convBnAct({ name: 'cba', inChannels: c, filters: u.filters, kernelSize: 3 }, rng);
      const pool = u.poolBefore;
      const layer: Layer = {
        name, params: [], state: [], children: [cba],
        apply: (x: tf.Tensor, ctx: Ctx) => tf.tidy(() => cba.apply(pool ? tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') : x, ctx)),
      };
      if (pool) s = Math.floor(s / 2);
      out.push({ layer, inChannels: c, channels: u.filters, size: s, group: u.group, kernels: [(cba.children[0] as Conv2dLayer).kernel] });
    } else {
      const blk = basicBlock({ name, inChannels: c, outChannels: u.filters, stride: u.stride }, rng);
      const convs = blk.children.filter((l) => l.name === 'conv1' || l.name === 'conv2') as Conv2dLayer[];
      if (u.stride === 2) s = Math.ceil(s / 2);
      out.push({ layer: blk, inChannels: c, channels: u.filters, size: s, group: u.group, kernels: convs.map((k) => k.kernel) });
    }
    c = u.filters;
  }
  return out;
}

/** Input channels and spatial size of unit `i` (for building a subnet that starts there). */
export function unitInput(spec: ArchSpec, i: number): { channels: number; size: number } {
  let c = spec.input[2], s = spec.input[0];
  for (let k = 0; k < i; k++) {
    const u = spec.units[k];
    if (u.kind === 'conv' && u.poolBefore) s = Math.floor(s / 2);
    if (u.kind === 'basic' && u.stride === 2) s = Math.ceil(s / 2);
    c = u.filters;
  }
  return { channels: c, size: s };
}

/** Feature dimension D entering the classifier. */
export function featureDim(spec: ArchSpec): number {
  const { channels, size } = unitInput(spec, spec.units.length);
  const s = spec.tailPool ? Math.floor(size / 2) : size;
  return spec.tail === 'flatten' ? s * s * channels : channels;
}

/** Tail: optional max pool, then flatten / GAP -> [B, D]. */
export function applyTail(spec: ArchSpec, h: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    let t = h as tf.Tensor4D;
    if (spec.tailPool) t = tf.maxPool(t, 2, 2, 'valid');
    return (spec.tail === 'flatten' ? tf.reshape(t, [t.shape[0], -1]) : tf.mean(t, [1, 2])) as tf.Tensor2D;
  });
}
