// FasterRcnnMini: a minimal but real two-stage detector (Faster R-CNN + FPN, spec §2.5) whose
// backbone can carry SAC and whose neck can be the Recursive Feature Pyramid. HTC (cascade + masks
// + semantic branch) is out of scope for tfjs on a CPU; RFP and SAC are backbone-level and plug
// into any detector (thesis §6.3 / §6.4).
import * as tf from '@tensorflow/tfjs';
import { makeRng, type Rng } from '../../util/random';
import type { Ctx, Layer, NamedVar } from '../../nn/types';
import { fpn, type FpnLayer } from '../../nn/fpn';
import { collectParams, collectState } from '../../nn/tree';
import { roiAlignMatmul, sortRoisForAlign } from '../../nn/roi-align';
import { detBackbone, type BackboneConfig, type DetBackbone } from './backbone';
import { rfpAspp, rfpForward, rfpFusion, type AsppLayer, type FusionLayer } from './rfp';
import { bboxHead, rpnHead, type BBoxHead, type RpnHead } from './heads';
import { anchorsPerCell, batchedNms, decodeBoxes, encodeBoxes, makeAnchors, nms, softNms, type AnchorOptions } from './boxes';
import { assignMaxIou, sampleAssignment } from './assign';

export interface SacConfig { stages: number[]; rate?: number; lock?: boolean; globalContext?: boolean }
export interface RfpConfig { steps: number; useAspp?: boolean; useFusion?: boolean; /** "RFP + sharing": one backbone for every step. */ share?: boolean }

export interface DetectorConfig {
  imageSize: number;
  numClasses: number;
  backbone: Omit<BackboneConfig, 'sacStages' | 'sacRate' | 'sacLock' | 'sacGlobalContext' | 'rfpInChannels'>;
  fpnChannels: number;
  /** Anchor sizes per RPN level; RPN levels = backbone stages + 1 max-pooled extra level. */
  anchorSizes: number[][];
  anchorRatios: number[];
  sac: SacConfig | null;
  rfp: RfpConfig | null;
  roi: { outSize: number; samplingRatio: number; finestScale: number };
  headDim: number;
  train: {
    rpnNum: number; rpnPosFraction: number; rpnPosThr: number; rpnNegThr: number; rpnMinPos: number;
    nmsPre: number; nmsThr: number; trainProposals: number; testProposals: number; minSize: number;
    rcnnNum: number; rcnnPosFraction: number; rcnnPosThr: number;
  };
  test: { scoreThr: number; nmsThr: number; maxPerImage: number; softNms?: boolean };
}

/** The spec §7 mini model: 64x64 input, stem to stride 4, stages [16,32,64], FPN 32, 4 classes. */
export function miniDetectorConfig(over: Partial<DetectorConfig> = {}): DetectorConfig {
  return {
    imageSize: 64, numClasses: 4,
    backbone: { stem: 'mini', stemChannels: 16, block: 'basic', channels: [16, 32, 64], blocks: [1, 1, 1], strides: [1, 2, 2] },
    fpnChannels: 32,
    // (D) spec §7 gives P5 one size {64} (3 anchors); the head predicts 6 and P5 uses the first 3.
    anchorSizes: [[8, 12], [16, 24], [32, 48], [64]],
    anchorRatios: [0.5, 1, 2],
    sac: null, rfp: null,
    roi: { outSize: 5, samplingRatio: 2, finestScale: 8 },
    headDim: 128,
    train: { rpnNum: 128, rpnPosFraction: 0.5, rpnPosThr: 0.7, rpnNegThr: 0.3, rpnMinPos: 0.3, nmsPre: 300, nmsThr: 0.7, trainProposals: 100, testProposals: 50, minSize: 1, rcnnNum: 64, rcnnPosFraction: 0.25, rcnnPosThr: 0.5 },
    test: { scoreThr: 0.05, nmsThr: 0.5, maxPerImage: 20 },
    ...over,
  };
}

/** Ground truth of one image: flat boxes [g*4] (x1,y1,x2,y2) and labels 0..K-1. */
export interface ImageGt { boxes: Float32Array; labels: Int32Array }

export interface Detections { boxes: Float32Array; scores: Float32Array; labels: Int32Array }

export interface LossParts { rpnCls: tf.Scalar; rpnReg: tf.Scalar; rcnnCls: tf.Scalar; rcnnReg: tf.Scalar; total: tf.Scalar }

export interface Detector extends Layer {
  readonly config: DetectorConfig;
  readonly backbones: DetBackbone[];
  /** Pyramid outputs [P2..P(S+1), extra]. */
  features(img: tf.Tensor, ctx: Ctx): tf.Tensor[];
  /** Training losses for a batch (inside a gradient tape). `rng` drives anchor / RoI sampling. */
  losses(img: tf.Tensor, gts: ImageGt[], ctx: Ctx & { rng: Rng }): LossParts;
  /** Raw head outputs for fixed proposals (conversion checks): RPN logits + RoI class logits. */
  rawOutputs(img: tf.Tensor, ctx: Ctx): { rpnCls: tf.Tensor; rcnnCls: tf.Tensor; proposals: Float32Array };
  detect(img: tf.Tensor, ctx?: Ctx): Detections[];
}

const RCNN_STDS: [number, number, number, number] = [0.1, 0.1, 0.2, 0.2];

function validate(cfg: DetectorConfig): void {
  const S = cfg.backbone.channels.length;
  if (cfg.anchorSizes.length !== S + 1) throw new Error(`detector: anchorSizes needs ${S + 1} levels (${S} backbone stages + 1 extra), got ${cfg.anchorSizes.length}`);
  if (cfg.numClasses < 1) throw new Error(`detector: numClasses must be >= 1, got ${cfg.numClasses}`);
  if (cfg.rfp && !(cfg.rfp.steps >= 2)) throw new Error(`detector: rfp.steps must be >= 2, got ${cfg.rfp.steps}`);
  if (cfg.rfp && cfg.fpnChannels % 4 !== 0 && (cfg.rfp.useAspp ?? true)) throw new Error(`detector: RFP's ASPP needs fpnChannels divisible by 4, got ${cfg.fpnChannels}`);
  if (cfg.imageSize % 2 ** (S + 2) !== 0) throw new Error(`detector: imageSize ${cfg.imageSize} must be divisible by ${2 ** (S + 2)} (stride of the extra level)`);
}

/** Smooth L1 with beta, elementwise, written with abs/minimum so it has gradients everywhere. */
export function smoothL1(d: tf.Tensor, beta: number): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(d);
    if (beta <= 0) return a;
    const m = tf.minimum(a, beta);
    return tf.add(tf.div(tf.mul(0.5, tf.square(m)), beta), tf.sub(a, m));
  });
}

export function buildDetector(cfg: DetectorConfig, rng: Rng, name = 'det'): Detector {
  validate(cfg);
  const S = cfg.backbone.channels.length;
  const bcfg = (rfpIn?: number): BackboneConfig => ({
    ...cfg.backbone, sacStages: cfg.sac?.stages, sacRate: cfg.sac?.rate, sacLock: cfg.sac?.lock, sacGlobalContext: cfg.sac?.globalContext, rfpInChannels: rfpIn,
  });
  const backbones: DetBackbone[] = [];
  if (cfg.rfp?.share) {
    const shared = detBackbone(bcfg(cfg.fpnChannels), rng.fork('backbone'), 'backbone');
    for (let t = 0; t < cfg.rfp.steps; t++) backbones.push(shared);
  } else {
    backbones.push(detBackbone(bcfg(), rng.fork('backbone'), 'backbone'));
    for (let t = 2; t <= (cfg.rfp?.steps ?? 1); t++) backbones.push(detBackbone(bcfg(cfg.fpnChannels), rng.fork(`backbone${t}`), `backbone${t}`));
  }
  const neck: FpnLayer = fpn({ name: 'fpn', inChannels: cfg.backbone.channels, outChannels: cfg.fpnChannels, extraLevels: 1 }, rng.fork('fpn'));
  const aspp: AsppLayer | null = cfg.rfp && (cfg.rfp.useAspp ?? true) ? rfpAspp(cfg.fpnChannels, rng.fork('aspp')) : null;
  const fusion: FusionLayer | null = cfg.rfp && (cfg.rfp.useFusion ?? true) ? rfpFusion(cfg.fpnChannels, rng.fork('fusion')) : null;
  const anchorOpts: AnchorOptions = { strides: Array.from({ length: S + 1 }, (_, l) => 4 * 2 ** l), sizesPerLevel: cfg.anchorSizes, ratios: cfg.anchorRatios };
  const apl = cfg.anchorSizes.map((_, l) => anchorsPerCell(anchorOpts, l));
  const rpn: RpnHead = rpnHead(cfg.fpnChannels, Math.max(...apl), rng.fork('rpn'));
  const P = cfg.roi.outSize;
  const head: BBoxHead = bboxHead(P * P * cfg.fpnChannels, cfg.headDim, cfg.numClasses, rng.fork('bboxHead'));
  const shapes: [number, number][] = anchorOpts.strides.map((s) => [cfg.imageSize / s, cfg.imageSize / s]);
  const anchors = makeAnchors(anchorOpts, shapes);
  const levelStart: number[] = [0];
  shapes.forEach(([h, w], l) => levelStart.push(levelStart[l] + h * w * apl[l]));
  const nAnchors = anchors.length / 4;
  const roiStrides = anchorOpts.strides.slice(0, S);
  const size = cfg.imageSize;
  const uniqueBackbones = [...new Set(backbones)];
  const children: Layer[] = [...uniqueBackbones, neck];
  if (aspp) children.push(aspp);
  if (fusion) children.push(fusion);
  children.push(rpn, head);

  const features = (img: tf.Tensor, ctx: Ctx): tf.Tensor[] => {
    if (img.rank !== 4 || img.shape[1] !== size || img.shape[2] !== size || img.shape[3] !== 3) {
      throw new Error(`detector: expected images [N, ${size}, ${size}, 3], got [${img.shape}]`);
    }
    if (!cfg.rfp) return tf.tidy(() => neck.applyFeatures(backbones[0].applyFeatures(img, ctx), ctx));
    return rfpForward(img, backbones, neck, aspp, fusion, { steps: cfg.rfp.steps, useAspp: !!aspp, useFusion: !!fusion }, ctx);
  };

  /** Proposals per image from RPN outputs (values): top nmsPre per level, decode, min size, NMS, top k. */
  const proposals = (clsV: Float32Array, regV: Float32Array, n: number, k: number): Float32Array[] => {
    const out: Float32Array[] = [];
    for (let b = 0; b < n; b++) {
      const boxes: number[] = [], scores: number[] = [];
      for (let l = 0; l < shapes.length; l++) {
        const s0 = levelStart[l], s1 = levelStart[l + 1];
        const idx = Array.from({ length: s1 - s0 }, (_, i) => s0 + i);
        idx.sort((p, q) => clsV[b * nAnchors + q] - clsV[b * nAnchors + p] || p - q);
        const top = idx.slice(0, cfg.train.nmsPre);
        const a = new Float32Array(top.length * 4), d = new Float32Array(top.length * 4);
        top.forEach((i, j) => { for (let c = 0; c < 4; c++) { a[4 * j + c] = anchors[4 * i + c]; d[4 * j + c] = regV[(b * nAnchors + i) * 4 + c]; } });
        const dec = decodeBoxes(a, d, { clipTo: [size, size] });
        top.forEach((i, j) => {
          if (dec[4 * j + 2] - dec[4 * j] <= cfg.train.minSize || dec[4 * j + 3] - dec[4 * j + 1] <= cfg.train.minSize) return;
          for (let c = 0; c < 4; c++) boxes.push(dec[4 * j + c]);
          scores.push(1 / (1 + Math.exp(-clsV[b * nAnchors + i])));
        });
      }
      // (R, mmdet v2) NMS over the merged levels, then keep the top k.
      const keep = nms(boxes, scores, cfg.train.nmsThr, k);
      const p = new Float32Array(keep.length * 4);
      keep.forEach((i, j) => { for (let c = 0; c < 4; c++) p[4 * j + c] = boxes[4 * i + c]; });
      out.push(p);
    }
    return out;
  };

  const toRois = (props: Float32Array[]): Float32Array => {
    const total = props.reduce((a, p) => a + p.length / 4, 0);
    const rois = new Float32Array(total * 5);
    let r = 0;
    props.forEach((p, b) => { for (let i = 0; i < p.length / 4; i++, r++) { rois[5 * r] = b; for (let c = 0; c < 4; c++) rois[5 * r + 1 + c] = p[4 * i + c]; } });
    return rois;
  };
  const permuteRois = (rois: Float32Array, perm: number[]) => {
    const out = new Float32Array(rois.length);
    perm.forEach((src, i) => { for (let c = 0; c < 5; c++) out[5 * i + c] = rois[5 * src + c]; });
    return out;
  };
  const alignOpts = { outSize: P, samplingRatio: cfg.roi.samplingRatio, strides: roiStrides, finestScale: cfg.roi.finestScale };

  const det: Detector = {
    name, params: [], state: [], children, config: cfg, backbones,
    apply() { throw new Error(`detector '${name}': use features / losses / detect`); },
    features,
    losses(img, gts, ctx) {
      const n = img.shape[0];
      if (gts.length !== n) throw new Error(`detector.losses: ${n} images but ${gts.length} ground-truth entries`);
      const feats = features(img, ctx);
      const { cls, reg } = rpn.applyLevels(feats, apl, ctx);
      // RPN targets (plain TS).
      const lab = new Float32Array(n * nAnchors), w = new Float32Array(n * nAnchors);
      const tgt = new Float32Array(n * nAnchors * 4), pw = new Float32Array(n * nAnchors * 4);
      let sampled = 0;
      gts.forEach((g, b) => {
        const a = assignMaxIou(anchors, g.boxes, { posThr: cfg.train.rpnPosThr, negThr: cfg.train.rpnNegThr, minPosIou: cfg.train.rpnMinPos });
        const s = sampleAssignment(a, cfg.train.rpnNum, cfg.train.rpnPosFraction, ctx.rng);
        sampled += s.pos.length + s.neg.length;
        for (const i of s.neg) w[b * nAnchors + i] = 1;
        if (s.pos.length) {
          const pa = new Float32Array(s.pos.length * 4), pg = new Float32Array(s.pos.length * 4);
          s.pos.forEach((i, j) => { const gi = a.gtIndex[i] - 1; for (let c = 0; c < 4; c++) { pa[4 * j + c] = anchors[4 * i + c]; pg[4 * j + c] = g.boxes[4 * gi + c]; } });
          const enc = encodeBoxes(pa, pg);
          s.pos.forEach((i, j) => { lab[b * nAnchors + i] = 1; w[b * nAnchors + i] = 1; for (let c = 0; c < 4; c++) { tgt[(b * nAnchors + i) * 4 + c] = enc[4 * j + c]; pw[(b * nAnchors + i) * 4 + c] = 1; } });
        }
      });
      const norm = Math.max(sampled, 1);
      const clsV = cls.dataSync() as Float32Array, regV = reg.dataSync() as Float32Array;
      const rpnCls = tf.tidy(() => {
        const z = tf.tensor2d(lab, [n, nAnchors]);
        const bce = tf.add(tf.sub(tf.relu(cls), tf.mul(cls, z)), tf.log1p(tf.exp(tf.neg(tf.abs(cls)))));
        return tf.div(tf.sum(tf.mul(bce, tf.tensor2d(w, [n, nAnchors]))), norm) as tf.Scalar;
      });
      // (R) RPN reg: SmoothL1(beta = 1/9), normalised by the sampled anchors.
      const rpnReg = tf.tidy(() => tf.div(tf.sum(tf.mul(smoothL1(tf.sub(reg, tf.tensor3d(tgt, [n, nAnchors, 4])), 1 / 9), tf.tensor3d(pw, [n, nAnchors, 4]))), norm) as tf.Scalar);
      // Proposals (no gradient through them), plus GT boxes (R: GT added as proposals).
      const props = proposals(clsV, regV, n, cfg.train.trainProposals).map((p, b) => { const q = new Float32Array(p.length + gts[b].boxes.length); q.set(p); q.set(gts[b].boxes, p.length); return q; });
      // RCNN sampling.
      const sel: { b: number; box: number[]; label: number; target: number[] | null }[] = [];
      props.forEach((p, b) => {
        const g = gts[b];
        const a = assignMaxIou(p, g.boxes, { posThr: cfg.train.rcnnPosThr, negThr: cfg.train.rcnnPosThr, minPosIou: cfg.train.rcnnPosThr, lowQuality: false });
        const s = sampleAssignment(a, cfg.train.rcnnNum, cfg.train.rcnnPosFraction, ctx.rng);
        for (const i of s.pos) {
          const gi = a.gtIndex[i] - 1;
          const box = Array.from(p.subarray(4 * i, 4 * i + 4));
          sel.push({ b, box, label: g.labels[gi], target: Array.from(encodeBoxes(box, g.boxes.subarray(4 * gi, 4 * gi + 4), { stds: RCNN_STDS })) });
        }
        for (const i of s.neg) sel.push({ b, box: Array.from(p.subarray(4 * i, 4 * i + 4)), label: cfg.numClasses, target: null });
      });
      let rois = new Float32Array(sel.length * 5);
      sel.forEach((s, i) => { rois[5 * i] = s.b; rois.set(s.box, 5 * i + 1); });
      const perm = sortRoisForAlign(rois, roiStrides.length, n, cfg.roi.finestScale);
      rois = permuteRois(rois, perm);
      const R = sel.length, K1 = cfg.numClasses + 1;
      const onehot = new Float32Array(R * K1), rt = new Float32Array(R * 4), rw = new Float32Array(R * 4);
      perm.forEach((src, i) => {
        const s = sel[src];
        onehot[i * K1 + s.label] = 1;
        if (s.target) for (let c = 0; c < 4; c++) { rt[4 * i + c] = s.target[c]; rw[4 * i + c] = 1; }
      });
      const rnorm = Math.max(R, 1);
      const { rcnnCls, rcnnReg } = tf.tidy(() => {
        const rf = roiAlignMatmul(feats.slice(0, roiStrides.length) as tf.Tensor4D[], rois, alignOpts);
        const o = head.applyRois(rf, ctx);
        const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(o.cls), tf.tensor2d(onehot, [R, K1]))));
        const l1 = tf.sum(tf.mul(smoothL1(tf.sub(o.reg, tf.tensor2d(rt, [R, 4])), 1), tf.tensor2d(rw, [R, 4])));
        return { rcnnCls: tf.div(ce, rnorm) as tf.Scalar, rcnnReg: tf.div(l1, rnorm) as tf.Scalar };
      });
      feats.forEach((f) => f.dispose()); cls.dispose(); reg.dispose();
      const total = tf.addN([rpnCls, rpnReg, rcnnCls, rcnnReg]) as tf.Scalar;
      return { rpnCls, rpnReg, rcnnCls, rcnnReg, total };
    },
    rawOutputs(img, ctx) {
      let rois = new Float32Array(0);
      const r = tf.tidy(() => {
        const feats = features(img, ctx);
        const { cls, reg } = rpn.applyLevels(feats, apl, ctx);
        rois = toRois(proposals(cls.dataSync() as Float32Array, reg.dataSync() as Float32Array, img.shape[0], cfg.train.testProposals));
        const o = head.applyRois(roiAlignMatmul(feats.slice(0, roiStrides.length) as tf.Tensor4D[], rois, alignOpts), ctx);
        return { rpnCls: cls as tf.Tensor, rcnnCls: o.cls as tf.Tensor };
      });
      return { ...r, proposals: rois };
    },
    detect(img, ctx = { training: false }) {
      const n = img.shape[0];
      let props: Float32Array[] = [], clsP = new Float32Array(0), regV = new Float32Array(0);
      tf.tidy(() => {
        const feats = features(img, ctx);
        const { cls, reg } = rpn.applyLevels(feats, apl, ctx);
        props = proposals(cls.dataSync() as Float32Array, reg.dataSync() as Float32Array, n, cfg.train.testProposals);
        const rf = roiAlignMatmul(feats.slice(0, roiStrides.length) as tf.Tensor4D[], toRois(props), alignOpts);
        const o = head.applyRois(rf, ctx);
        clsP = tf.softmax(o.cls).dataSync() as Float32Array;
        regV = o.reg.dataSync() as Float32Array;
      });
      const K = cfg.numClasses, K1 = K + 1;
      const out: Detections[] = [];
      let r0 = 0;
      for (let b = 0; b < n; b++) {
        const p = props[b], m = p.length / 4;
        const dec = decodeBoxes(p, regV.subarray(4 * r0, 4 * (r0 + m)), { stds: RCNN_STDS, clipTo: [size, size] });
        const boxes: number[] = [], scores: number[] = [], labels: number[] = [];
        for (let i = 0; i < m; i++) for (let k = 0; k < K; k++) {
          const s = clsP[(r0 + i) * K1 + k];
          if (s < cfg.test.scoreThr) continue;
          for (let c = 0; c < 4; c++) boxes.push(dec[4 * i + c]);
          scores.push(s); labels.push(k);
        }
        r0 += m;
        let keep: number[], kept: number[] = [];
        if (cfg.test.softNms) {
          const ks: number[] = [];
          for (let k = 0; k < K; k++) {
            const idx = labels.map((l, i) => (l === k ? i : -1)).filter((i) => i >= 0);
            const bb = idx.flatMap((i) => boxes.slice(4 * i, 4 * i + 4));
            const r = softNms(bb, idx.map((i) => scores[i]), { minScore: cfg.test.scoreThr });
            r.indices.forEach((j, q) => { ks.push(idx[j]); scores[idx[j]] = r.scores[q]; });
          }
          kept = ks.sort((a, c) => scores[c] - scores[a] || a - c).slice(0, cfg.test.maxPerImage);
        } else {
          keep = batchedNms(boxes, scores, labels, cfg.test.nmsThr, cfg.test.maxPerImage);
          kept = keep;
        }
        out.push({
          boxes: Float32Array.from(kept.flatMap((i) => boxes.slice(4 * i, 4 * i + 4))),
          scores: Float32Array.from(kept.map((i) => scores[i])),
          labels: Int32Array.from(kept.map((i) => labels[i])),
        });
      }
      return out;
    },
  };
  return det;
}

/** All variables (params + state), paths rooted at the detector. */
export function detectorVars(det: Detector): NamedVar[] {
  return [...collectParams(det), ...collectState(det)];
}

/**
 * Convert a trained detector into a new configuration (e.g. +SAC, +RFP) by copying every variable
 * whose path exists in the source; RFP backbones B^t (t >= 2) are initialised as copies of B^1
 * (weights and BN statistics, spec §9.11). New parameters keep their zero / identity inits
 * (switch weight 0 bias 1, dw 0, contexts 0, RfpConv 0, fusion 0), so outputs are unchanged.
 * Throws if a source variable has nowhere to go (the conversion would drop trained weights).
 */
export function convertDetector(src: Detector, cfg: DetectorConfig, seed = 0): { det: Detector; copied: number; fresh: string[] } {
  const det = buildDetector(cfg, makeRng(seed), src.name);
  const srcVars = new Map(detectorVars(src).map((v) => [v.path, v.variable]));
  const used = new Set<string>();
  const fresh: string[] = [];
  let copied = 0;
  const root = src.name;
  for (const d of detectorVars(det)) {
    let p = d.path;
    if (!srcVars.has(p)) p = p.replace(new RegExp(`^${root}/backbone\\d+/`), `${root}/backbone/`);
    const s = srcVars.get(p);
    if (s && tf.util.arraysEqual(s.shape, d.variable.shape)) { d.variable.assign(s); used.add(p); copied++; } else fresh.push(d.path);
  }
  const dropped = [...srcVars.keys()].filter((p) => !used.has(p));
  if (dropped.length) throw new Error(`convertDetector: ${dropped.length} source variables have no destination (first: '${dropped[0]}')`);
  return { det, copied, fresh };
}
