// ViP-DeepLab (spec §2.3, §2.5, §3): a shared encoder, Panoptic-DeepLab's dual-ASPP dual-decoder
// (semantic + instance), a depth head on the semantic decoder (88 * sigmoid in the thesis), and the
// next-frame instance branch on concat(res5_t, res5_t+1) with frame t+1's low-level features.
// Generic pieces (ASPP, conv-BN-ReLU, separable conv, basic/bottleneck blocks, ResNet) come from lib/nn.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer } from '../../nn/types';
import { aspp, basicBlock, convBnAct, separableConv } from '../../nn/blocks';
import { conv2d, sequential } from '../../nn/layers';
import { resnet } from '../../nn/backbones';
import { expectShape } from '../../nn/check';

export interface DecoderConfig {
  /** Channels of the ASPP / Cascade-ASPP output. */
  asppChannels: number;
  /** 1x1 projections of the stride-8 and stride-4 features. */
  lowProj: [number, number];
  /** Decoder (fusion) channels. */
  channels: number;
}

export interface VipConfig {
  name?: string;
  numClasses: number;
  /** 'mini' (spec §3 EncoderMini) or 'resnet50' (deeplab2's ResNet-50 OS32 setting, for GPUs). */
  backbone: 'mini' | 'resnet50';
  /** Stage widths of the mini encoder at strides 4, 8, 16. */
  encoderWidths?: [number, number, number];
  asppRates: number[];
  semantic: DecoderConfig;
  instance: DecoderConfig;
  next: DecoderConfig;
  /** Head mid channels: semantic, center, offset, depth, next-offset. */
  heads: { semantic: number; center: number; offset: number; depth: number; next: number };
  /** Kernel of the decoder fusion and head separable convs (deeplab2 5). */
  fusionKernel: number;
  /** Context modules of the next-frame branch: 1 = plain ASPP (deeplab2), 4 = Cascade-ASPP (DenseContext). */
  numContextModules: number;
  /** Depth = maxDepth * sigmoid(f_d) (T eq. 7.3): 88 for KITTI, 40 for the synthetic scenes. */
  maxDepth: number;
}

/** The mini model of spec §3 for 64x64 frames. */
export function vipMiniConfig(numClasses: number, o: Partial<VipConfig> = {}): VipConfig {
  return {
    name: 'vip-mini', numClasses, backbone: 'mini', encoderWidths: [16, 32, 64],
    // (D) rates 1,2,3: the stride-16 map of a 64-px frame is 4x4, so deeplab2's (3,6,9) would only see padding.
    asppRates: [1, 2, 3],
    semantic: { asppChannels: 32, lowProj: [16, 8], channels: 32 },
    instance: { asppChannels: 16, lowProj: [16, 8], channels: 16 },
    next: { asppChannels: 16, lowProj: [16, 8], channels: 16 },
    heads: { semantic: 32, center: 16, offset: 16, depth: 16, next: 16 },
    fusionKernel: 5, numContextModules: 1, maxDepth: 40, ...o,
  };
}

/**
 * deeplab2's ViP-DeepLab sizes (spec §4 reference): ASPP rates (3,6,9), semantic decoder 256 with
 * projections 64/32, instance and next decoders 128 with 32/16, heads 256 / 32 / 32 / 64 / 32,
 * MaxDepth 88; backbone ResNet-50 (the thesis uses WR-41, which lib/nn does not provide).
 */
export function vipReferenceConfig(numClasses = 19, o: Partial<VipConfig> = {}): VipConfig {
  return {
    name: 'vip-resnet50', numClasses, backbone: 'resnet50', asppRates: [3, 6, 9],
    semantic: { asppChannels: 256, lowProj: [64, 32], channels: 256 },
    instance: { asppChannels: 256, lowProj: [32, 16], channels: 128 },
    next: { asppChannels: 256, lowProj: [32, 16], channels: 128 },
    heads: { semantic: 256, center: 32, offset: 32, depth: 64, next: 32 },
    fusionKernel: 5, numContextModules: 1, maxDepth: 88, ...o,
  };
}

export interface Features { s4: tf.Tensor4D; s8: tf.Tensor4D; high: tf.Tensor4D }

interface Encoder extends Layer {
  channels: [number, number, number];
  encode(x: tf.Tensor4D, ctx: Ctx): Features;
}

/** EncoderMini: stem conv3x3 s2 + conv3x3 s2, then one basic block per stage at strides 4, 8, 16. */
export function encoderMini(widths: [number, number, number], rng: Rng, inChannels = 3): Encoder {
  const [w2, w3, w5] = widths;
  const stem = sequential('stem', [
    convBnAct({ name: 'conv1', inChannels, filters: w2, kernelSize: 3, stride: 2 }, rng),
    convBnAct({ name: 'conv2', inChannels: w2, filters: w2, kernelSize: 3, stride: 2 }, rng),
  ]);
  const res2 = basicBlock({ name: 'res2', inChannels: w2, outChannels: w2 }, rng);
  const res3 = basicBlock({ name: 'res3', inChannels: w2, outChannels: w3, stride: 2 }, rng);
  const res5 = basicBlock({ name: 'res5', inChannels: w3, outChannels: w5, stride: 2 }, rng);
  const encode = (x: tf.Tensor4D, ctx: Ctx): Features => {
    const s4 = res2.apply(stem.apply(x, ctx), ctx) as tf.Tensor4D;
    const s8 = res3.apply(s4, ctx) as tf.Tensor4D;
    return { s4, s8, high: res5.apply(s8, ctx) as tf.Tensor4D };
  };
  return {
    name: 'encoder', params: [], state: [], children: [stem, res2, res3, res5], channels: [w2, w3, w5], encode,
    apply: (x, ctx) => tf.tidy(() => encode(x as tf.Tensor4D, ctx).high),
  };
}

/** ResNet-50 (torchvision layout from lib/nn) exposing layer1 (s4), layer2 (s8), layer4 (s32). */
export function encoderResnet50(rng: Rng, inChannels = 3): Encoder {
  const net = resnet(rng, { name: 'encoder', blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], block: 'bottleneck', stem: 'imagenet', inChannels, numClasses: 0 });
  const encode = (x: tf.Tensor4D, ctx: Ctx): Features => {
    const f = net.applyFeatures(x, ctx);
    const by = (n: string) => f[net.features.findIndex((fi) => fi.name === n)] as tf.Tensor4D;
    const out = { s4: by('layer1'), s8: by('layer2'), high: by('layer4') };
    for (const t of f) if (t !== out.s4 && t !== out.s8 && t !== out.high) t.dispose();
    return out;
  };
  return { ...net, name: 'encoder', channels: [256, 512, 2048], encode, apply: (x, ctx) => tf.tidy(() => encode(x as tf.Tensor4D, ctx).high) };
}

/** Bilinear resize with align corners (deeplab2's resize convention). */
export function resizeAligned(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  if (x.shape[1] === h && x.shape[2] === w) return x.clone();
  return tf.image.resizeBilinear(x, [h, w], true);
}

/**
 * Resize an offset map [N,h,w,2] to [H,W] and rescale its values by the align-corners factors
 * (H-1)/(h-1) for dy and (W-1)/(w-1) for dx (deeplab2 `resize_and_rescale_offsets`, pitfall 13).
 */
export function resizeAndRescaleOffsets(off: tf.Tensor4D, H: number, W: number): tf.Tensor4D {
  expectShape('resizeAndRescaleOffsets', 'offsets', off, [null, null, null, 2]);
  return tf.tidy(() => {
    const [, h, w] = off.shape;
    const sy = h > 1 ? (H - 1) / (h - 1) : 1, sx = w > 1 ? (W - 1) / (w - 1) : 1;
    return tf.mul(resizeAligned(off, H, W), tf.tensor1d([sy, sx])) as tf.Tensor4D;
  });
}

export interface CascadeAsppOptions { name?: string; inChannels: number; channels: number; rates: number[]; numModules: number }

/**
 * Cascade-ASPP (spec §2.3 reading (D), DenseASPP-style): y_j = ASPP_j(concat(y_0..y_{j-1})),
 * out = ReLU(BN(Conv1x1(concat(y_1..y_M)))). numModules = 1 is a plain ASPP (no extra projection).
 */
export function cascadeAspp(o: CascadeAsppOptions, rng: Rng): Layer & { moduleInChannels: number[] } {
  const M = o.numModules;
  if (!Number.isInteger(M) || M < 1) throw new Error(`cascadeAspp: numModules must be a positive integer, got ${M}`);
  const name = o.name ?? 'context';
  if (M === 1) {
    const a = aspp({ name: 'aspp1', inChannels: o.inChannels, channels: o.channels, rates: o.rates }, rng);
    return { name, params: [], state: [], children: [a], moduleInChannels: [o.inChannels], apply: (x, ctx) => a.apply(x, ctx) };
  }
  const ins = Array.from({ length: M }, (_, j) => o.inChannels + j * o.channels);
  const mods = ins.map((c, j) => aspp({ name: `aspp${j + 1}`, inChannels: c, channels: o.channels, rates: o.rates }, rng));
  const project = convBnAct({ name: 'project', inChannels: M * o.channels, filters: o.channels, kernelSize: 1 }, rng);
  return {
    name, params: [], state: [], children: [...mods, project], moduleInChannels: ins,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      expectShape('cascadeAspp', name, x, [null, null, null, o.inChannels]);
      return tf.tidy(() => {
        const ys: tf.Tensor[] = [];
        for (const m of mods) ys.push(m.apply(ys.length ? tf.concat([x, ...ys], 3) : x, ctx));
        return project.apply(tf.concat(ys, 3), ctx);
      });
    },
  };
}

interface Decoder extends Layer { channels: number; decode(high: tf.Tensor4D, s8: tf.Tensor4D, s4: tf.Tensor4D, ctx: Ctx): tf.Tensor4D }

/**
 * Panoptic-DeepLab decoder: context on the high-level feature, x2 up + concat with the projected
 * stride-8 feature + separable fusion, x2 up + concat with the projected stride-4 feature + fusion.
 * Upsampling goes to the low-level map's size (stride 32 -> 8 for ResNet-50 OS32, as deeplab2).
 */
export function panopticDecoder(o: { name: string; highChannels: number; lowChannels: [number, number]; cfg: DecoderConfig; rates: number[]; numContextModules: number; fusionKernel: number }, rng: Rng): Decoder {
  const c = o.cfg;
  const context = cascadeAspp({ name: 'context', inChannels: o.highChannels, channels: c.asppChannels, rates: o.rates, numModules: o.numContextModules }, rng);
  const proj8 = convBnAct({ name: 'proj_s8', inChannels: o.lowChannels[0], filters: c.lowProj[0], kernelSize: 1 }, rng);
  const fuse8 = separableConv({ name: 'fuse_s8', inChannels: c.asppChannels + c.lowProj[0], filters: c.channels, kernelSize: o.fusionKernel }, rng);
  const proj4 = convBnAct({ name: 'proj_s4', inChannels: o.lowChannels[1], filters: c.lowProj[1], kernelSize: 1 }, rng);
  const fuse4 = separableConv({ name: 'fuse_s4', inChannels: c.channels + c.lowProj[1], filters: c.channels, kernelSize: o.fusionKernel }, rng);
  const decode = (high: tf.Tensor4D, s8: tf.Tensor4D, s4: tf.Tensor4D, ctx: Ctx): tf.Tensor4D => tf.tidy(() => {
    let h = context.apply(high, ctx) as tf.Tensor4D;
    h = resizeAligned(h, s8.shape[1], s8.shape[2]);
    h = fuse8.apply(tf.concat([h, proj8.apply(s8, ctx)], 3), ctx) as tf.Tensor4D;
    h = resizeAligned(h, s4.shape[1], s4.shape[2]);
    return fuse4.apply(tf.concat([h, proj4.apply(s4, ctx)], 3), ctx) as tf.Tensor4D;
  });
  return {
    name: o.name, params: [], state: [], children: [context, proj8, fuse8, proj4, fuse4], channels: c.channels, decode,
    apply: () => { throw new Error(`panopticDecoder '${o.name}': call decode(high, s8, s4, ctx)`); },
  };
}

/** Prediction head: kxk separable conv (BN, ReLU) -> 1x1 conv with TruncatedNormal(0.01) kernel, zero bias. */
export function predictionHead(o: { name: string; inChannels: number; mid: number; out: number; kernel: number }, rng: Rng): Layer {
  return sequential(o.name, [
    separableConv({ name: 'conv', inChannels: o.inChannels, filters: o.mid, kernelSize: o.kernel }, rng),
    conv2d({ name: 'out', inChannels: o.mid, filters: o.out, kernelSize: 1, padding: 0, bias: true, init: { truncatedNormal: 0.01 } }, rng),
  ]);
}

/** Depth = maxDepth * sigmoid(f_d) (T eq. 7.3); zero logits give maxDepth / 2. */
export function depthFromLogits(fd: tf.Tensor, maxDepth: number): tf.Tensor {
  if (!(maxDepth > 0)) throw new Error(`depthFromLogits: maxDepth must be > 0, got ${maxDepth}`);
  return tf.tidy(() => tf.mul(tf.sigmoid(fd), maxDepth));
}

export interface FrameHeadOutputs {
  semLogits: tf.Tensor4D;
  center: tf.Tensor4D;
  offset: tf.Tensor4D;
  depth: tf.Tensor4D;
}

export interface VipModel extends Layer {
  config: VipConfig;
  /** Images [N,H,W,3] already normalised as deeplab2 (x/127.5 - 1; data/tensors imagesToFloat 'deeplab'). */
  encode(images: tf.Tensor4D, ctx: Ctx): Features;
  /** Semantic logits, center heatmap, offsets and depth of one frame, at input resolution H x W. */
  frameHeads(f: Features, H: number, W: number, ctx: Ctx): FrameHeadOutputs;
  /** Next-frame offsets [N,H,W,2] of frame t+1 pixels towards frame-t centers. */
  nextOffsets(ft: Features, fn: Features, H: number, W: number, ctx: Ctx): tf.Tensor4D;
}

export function vipDeepLab(cfg: VipConfig, rng: Rng): VipModel {
  if (!(cfg.numClasses >= 2)) throw new Error(`vipDeepLab: numClasses must be >= 2, got ${cfg.numClasses}`);
  if (cfg.backbone !== 'mini' && cfg.backbone !== 'resnet50') throw new Error(`vipDeepLab: unknown backbone '${String(cfg.backbone)}' (use 'mini' or 'resnet50')`);
  const enc = cfg.backbone === 'mini' ? encoderMini(cfg.encoderWidths ?? [16, 32, 64], rng.fork('enc')) : encoderResnet50(rng.fork('enc'));
  const [c4, c8, ch] = enc.channels;
  const k = cfg.fusionKernel;
  const dec = (name: string, d: DecoderConfig, high: number, low: [number, number], M: number) =>
    panopticDecoder({ name, highChannels: high, lowChannels: low, cfg: d, rates: cfg.asppRates, numContextModules: M, fusionKernel: k }, rng.fork(name));
  const semDec = dec('semantic_decoder', cfg.semantic, ch, [c8, c4], 1);
  const insDec = dec('instance_decoder', cfg.instance, ch, [c8, c4], 1);
  const nextDec = dec('next_decoder', cfg.next, 2 * ch, [c8, c4], cfg.numContextModules);
  const h = cfg.heads;
  const head = (name: string, inC: number, mid: number, out: number) => predictionHead({ name, inChannels: inC, mid, out, kernel: k }, rng.fork(name));
  const semHead = head('semantic_head', semDec.channels, h.semantic, cfg.numClasses);
  const centerHead = head('center_head', insDec.channels, h.center, 1);
  const offsetHead = head('offset_head', insDec.channels, h.offset, 2);
  const depthHead = head('depth_head', semDec.channels, h.depth, 1);
  const nextHead = head('next_offset_head', nextDec.channels, h.next, 2);

  const encode = (images: tf.Tensor4D, ctx: Ctx): Features => {
    expectShape('vipDeepLab', cfg.name ?? 'vip', images, [null, null, null, 3], ['N', 'H', 'W', '3']);
    return enc.encode(images, ctx);
  };
  const frameHeads = (f: Features, H: number, W: number, ctx: Ctx): FrameHeadOutputs => {
    const sem = semDec.decode(f.high, f.s8, f.s4, ctx);
    const ins = insDec.decode(f.high, f.s8, f.s4, ctx);
    const out = tf.tidy(() => {
      const semLogits = resizeAligned(semHead.apply(sem, ctx) as tf.Tensor4D, H, W);
      const center = resizeAligned(centerHead.apply(ins, ctx) as tf.Tensor4D, H, W);
      const offset = resizeAndRescaleOffsets(offsetHead.apply(ins, ctx) as tf.Tensor4D, H, W);
      const up = resizeAligned(sem, 2 * sem.shape[1], 2 * sem.shape[2]); // decoder stride 4 -> 2 (R)
      const depth = resizeAligned(depthFromLogits(depthHead.apply(up, ctx), cfg.maxDepth) as tf.Tensor4D, H, W);
      return { semLogits, center, offset, depth };
    });
    sem.dispose(); ins.dispose();
    return out;
  };
  const nextOffsets = (ft: Features, fn: Features, H: number, W: number, ctx: Ctx): tf.Tensor4D => tf.tidy(() => {
    const high = tf.concat([ft.high, fn.high], 3) as tf.Tensor4D;
    const d = nextDec.decode(high, fn.s8, fn.s4, ctx); // low-level features of frame t+1 (T)
    return resizeAndRescaleOffsets(nextHead.apply(d, ctx) as tf.Tensor4D, H, W);
  });
  const model: VipModel = {
    name: cfg.name ?? 'vip', params: [], state: [], config: cfg,
    children: [enc, semDec, insDec, nextDec, semHead, centerHead, offsetHead, depthHead, nextHead],
    encode, frameHeads, nextOffsets,
    /** Layer contract: x = [N,H,W,6] (frame t | frame t+1 on channels) -> [sem K | center | offset 2 | depth | next 2]. */
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      expectShape('vipDeepLab', model.name, x, [null, null, null, 6], ['N', 'H', 'W', '6 (two RGB frames)']);
      return tf.tidy(() => {
        const [a, b] = tf.split(x as tf.Tensor4D, 2, 3);
        const H = x.shape[1] as number, W = x.shape[2] as number;
        const ft = encode(a as tf.Tensor4D, ctx), fn = encode(b as tf.Tensor4D, ctx);
        const o = frameHeads(ft, H, W, ctx);
        return tf.concat([o.semLogits, o.center, o.offset, o.depth, nextOffsets(ft, fn, H, W, ctx)], 3);
      });
    },
  };
  return model;
}

export function disposeFeatures(f: Features): void { f.s4.dispose(); f.s8.dispose(); f.high.dispose(); }
