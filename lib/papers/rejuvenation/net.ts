// NRNet: the NR-aware VGG-style chain (spec section 3, modules 1-3). Every conv is followed by its
// own BN and a ReLU; 2x2 max-pools in between; global average pooling and one or more linear heads.
// After rejuvenation the channels of every layer are grouped (S first, then R; spec convention) and
// a unit combines them per mode:
//   'plain' one ordinary conv (baseline, and NR with cross-connections kept: eq. 5.5)
//   'cr'    cross-connections removed (eq. 5.6): the kernel is multiplied by a block-diagonal group
//           mask, so cross blocks stay exactly 0 (zero gradient, weight decay of 0 is 0)
//   'ca'    cross attention (eq. 5.9/5.10) between two groups on the pre-BN conv outputs
// The first conv reads the image, which every group shares (no mask, no attention).
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer, NamedVar } from '../../nn/types';
import { conv2dOp } from '../../nn/ops';
import { batchNormForward, batchStatsFrozen } from '../../nn/layers';
import { initValues } from '../../nn/init';
import type { Rng } from '../../util/random';
import type { MaskOp } from './utilization';
import type { VggCfgItem } from './configs';

export type UnitMode = 'plain' | 'cr' | 'ca';
export type ClassifierKind = 'single' | 'dualHead' | 'shared';

export interface ConvUnit {
  name: string;
  k: number;
  cin: number;
  cout: number;
  /** Output channel groups (sizes, in order); the input groups are the previous unit's. */
  groups: number[];
  isInput: boolean;
  mode: UnitMode;
  kernel: tf.Variable; // [k, k, cin, cout]
  gamma: tf.Variable;
  beta: tf.Variable;
  runMean: tf.Variable;
  runVar: tf.Variable;
  /** 'cr' only: block-diagonal 0/1 mask [1, 1, cin, cout]. */
  crMask: tf.Tensor | null;
}

export interface Head {
  /** Channels [start, end) of the pooled features this head reads. */
  start: number;
  end: number;
  kernel: tf.Variable; // [end - start, numClasses]
  bias: tf.Variable;
}

export type ChainItem = { kind: 'conv'; unit: ConvUnit } | { kind: 'pool' };

export interface NRNet extends Layer {
  items: ChainItem[];
  heads: Head[];
  classifier: ClassifierKind;
  inChannels: number;
  inputHW: [number, number];
  numClasses: number;
  gamma0: number;
  /** Number of NR rounds applied so far. */
  rounds: number;
  convs(): ConvUnit[];
  /** Per-head logits (the sum is the prediction; dualHead trains the sum of the heads' CEs). */
  headLogits(x: tf.Tensor, ctx: Ctx): tf.Tensor2D[];
  /** Everything a mask feed-forward needs (gammas read now). */
  maskGraph(): MaskOp[];
  dispose(): void;
}

export interface NRNetOptions {
  cfg: VggCfgItem[];
  inChannels: number;
  inputHW: [number, number];
  numClasses: number;
  /** Initial BN gamma (reference VGG code: 0.5; also the rejuvenation level gamma_0). */
  gamma0?: number;
  name?: string;
}

const BN_EPS = 1e-5, BN_MOMENTUM = 0.1; // Torch convention (spec 3.1)

/** Block-diagonal mask: input group g connects only to output group g. */
export function groupMask(inGroups: number[], outGroups: number[]): Float32Array {
  if (inGroups.length !== outGroups.length) throw new Error(`groupMask: ${inGroups.length} input groups vs ${outGroups.length} output groups`);
  const cin = inGroups.reduce((a, b) => a + b, 0), cout = outGroups.reduce((a, b) => a + b, 0);
  const m = new Float32Array(cin * cout);
  let i0 = 0, o0 = 0;
  for (let g = 0; g < inGroups.length; g++) {
    for (let i = i0; i < i0 + inGroups[g]; i++) for (let j = o0; j < o0 + outGroups[g]; j++) m[i * cout + j] = 1;
    i0 += inGroups[g]; o0 += outGroups[g];
  }
  return m;
}

export interface UnitValues {
  kernel: Float32Array; gamma: Float32Array; beta: Float32Array; runMean: Float32Array; runVar: Float32Array;
}

/** A variable from a tensor factory without leaving the initial tensor behind. */
export const newVar = (make: () => tf.Tensor, trainable = true): tf.Variable => tf.tidy(() => tf.variable(make(), trainable));

export function makeUnit(name: string, k: number, cin: number, cout: number, groups: number[], inGroups: number[] | null, mode: UnitMode, v: UnitValues): ConvUnit {
  if (groups.reduce((a, b) => a + b, 0) !== cout) throw new Error(`makeUnit '${name}': groups [${groups}] do not sum to ${cout}`);
  if (v.kernel.length !== k * k * cin * cout) throw new Error(`makeUnit '${name}': kernel has ${v.kernel.length} values, [${k},${k},${cin},${cout}] needs ${k * k * cin * cout}`);
  if (mode === 'ca' && inGroups && groups.length !== 2) throw new Error(`makeUnit '${name}': cross attention needs exactly 2 groups (S, R), got ${groups.length}`);
  const isInput = inGroups === null;
  const crMask = mode === 'cr' && !isInput ? tf.tensor4d(groupMask(inGroups, groups), [1, 1, cin, cout]) : null;
  return {
    name, k, cin, cout, groups, isInput, mode, crMask,
    kernel: newVar(() => tf.tensor4d(v.kernel, [k, k, cin, cout])),
    gamma: newVar(() => tf.tensor1d(v.gamma)), beta: newVar(() => tf.tensor1d(v.beta)),
    runMean: newVar(() => tf.tensor1d(v.runMean), false), runVar: newVar(() => tf.tensor1d(v.runVar), false),
  };
}

/** Pre-BN conv output of a unit per its mode. */
function unitConv(u: ConvUnit, x: tf.Tensor4D, inGroups: number[] | null): tf.Tensor4D {
  const pad = (u.k - 1) / 2;
  if (u.mode === 'ca' && !u.isInput && inGroups) {
    const sIn = inGroups[0], sOut = u.groups[0];
    const W = u.kernel as unknown as tf.Tensor4D;
    const xs = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, sIn]), xr = tf.slice(x, [0, 0, 0, sIn], [-1, -1, -1, -1]);
    const wSS = tf.slice(W, [0, 0, 0, 0], [-1, -1, sIn, sOut]), wRS = tf.slice(W, [0, 0, sIn, 0], [-1, -1, -1, sOut]);
    const wSR = tf.slice(W, [0, 0, 0, sOut], [-1, -1, sIn, -1]), wRR = tf.slice(W, [0, 0, sIn, sOut], [-1, -1, -1, -1]);
    const a = conv2dOp(xs, wSS, 1, pad), b = conv2dOp(xr, wRS, 1, pad);
    const c = conv2dOp(xr, wRR, 1, pad), d = conv2dOp(xs, wSR, 1, pad);
    return tf.concat([crossAttention(a, b), crossAttention(c, d)], 3);
  }
  const W = u.crMask ? tf.mul(u.kernel, u.crMask) as tf.Tensor4D : u.kernel as unknown as tf.Tensor4D;
  return conv2dOp(x, W, 1, pad);
}

/** Eq. 5.9: A + 2 sigmoid(A) * B (2 sigmoid(0) = 1, so B = 0 gives A exactly). */
export function crossAttention(a: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  return tf.add(a, tf.mul(tf.mul(tf.sigmoid(a), 2), b)) as tf.Tensor4D;
}

export function unitForward(u: ConvUnit, x: tf.Tensor4D, inGroups: number[] | null, ctx: Ctx): tf.Tensor4D {
  const z = unitConv(u, x, inGroups);
  const bn = batchNormForward(z, { gamma: u.gamma, beta: u.beta, runningMean: u.runMean, runningVar: u.runVar }, ctx.training, { eps: BN_EPS, momentum: BN_MOMENTUM });
  if (ctx.training && !batchStatsFrozen()) {
    u.runMean.assign(bn.newRunningMean as tf.Tensor1D);
    u.runVar.assign(bn.newRunningVar as tf.Tensor1D);
  }
  return tf.relu(bn.y) as tf.Tensor4D;
}

/** Assemble an NRNet from units and heads (used by the builder and by surgery). */
export function assembleNet(o: {
  name: string; items: ChainItem[]; heads: Head[]; classifier: ClassifierKind; inChannels: number; inputHW: [number, number];
  numClasses: number; gamma0: number; rounds: number;
}): NRNet {
  const convs = () => o.items.filter((it): it is { kind: 'conv'; unit: ConvUnit } => it.kind === 'conv').map((it) => it.unit);
  const params: NamedVar[] = [], state: NamedVar[] = [];
  for (const u of convs()) {
    params.push({ path: `${u.name}/kernel`, variable: u.kernel, decay: true }, { path: `${u.name}/gamma`, variable: u.gamma, decay: false }, { path: `${u.name}/beta`, variable: u.beta, decay: false });
    state.push({ path: `${u.name}/runMean`, variable: u.runMean, decay: false }, { path: `${u.name}/runVar`, variable: u.runVar, decay: false });
  }
  o.heads.forEach((h, i) => params.push({ path: `head${i}/kernel`, variable: h.kernel, decay: true }, { path: `head${i}/bias`, variable: h.bias, decay: false }));
  const features = (x: tf.Tensor, ctx: Ctx): tf.Tensor2D => {
    if (x.rank !== 4 || x.shape[3] !== o.inChannels) throw new Error(`NRNet '${o.name}': expected input [N, H, W, ${o.inChannels}], got [${x.shape}]`);
    let h = x as tf.Tensor4D;
    let inGroups: number[] | null = null;
    for (const it of o.items) {
      if (it.kind === 'pool') { h = tf.maxPool(h, 2, 2, 'valid'); continue; }
      h = unitForward(it.unit, h, inGroups, ctx);
      if (ctx.taps) ctx.taps.set(it.unit.name, tf.keep(h.clone()));
      inGroups = it.unit.groups;
    }
    return tf.mean(h, [1, 2]) as tf.Tensor2D;
  };
  const headLogits = (x: tf.Tensor, ctx: Ctx): tf.Tensor2D[] => {
    const f = features(x, ctx);
    return o.heads.map((hd) => tf.add(tf.matMul(tf.slice(f, [0, hd.start], [-1, hd.end - hd.start]), hd.kernel), hd.bias) as tf.Tensor2D);
  };
  const net: NRNet = {
    name: o.name, params, state, children: [],
    items: o.items, heads: o.heads, classifier: o.classifier, inChannels: o.inChannels, inputHW: o.inputHW,
    numClasses: o.numClasses, gamma0: o.gamma0, rounds: o.rounds,
    convs, headLogits,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      return tf.tidy(() => {
        const ls = headLogits(x, ctx);
        return ls.length === 1 ? ls[0] : tf.addN(ls);
      });
    },
    maskGraph(): MaskOp[] {
      const ops: MaskOp[] = [];
      for (const it of o.items) {
        if (it.kind === 'pool') ops.push({ kind: 'pool', size: 2 });
        else ops.push({ kind: 'conv', name: it.unit.name, k: it.unit.k, cin: it.unit.cin, cout: it.unit.cout, gamma: it.unit.gamma.dataSync() as Float32Array });
      }
      ops.push({ kind: 'gap' }, { kind: 'fc', name: 'classifier', cout: o.numClasses });
      return ops;
    },
    dispose() {
      for (const nv of [...params, ...state]) nv.variable.dispose();
      for (const u of convs()) u.crMask?.dispose();
    },
  };
  return net;
}

/** A fresh VGG-style NRNet: conv N(0, sqrt(2/(k*k*cout))), BN gamma gamma0 / beta 0, FC N(0, 0.01), bias 0 [code]. */
export function buildNRNet(o: NRNetOptions, rng: Rng): NRNet {
  const gamma0 = o.gamma0 ?? 0.5;
  if (!o.cfg.length || !o.cfg.some((c) => c !== 'M')) throw new Error('buildNRNet: cfg needs at least one conv width');
  for (const c of o.cfg) if (c !== 'M' && !(Number.isInteger(c) && c > 0)) throw new Error(`buildNRNet: conv widths must be positive integers, got ${c}`);
  const items: ChainItem[] = [];
  let cin = o.inChannels, i = 0, first = true;
  for (const c of o.cfg) {
    if (c === 'M') { items.push({ kind: 'pool' }); continue; }
    const kernel = initValues([3, 3, cin, c], 'heNormalFanOut', rng);
    const unit = makeUnit(`conv${i}`, 3, cin, c, [c], first ? null : [cin], 'plain', {
      kernel, gamma: new Float32Array(c).fill(gamma0), beta: new Float32Array(c), runMean: new Float32Array(c), runVar: new Float32Array(c).fill(1),
    });
    items.push({ kind: 'conv', unit });
    cin = c; i++; first = false;
  }
  const head: Head = {
    start: 0, end: cin,
    kernel: newVar(() => tf.tensor2d(initValues([cin, o.numClasses], { normal: 0.01 }, rng), [cin, o.numClasses])),
    bias: newVar(() => tf.zeros([o.numClasses])),
  };
  return assembleNet({ name: o.name ?? 'nrnet', items, heads: [head], classifier: 'single', inChannels: o.inChannels, inputHW: o.inputHW, numClasses: o.numClasses, gamma0, rounds: 0 });
}

/** Deep copy (new variables): branch several variants from one pre-NR snapshot. */
export function cloneNet(net: NRNet): NRNet {
  const items: ChainItem[] = [];
  let inGroups: number[] | null = null;
  for (const it of net.items) {
    if (it.kind === 'pool') { items.push(it); continue; }
    const u = it.unit;
    const v: UnitValues = {
      kernel: u.kernel.dataSync() as Float32Array, gamma: u.gamma.dataSync() as Float32Array, beta: u.beta.dataSync() as Float32Array,
      runMean: u.runMean.dataSync() as Float32Array, runVar: u.runVar.dataSync() as Float32Array,
    };
    items.push({ kind: 'conv', unit: makeUnit(u.name, u.k, u.cin, u.cout, u.groups.slice(), u.isInput ? null : inGroups, u.mode, v) });
    inGroups = u.groups;
  }
  const heads = net.heads.map((h) => ({ start: h.start, end: h.end, kernel: newVar(() => h.kernel.clone()), bias: newVar(() => h.bias.clone()) }));
  return assembleNet({ name: net.name, items, heads, classifier: net.classifier, inChannels: net.inChannels, inputHW: net.inputHW, numClasses: net.numClasses, gamma0: net.gamma0, rounds: net.rounds });
}

/** Output widths of the conv units in order. */
export const netWidths = (net: NRNet): number[] => net.convs().map((u) => u.cout);

/** Gammas that take part in NR (the set T): every conv of the chain (VGG: all layers, thesis). */
export function gammaVars(net: NRNet): tf.Variable[] {
  return net.convs().map((u) => u.gamma);
}

/** Allocated vs effective conv weights: effective excludes masked (removed) cross blocks (pitfall 5). */
export function convWeightCounts(net: NRNet): { allocated: number; effective: number } {
  let allocated = 0, effective = 0;
  let inGroups: number[] | null = null;
  for (const u of net.convs()) {
    const kk = u.k * u.k;
    allocated += kk * u.cin * u.cout;
    if (u.crMask && inGroups) effective += kk * inGroups.reduce((s, gi, g) => s + gi * u.groups[g], 0);
    else effective += kk * u.cin * u.cout;
    inGroups = u.groups;
  }
  return { allocated, effective };
}
