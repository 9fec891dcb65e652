// Residual blocks (post-activation He et al. 2016a, pre-activation He et al. 2016b / WRN) and the
// conv-bn-act unit. Blocks expose their sub-layers as children so every variable has a stable path.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random';
import type { Ctx, Layer } from './types';
import { activation, batchNorm, conv2d, dropout, sequential, type ActivationName, type SequentialLayer } from './layers';
import type { InitKind } from './init';
import { expectShape } from './check';

export interface ConvBnActOptions {
  name?: string;
  inChannels: number;
  filters: number;
  kernelSize?: number;
  stride?: number;
  dilation?: number;
  groups?: number;
  /** Conv bias; default false (BN follows). */
  bias?: boolean;
  act?: ActivationName;
  alpha?: number;
  bn?: boolean;
  gammaInit?: number;
  init?: InitKind;
}

/** conv -> BN -> activation, children named conv / bn / act. */
export function convBnAct(o: ConvBnActOptions, rng: Rng): SequentialLayer {
  const layers: Layer[] = [conv2d({
    name: 'conv', inChannels: o.inChannels, filters: o.filters, kernelSize: o.kernelSize ?? 3, stride: o.stride,
    dilation: o.dilation, groups: o.groups, bias: o.bias ?? !(o.bn ?? true), init: o.init,
  }, rng)];
  if (o.bn ?? true) layers.push(batchNorm({ name: 'bn', channels: o.filters, gammaInit: o.gammaInit }));
  if ((o.act ?? 'relu') !== 'linear') layers.push(activation(o.act ?? 'relu', 'act', o.alpha));
  return sequential(o.name ?? 'unit', layers);
}

export type ShortcutKind = 'conv' | 'padZeros';

export interface BasicBlockOptions {
  name?: string;
  inChannels: number;
  outChannels: number;
  stride?: number;
  /** Pre-activation (BN-ReLU-conv, as in WRN / ResNet v2). Default false (post-activation). */
  preAct?: boolean;
  /**
   * Projection when the shape changes: 'conv' (1x1 conv + BN, "option B", kuangliu / torchvision) or
   * 'padZeros' (stride-2 subsample + zero channels, "option A" of the CIFAR ResNet-20/56 paper).
   */
  shortcut?: ShortcutKind;
  /** Dropout between the two convs (WRN); needs ctx.rng when training. */
  dropRate?: number;
  /** Initialise the last BN's gamma to 0 (Goyal et al.); default false. */
  zeroInitLast?: boolean;
  dilation?: number;
}

export interface BlockLayer extends Layer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
}

/** Option-A shortcut: x[:, ::s, ::s, :] then zero-pad channels; slice-based so it has a gradient. */
function padZerosShortcut(x: tf.Tensor, stride: number, cout: number): tf.Tensor {
  let h = x as tf.Tensor4D;
  if (stride > 1) {
    const [n, hh, ww, c] = h.shape;
    if (hh % stride !== 0 || ww % stride !== 0) {
      throw new Error(`padZeros shortcut: spatial size ${hh}x${ww} must be divisible by the stride ${stride}`);
    }
    const r = tf.reshape(h, [n, hh / stride, stride, ww / stride, stride, c]);
    h = tf.reshape(tf.slice(r, [0, 0, 0, 0, 0, 0], [n, hh / stride, 1, ww / stride, 1, c]), [n, hh / stride, ww / stride, c]);
  }
  const extra = cout - h.shape[3];
  if (extra > 0) h = tf.pad(h, [[0, 0], [0, 0], [0, 0], [Math.floor(extra / 2), extra - Math.floor(extra / 2)]]);
  return h;
}

/** ResNet BasicBlock: two 3x3 convs. Children: conv1, bn1, conv2, bn2 (+ shortcut). */
export function basicBlock(o: BasicBlockOptions, rng: Rng): BlockLayer {
  const name = o.name ?? 'block';
  const cin = o.inChannels, cout = o.outChannels, stride = o.stride ?? 1;
  const pre = o.preAct ?? false;
  const d = o.dilation ?? 1;
  const conv1 = conv2d({ name: 'conv1', inChannels: cin, filters: cout, kernelSize: 3, stride, dilation: d }, rng);
  const conv2 = conv2d({ name: 'conv2', inChannels: cout, filters: cout, kernelSize: 3, dilation: d }, rng);
  const bn1 = batchNorm({ name: 'bn1', channels: pre ? cin : cout });
  const bn2 = batchNorm({ name: 'bn2', channels: cout, gammaInit: !pre && o.zeroInitLast ? 0 : 1 });
  const drop = o.dropRate ? dropout(o.dropRate, 'dropout') : null;
  const needProj = stride !== 1 || cin !== cout;
  const kind = o.shortcut ?? 'conv';
  let shortcut: SequentialLayer | null = null;
  if (needProj && kind === 'conv') {
    const sc: Layer[] = [conv2d({ name: 'conv', inChannels: cin, filters: cout, kernelSize: 1, stride, padding: 0 }, rng)];
    if (!pre) sc.push(batchNorm({ name: 'bn', channels: cout }));
    shortcut = sequential('shortcut', sc);
  }
  const children: Layer[] = [bn1, conv1, bn2, conv2];
  if (drop) children.push(drop);
  if (shortcut) children.push(shortcut);
  return {
    name, params: [], state: [], children, inChannels: cin, outChannels: cout, stride,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      expectShape('basicBlock', name, x, [null, null, null, cin]);
      return tf.tidy(() => {
        if (pre) {
          const o1 = tf.relu(bn1.apply(x, ctx));
          let h = conv1.apply(o1, ctx);
          h = tf.relu(bn2.apply(h, ctx));
          if (drop) h = drop.apply(h, ctx);
          h = conv2.apply(h, ctx);
          const s = needProj ? (shortcut ? shortcut.apply(o1, ctx) : padZerosShortcut(x, stride, cout)) : x;
          return tf.add(h, s);
        }
        let h = tf.relu(bn1.apply(conv1.apply(x, ctx), ctx));
        if (drop) h = drop.apply(h, ctx);
        h = bn2.apply(conv2.apply(h, ctx), ctx);
        const s = needProj ? (shortcut ? shortcut.apply(x, ctx) : padZerosShortcut(x, stride, cout)) : x;
        return tf.relu(tf.add(h, s));
      });
    },
  };
}

export interface BottleneckOptions {
  name?: string;
  inChannels: number;
  /** Width of the 3x3 conv ("planes"); output = planes * expansion. */
  planes: number;
  expansion?: number;
  stride?: number;
  groups?: number;
  /** torchvision's width = planes * baseWidth/64 * groups (ResNeXt / wide ResNet-50-2). */
  baseWidth?: number;
  preAct?: boolean;
  zeroInitLast?: boolean;
  dilation?: number;
}

/**
 * Bottleneck 1x1 -> 3x3 -> 1x1 (x expansion). Stride sits on the 3x3 conv (torchvision "ResNet v1.5").
 * Children: conv1, bn1, conv2, bn2, conv3, bn3 (+ shortcut).
 */
export function bottleneckBlock(o: BottleneckOptions, rng: Rng): BlockLayer {
  const name = o.name ?? 'block';
  const expansion = o.expansion ?? 4, stride = o.stride ?? 1, groups = o.groups ?? 1;
  const width = Math.floor(o.planes * ((o.baseWidth ?? 64) / 64)) * groups;
  const cin = o.inChannels, cout = o.planes * expansion;
  const pre = o.preAct ?? false;
  const d = o.dilation ?? 1;
  const conv1 = conv2d({ name: 'conv1', inChannels: cin, filters: width, kernelSize: 1, padding: 0 }, rng);
  const conv2 = conv2d({ name: 'conv2', inChannels: width, filters: width, kernelSize: 3, stride, groups, dilation: d }, rng);
  const conv3 = conv2d({ name: 'conv3', inChannels: width, filters: cout, kernelSize: 1, padding: 0 }, rng);
  const bn1 = batchNorm({ name: 'bn1', channels: pre ? cin : width });
  const bn2 = batchNorm({ name: 'bn2', channels: width });
  const bn3 = batchNorm({ name: 'bn3', channels: pre ? width : cout, gammaInit: !pre && o.zeroInitLast ? 0 : 1 });
  const needProj = stride !== 1 || cin !== cout;
  let shortcut: SequentialLayer | null = null;
  if (needProj) {
    const sc: Layer[] = [conv2d({ name: 'conv', inChannels: cin, filters: cout, kernelSize: 1, stride, padding: 0 }, rng)];
    if (!pre) sc.push(batchNorm({ name: 'bn', channels: cout }));
    shortcut = sequential('shortcut', sc);
  }
  const children: Layer[] = [conv1, bn1, conv2, bn2, conv3, bn3];
  if (shortcut) children.push(shortcut);
  return {
    name, params: [], state: [], children, inChannels: cin, outChannels: cout, stride,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      expectShape('bottleneckBlock', name, x, [null, null, null, cin]);
      return tf.tidy(() => {
        if (pre) {
          const o1 = tf.relu(bn1.apply(x, ctx));
          let h = conv1.apply(o1, ctx);
          h = conv2.apply(tf.relu(bn2.apply(h, ctx)), ctx);
          h = conv3.apply(tf.relu(bn3.apply(h, ctx)), ctx);
          return tf.add(h, shortcut ? shortcut.apply(o1, ctx) : x);
        }
        let h = tf.relu(bn1.apply(conv1.apply(x, ctx), ctx));
        h = tf.relu(bn2.apply(conv2.apply(h, ctx), ctx));
        h = bn3.apply(conv3.apply(h, ctx), ctx);
        return tf.relu(tf.add(h, shortcut ? shortcut.apply(x, ctx) : x));
      });
    },
  };
}

/**
 * Depthwise-separable conv (DeepLab2 / Xception style): depthwise kxk [+BN+act] then pointwise 1x1
 * [+BN+act]. Children: dw, dw_bn, dw_act, pw, pw_bn, pw_act.
 */
export function separableConv(o: { name?: string; inChannels: number; filters: number; kernelSize?: number; stride?: number; dilation?: number; bn?: boolean; act?: ActivationName }, rng: Rng): SequentialLayer {
  const bn = o.bn ?? true, act = o.act ?? 'relu';
  const layers: Layer[] = [conv2d({ name: 'dw', inChannels: o.inChannels, filters: o.inChannels, kernelSize: o.kernelSize ?? 3, stride: o.stride, dilation: o.dilation, groups: o.inChannels, bias: !bn }, rng)];
  if (bn) layers.push(batchNorm({ name: 'dw_bn', channels: o.inChannels }));
  if (act !== 'linear') layers.push(activation(act, 'dw_act'));
  layers.push(conv2d({ name: 'pw', inChannels: o.inChannels, filters: o.filters, kernelSize: 1, padding: 0, bias: !bn }, rng));
  if (bn) layers.push(batchNorm({ name: 'pw_bn', channels: o.filters }));
  if (act !== 'linear') layers.push(activation(act, 'pw_act'));
  return sequential(o.name ?? 'sepconv', layers);
}

export interface AsppOptions {
  name?: string;
  inChannels: number;
  /** Channels of every branch and of the projection (DeepLab: 256). */
  channels: number;
  /** Atrous rates of the 3x3 branches (DeepLab v3 at output stride 16: [6, 12, 18]). */
  rates: number[];
  /** Add the image-pooling branch (GAP -> 1x1 -> BN -> ReLU -> broadcast). Default true. */
  imagePooling?: boolean;
  /** Dropout after the projection (DeepLab: 0.1); needs ctx.rng when training. */
  dropRate?: number;
}

/**
 * Atrous Spatial Pyramid Pooling (DeepLab v3): 1x1 branch, one 3x3 branch per rate, optional
 * image pooling; concat -> 1x1 projection; conv + BN + ReLU everywhere (no conv bias).
 * Children: b0 (1x1), b1..bR (atrous), pool, project.
 */
export function aspp(o: AsppOptions, rng: Rng): Layer {
  const name = o.name ?? 'aspp';
  const c = o.channels, pooling = o.imagePooling ?? true;
  const branches: SequentialLayer[] = [convBnAct({ name: 'b0', inChannels: o.inChannels, filters: c, kernelSize: 1 }, rng)];
  o.rates.forEach((r, i) => branches.push(convBnAct({ name: `b${i + 1}`, inChannels: o.inChannels, filters: c, kernelSize: 3, dilation: r }, rng)));
  const pool = pooling ? convBnAct({ name: 'pool', inChannels: o.inChannels, filters: c, kernelSize: 1 }, rng) : null;
  const nIn = c * (branches.length + (pool ? 1 : 0));
  const project = convBnAct({ name: 'project', inChannels: nIn, filters: c, kernelSize: 1 }, rng);
  const drop = o.dropRate ? dropout(o.dropRate, 'dropout') : null;
  const children: Layer[] = [...branches];
  if (pool) children.push(pool);
  children.push(project);
  if (drop) children.push(drop);
  return {
    name, params: [], state: [], children,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      expectShape('aspp', name, x, [null, null, null, o.inChannels]);
      return tf.tidy(() => {
        const outs = branches.map((b) => b.apply(x, ctx));
        if (pool) {
          const p = pool.apply(tf.mean(x, [1, 2], true), ctx);
          outs.push(tf.mul(p, tf.ones([1, x.shape[1] as number, x.shape[2] as number, 1])));
        }
        const y = project.apply(tf.concat(outs, 3), ctx);
        return drop ? drop.apply(y, ctx) : y;
      });
    },
  };
}
