// DetectoRS backbone: a ResNet whose 3x3 convs can be Switchable Atrous Convolutions and whose
// first block per stage (stages >= 2) can take Recursive-Feature-Pyramid feedback through a
// zero-initialised 1x1 "RfpConv" added after the residual sum, before the final ReLU
// (thesis Fig. 6-3; reference mmdet Bottleneck.rfp_forward).
// Blocks: 'basic' (two 3x3 convs, the mini model) or 'bottleneck' (torchvision v1.5, stride on the 3x3).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer } from '../../nn/types';
import { batchNorm, conv2d, sequential } from '../../nn/layers';
import type { InitKind } from '../../nn/init';
import { sac } from './sac';

export interface BackboneConfig {
  /** 'mini': conv3x3 s2 -> conv3x3 s2 (stride 4, spec §7); 'imagenet': conv7x7 s2 + maxpool3 s2. */
  stem: 'mini' | 'imagenet';
  stemChannels: number;
  block: 'basic' | 'bottleneck';
  /** Output channels per stage (bottleneck: planes * 4). */
  channels: number[];
  blocks: number[];
  /** Stride of each stage's first block (first stage 1). */
  strides: number[];
  /** Replace the 3x3 convs of these stages (0-based) by SAC. Default none. */
  sacStages?: number[];
  /** SAC atrous rate (default 3). */
  sacRate?: number;
  sacLock?: boolean;
  sacGlobalContext?: boolean;
  /** Feedback channel count (C_fpn) if this backbone receives RFP feedback (B^t, t >= 2). */
  rfpInChannels?: number;
  /** Initialiser (use 'zeros' to construct huge configs quickly just to count). */
  init?: InitKind;
}

export interface DetBackbone extends Layer {
  readonly config: BackboneConfig;
  /** Plain forward: stage outputs [C2, C3, ...]. */
  applyFeatures(x: tf.Tensor, ctx: Ctx): tf.Tensor[];
  /** RFP forward: stage k >= 1 (0-based) first block adds RfpConv_k(feedback[k]); feedback[0] is unused. */
  rfpForward(x: tf.Tensor, feedback: (tf.Tensor | null)[], ctx: Ctx): tf.Tensor[];
}

interface Block extends Layer { applyBlock(x: tf.Tensor, fb: tf.Tensor | null, ctx: Ctx): tf.Tensor }

function conv3x3OrSac(name: string, cin: number, cout: number, stride: number, useSac: boolean, cfg: BackboneConfig, rng: Rng, tapKey: string): Layer {
  if (useSac) return sac({ name, inChannels: cin, filters: cout, stride, rate: cfg.sacRate, lock: cfg.sacLock, globalContext: cfg.sacGlobalContext, tapKey }, rng);
  return conv2d({ name, inChannels: cin, filters: cout, kernelSize: 3, stride, init: cfg.init }, rng);
}

function block(name: string, cin: number, cout: number, stride: number, useSac: boolean, rfpIn: number | null, cfg: BackboneConfig, rng: Rng, tap: string): Block {
  const layers: Layer[] = [];
  let body: (x: tf.Tensor, ctx: Ctx) => tf.Tensor;
  if (cfg.block === 'basic') {
    const c1 = conv3x3OrSac('conv1', cin, cout, stride, useSac, cfg, rng, `${tap}/conv1`), b1 = batchNorm({ name: 'bn1', channels: cout });
    const c2 = conv3x3OrSac('conv2', cout, cout, 1, useSac, cfg, rng, `${tap}/conv2`), b2 = batchNorm({ name: 'bn2', channels: cout });
    layers.push(c1, b1, c2, b2);
    body = (x, ctx) => b2.apply(c2.apply(tf.relu(b1.apply(c1.apply(x, ctx), ctx)), ctx), ctx);
  } else {
    const planes = cout / 4;
    if (!Number.isInteger(planes)) throw new Error(`backbone: bottleneck output channels must be divisible by 4, got ${cout}`);
    const c1 = conv2d({ name: 'conv1', inChannels: cin, filters: planes, kernelSize: 1, padding: 0, init: cfg.init }, rng), b1 = batchNorm({ name: 'bn1', channels: planes });
    const c2 = conv3x3OrSac('conv2', planes, planes, stride, useSac, cfg, rng, `${tap}/conv2`), b2 = batchNorm({ name: 'bn2', channels: planes });
    const c3 = conv2d({ name: 'conv3', inChannels: planes, filters: cout, kernelSize: 1, padding: 0, init: cfg.init }, rng), b3 = batchNorm({ name: 'bn3', channels: cout });
    layers.push(c1, b1, c2, b2, c3, b3);
    body = (x, ctx) => b3.apply(c3.apply(tf.relu(b2.apply(c2.apply(tf.relu(b1.apply(c1.apply(x, ctx), ctx)), ctx), ctx)), ctx), ctx);
  }
  let shortcut: Layer | null = null;
  if (stride !== 1 || cin !== cout) {
    shortcut = sequential('shortcut', [conv2d({ name: 'conv', inChannels: cin, filters: cout, kernelSize: 1, stride, padding: 0, init: cfg.init }, rng), batchNorm({ name: 'bn', channels: cout })]);
    layers.push(shortcut);
  }
  // RfpConv: C_fpn -> cout, bias, weight 0 and bias 0 (thesis: zero init keeps pretrained outputs).
  const rfpConv = rfpIn ? conv2d({ name: 'rfpConv', inChannels: rfpIn, filters: cout, kernelSize: 1, padding: 0, bias: true, init: 'zeros' }, rng) : null;
  if (rfpConv) layers.push(rfpConv);
  const applyBlock = (x: tf.Tensor, fb: tf.Tensor | null, ctx: Ctx) => tf.tidy(() => {
    let y = tf.add(body(x, ctx), shortcut ? shortcut.apply(x, ctx) : x);
    if (fb) {
      if (!rfpConv) throw new Error(`backbone block '${name}': got RFP feedback but has no RfpConv (build with rfpInChannels)`);
      if (fb.shape[1] !== y.shape[1] || fb.shape[2] !== y.shape[2]) throw new Error(`backbone block '${name}': feedback spatial size ${fb.shape[1]}x${fb.shape[2]} does not match ${y.shape[1]}x${y.shape[2]}`);
      y = tf.add(y, rfpConv.apply(fb, ctx));
    }
    return tf.relu(y);
  });
  return { name, params: [], state: [], children: layers, apply: (x, ctx) => applyBlock(x, null, ctx), applyBlock };
}

export function detBackbone(cfg: BackboneConfig, rng: Rng, name = 'backbone'): DetBackbone {
  const S = cfg.channels.length;
  if (cfg.blocks.length !== S || cfg.strides.length !== S) throw new Error(`detBackbone: channels (${S}), blocks (${cfg.blocks.length}) and strides (${cfg.strides.length}) must have the same length`);
  for (const s of cfg.sacStages ?? []) if (!(s >= 0 && s < S)) throw new Error(`detBackbone: sacStages entry ${s} is not a stage index 0..${S - 1}`);
  const stemLayers: Layer[] = cfg.stem === 'mini'
    ? [conv2d({ name: 'conv1', inChannels: 3, filters: cfg.stemChannels, kernelSize: 3, stride: 2, init: cfg.init }, rng), batchNorm({ name: 'bn1', channels: cfg.stemChannels }),
      conv2d({ name: 'conv2', inChannels: cfg.stemChannels, filters: cfg.stemChannels, kernelSize: 3, stride: 2, init: cfg.init }, rng), batchNorm({ name: 'bn2', channels: cfg.stemChannels })]
    : [conv2d({ name: 'conv1', inChannels: 3, filters: cfg.stemChannels, kernelSize: 7, stride: 2, init: cfg.init }, rng), batchNorm({ name: 'bn1', channels: cfg.stemChannels })];
  const stem = sequential('stem', stemLayers);
  const stemApply = (x: tf.Tensor, ctx: Ctx) => tf.tidy(() => {
    if (cfg.stem === 'mini') {
      const h = tf.relu(stemLayers[1].apply(stemLayers[0].apply(x, ctx), ctx));
      return tf.relu(stemLayers[3].apply(stemLayers[2].apply(h, ctx), ctx));
    }
    const h = tf.relu(stemLayers[1].apply(stemLayers[0].apply(x, ctx), ctx));
    return tf.maxPool(tf.pad(h as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]], -1e9), 3, 2, 'valid');
  });
  const stages: Block[][] = [];
  let cin = cfg.stemChannels;
  const sacSet = new Set(cfg.sacStages ?? []);
  for (let s = 0; s < S; s++) {
    const bl: Block[] = [];
    for (let b = 0; b < cfg.blocks[s]; b++) {
      const rfpIn = b === 0 && s > 0 && cfg.rfpInChannels ? cfg.rfpInChannels : null;
      bl.push(block(`block${b}`, cin, cfg.channels[s], b === 0 ? cfg.strides[s] : 1, sacSet.has(s), rfpIn, cfg, rng, `${name}/stage${s + 1}/block${b}`));
      cin = cfg.channels[s];
    }
    stages.push(bl);
  }
  const stageLayers = stages.map((bl, s) => sequential(`stage${s + 1}`, bl));
  const forward = (x: tf.Tensor, feedback: (tf.Tensor | null)[] | null, ctx: Ctx) => {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`detBackbone '${name}': expected images [N, H, W, 3], got [${x.shape}]`);
    return tf.tidy(() => {
      const outs: tf.Tensor[] = [];
      let h = stemApply(x, ctx);
      stages.forEach((bl, s) => {
        bl.forEach((blk, b) => { h = blk.applyBlock(h, feedback && b === 0 && s > 0 ? feedback[s] ?? null : null, ctx); });
        outs.push(h);
      });
      return outs;
    });
  };
  return {
    name, config: cfg, params: [], state: [], children: [stem, ...stageLayers],
    apply() { throw new Error(`detBackbone '${name}': returns several feature maps; call applyFeatures(x, ctx)`); },
    applyFeatures: (x, ctx) => forward(x, null, ctx),
    rfpForward: (x, fb, ctx) => {
      if (!cfg.rfpInChannels) throw new Error(`detBackbone '${name}': rfpForward needs a backbone built with rfpInChannels`);
      return forward(x, fb, ctx);
    },
  };
}
