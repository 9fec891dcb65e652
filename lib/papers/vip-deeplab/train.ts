// Training ViP-DeepLab on synthetic video pairs (spec §4 mini settings) through lib/train's fit,
// and sequence inference: per-frame heads computed once per frame, the next-frame branch per pair,
// concatenated-pair post-processing, stitching (and the naive per-frame IoU-linking baseline).
import * as tf from '@tensorflow/tfjs';
import { makeRng, type Rng } from '../../util/random';
import { fit, type BatchEndInfo } from '../../train/fit';
import { adam } from '../../train/optimizers';
import { poly } from '../../train/schedules';
import { collectParams } from '../../nn/tree';
import type { Ctx } from '../../nn/types';
import type { DvpsFrame, DvpsSequence } from './data/types';
import { imagesToFloat, flipFrame } from './data/tensors';
import { panopticTargets, type TargetOptions } from './targets';
import { bootstrappedCrossEntropy, depthLoss, weightedL1, weightedMse } from './losses';
import { vipDeepLab, vipMiniConfig, type VipConfig, type VipModel } from './model';
import { argmaxChannels, panopticPostProcess, type PostProcessOptions } from './postprocess';
import { pairPostProcess, type PairResult } from './pair';
import { linkFramesByIoU, stitchSequence } from './stitch';

export interface LossWeights { semantic: number; center: number; offset: number; next: number; depth: number }

/** Spec §4 mini weights: offsets x10 the reference 0.01 because pixel offsets are ~16x smaller here. */
export const MINI_LOSS_WEIGHTS: LossWeights = { semantic: 1, center: 200, offset: 0.1, next: 0.1, depth: 0.5 };

export interface VipTrainConfig {
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  /** Bootstrapped CE fraction (0.2). */
  topK: number;
  weights: LossWeights;
  targets: TargetOptions;
  /** Joint horizontal flip of both frames with probability 0.5 (targets recomputed). */
  flip: boolean;
  model: VipConfig;
}

export function vipTrainConfig(o: { numClasses: number; thingIds: readonly number[]; ignoreId: number; labelDivisor: number; maxDepth: number } & Partial<Omit<VipTrainConfig, 'targets' | 'model'>> & { model?: Partial<VipConfig>; targets?: Partial<TargetOptions> }): VipTrainConfig {
  return {
    seed: o.seed ?? 0, steps: o.steps ?? 600, batch: o.batch ?? 8, lr: o.lr ?? 1e-3, topK: o.topK ?? 0.2,
    weights: { ...MINI_LOSS_WEIGHTS, ...o.weights }, flip: o.flip ?? true,
    targets: { sigma: 2, smallArea: 32, smallWeight: 3, labelDivisor: o.labelDivisor, thingIds: [...o.thingIds], ignoreId: o.ignoreId, ...o.targets },
    model: vipMiniConfig(o.numClasses, { maxDepth: o.maxDepth, ...o.model }),
  };
}

interface PairBatch {
  x: tf.Tensor4D; // frame t images
  y: tf.Tensor3D; // semantic labels
  xNext: tf.Tensor4D;
  semWeight: tf.Tensor3D;
  center: tf.Tensor4D;
  centerWeight: tf.Tensor3D;
  offset: tf.Tensor4D;
  offsetWeight: tf.Tensor3D;
  nextOffset: tf.Tensor4D;
  nextOffsetWeight: tf.Tensor3D;
  depth: tf.Tensor4D;
}

/** One batch of (t, t+1) pairs with their targets. */
export function makePairBatch(seqs: DvpsSequence[], refs: { seq: number; t: number }[], cfg: VipTrainConfig, rng: Rng): PairBatch {
  const H = seqs[0].height, W = seqs[0].width, n = H * W, B = refs.length;
  const a: DvpsFrame[] = [], b: DvpsFrame[] = [];
  for (const r of refs) {
    let fa = seqs[r.seq].frames[r.t], fb = seqs[r.seq].frames[r.t + 1];
    if (cfg.flip && rng.next() < 0.5) { fa = flipFrame(fa, H, W); fb = flipFrame(fb, H, W); }
    a.push(fa); b.push(fb);
  }
  const sem = new Int32Array(B * n), semW = new Float32Array(B * n), ctr = new Float32Array(B * n), ctrW = new Float32Array(B * n);
  const off = new Float32Array(2 * B * n), offW = new Float32Array(B * n), nof = new Float32Array(2 * B * n), nofW = new Float32Array(B * n);
  const dep = new Float32Array(B * n);
  a.forEach((fa, i) => {
    const t = panopticTargets(fa.panoptic, b[i].panoptic, H, W, cfg.targets);
    sem.set(t.semantic, i * n); semW.set(t.semanticWeight, i * n); ctr.set(t.center, i * n); ctrW.set(t.centerWeight, i * n);
    off.set(t.offset, 2 * i * n); offW.set(t.offsetWeight, i * n); nof.set(t.nextOffset, 2 * i * n); nofW.set(t.nextOffsetWeight, i * n);
    dep.set(fa.depth, i * n);
  });
  return {
    x: tf.tensor4d(imagesToFloat(a, 'deeplab'), [B, H, W, 3]), xNext: tf.tensor4d(imagesToFloat(b, 'deeplab'), [B, H, W, 3]),
    y: tf.tensor3d(sem, [B, H, W], 'int32'), semWeight: tf.tensor3d(semW, [B, H, W]),
    center: tf.tensor4d(ctr, [B, H, W, 1]), centerWeight: tf.tensor3d(ctrW, [B, H, W]),
    offset: tf.tensor4d(off, [B, H, W, 2]), offsetWeight: tf.tensor3d(offW, [B, H, W]),
    nextOffset: tf.tensor4d(nof, [B, H, W, 2]), nextOffsetWeight: tf.tensor3d(nofW, [B, H, W]),
    depth: tf.tensor4d(dep, [B, H, W, 1]),
  };
}

/** All loss terms for one batch (weighted terms and their sum). */
export function vipLoss(model: VipModel, b: PairBatch, cfg: VipTrainConfig, ctx: Ctx): { total: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const [B, H, W] = b.x.shape;
  // Both frames through the encoder in one call (BN statistics over 2B images).
  const both = model.encode(tf.concat([b.x, b.xNext], 0) as tf.Tensor4D, ctx);
  const split = (t: tf.Tensor4D) => tf.split(t, 2, 0) as tf.Tensor4D[];
  const [s4a, s4b] = split(both.s4), [s8a, s8b] = split(both.s8), [ha, hb] = split(both.high);
  const ft = { s4: s4a, s8: s8a, high: ha }, fn = { s4: s4b, s8: s8b, high: hb };
  const o = model.frameHeads(ft, H, W, ctx);
  const nextOff = model.nextOffsets(ft, fn, H, W, ctx);
  const w = cfg.weights;
  const terms: Record<string, tf.Scalar> = {
    semantic: tf.mul(bootstrappedCrossEntropy(o.semLogits, b.y, b.semWeight, cfg.topK), w.semantic) as tf.Scalar,
    center: tf.mul(weightedMse(o.center, b.center, b.centerWeight), w.center) as tf.Scalar,
    offset: tf.mul(weightedL1(o.offset, b.offset, b.offsetWeight), w.offset) as tf.Scalar,
    next: tf.mul(weightedL1(nextOff, b.nextOffset, b.nextOffsetWeight), w.next) as tf.Scalar,
    depth: tf.mul(depthLoss(o.depth, b.depth), w.depth) as tf.Scalar,
  };
  void B;
  return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}

export interface LossRow { step: number; total: number; semantic: number; center: number; offset: number; next: number; depth: number }

export interface TrainResult { model: VipModel; history: LossRow[]; wallTimeMs: number; msPerStep: number }

/** Adam + poly(0.9) over `steps` steps on random consecutive pairs of `train`. */
export async function trainVip(train: DvpsSequence[], cfg: VipTrainConfig, o: { onStep?: (r: LossRow) => void; progress?: boolean } = {}): Promise<TrainResult> {
  if (train.length === 0) throw new Error('trainVip: no training sequences');
  if (!(cfg.steps >= 1) || !(cfg.batch >= 1)) throw new Error(`trainVip: steps and batch must be >= 1 (got ${cfg.steps}, ${cfg.batch})`);
  const rng = makeRng(cfg.seed);
  const model = vipDeepLab(cfg.model, rng.fork('init'));
  const refs: { seq: number; t: number }[] = [];
  train.forEach((s, seq) => { for (let t = 0; t + 1 < s.frames.length; t++) refs.push({ seq, t }); });
  const dataRng = rng.fork('data');
  const opt = adam({ lr: cfg.lr });
  const sched = poly(cfg.lr, cfg.steps, 0.9);
  const history: LossRow[] = [];
  const t0 = Date.now();
  await fit<PairBatch & { y: tf.Tensor }>({
    model, params: collectParams(model), optimizer: opt, epochs: 1, stepsPerEpoch: cfg.steps, seed: cfg.seed,
    progress: o.progress ?? false, label: 'vip-deeplab',
    lr: ({ step }) => sched(step),
    train: function* () {
      for (let s = 0; s < cfg.steps; s++) yield makePairBatch(train, Array.from({ length: cfg.batch }, () => refs[dataRng.int(refs.length)]), cfg, dataRng);
    },
    loss: (b, ctx) => {
      const { total, terms } = vipLoss(model, b, cfg, ctx);
      return { loss: total, metrics: terms };
    },
    callbacks: {
      onBatchEnd: (info: BatchEndInfo) => {
        const m = info.metrics;
        const r: LossRow = { step: info.step, total: info.loss, semantic: m.semantic, center: m.center, offset: m.offset, next: m.next, depth: m.depth };
        history.push(r);
        o.onStep?.(r);
      },
    },
  });
  opt.dispose();
  const wallTimeMs = Date.now() - t0;
  return { model, history, wallTimeMs, msPerStep: wallTimeMs / cfg.steps };
}

export interface SequencePrediction {
  /** Stitched ViP predictions, one per frame, global ids. */
  vip: Int32Array[];
  /** Per-frame Panoptic-DeepLab outputs linked by mutual-best IoU (naive baseline). */
  naive: Int32Array[];
  /** The raw pair results (P_t, R_t) before stitching. */
  pairs: PairResult[];
  depth: Float32Array[];
  semantic: Int32Array[];
  center: Float32Array[];
  offset: Float32Array[];
  nextOffset: Float32Array[];
}

/**
 * Inference over a whole sequence: encoder and per-frame heads once per frame (spec §2.3 (D)), the
 * next-frame branch for each consecutive pair, concatenated-pair post-processing, stitching.
 */
export function predictSequence(model: VipModel, seq: DvpsSequence, pp: PostProcessOptions): SequencePrediction {
  const H = seq.height, W = seq.width, T = seq.frames.length, n = H * W, K = model.config.numClasses;
  if (T < 2) throw new Error(`predictSequence: sequence '${seq.name}' needs >= 2 frames, has ${T}`);
  const ctx: Ctx = { training: false };
  const ts = tf.tidy(() => {
    const x = tf.tensor4d(imagesToFloat(seq.frames, 'deeplab'), [T, H, W, 3]);
    const f = model.encode(x, ctx);
    const o = model.frameHeads(f, H, W, ctx);
    const idx = tf.range(0, T - 1, 1, 'int32') as tf.Tensor1D, idx1 = tf.range(1, T, 1, 'int32') as tf.Tensor1D;
    const pick = (i: tf.Tensor1D) => ({ s4: tf.gather(f.s4, i), s8: tf.gather(f.s8, i), high: tf.gather(f.high, i) });
    const nof = model.nextOffsets(pick(idx), pick(idx1), H, W, ctx);
    return [o.semLogits, o.center, o.offset, o.depth, nof];
  });
  const [sem, ctr, off, dep, nof] = ts.map((t) => t.dataSync() as Float32Array);
  tf.dispose(ts);
  const arrays = { sem, ctr, off, dep, nof };
  const semantic: Int32Array[] = [], center: Float32Array[] = [], offset: Float32Array[] = [], depth: Float32Array[] = [], nextOffset: Float32Array[] = [];
  for (let t = 0; t < T; t++) {
    semantic.push(argmaxChannels(arrays.sem.subarray(t * n * K, (t + 1) * n * K), K));
    center.push(arrays.ctr.slice(t * n, (t + 1) * n));
    offset.push(arrays.off.slice(2 * t * n, 2 * (t + 1) * n));
    depth.push(arrays.dep.slice(t * n, (t + 1) * n));
    if (t < T - 1) nextOffset.push(arrays.nof.slice(2 * t * n, 2 * (t + 1) * n));
  }
  const pairs: PairResult[] = [];
  for (let t = 0; t < T - 1; t++) pairs.push(pairPostProcess({ semantic: semantic[t], center: center[t], offset: offset[t] }, semantic[t + 1], nextOffset[t], H, W, pp));
  const vip = stitchSequence(pairs, pp.labelDivisor);
  const single = semantic.map((s, t) => panopticPostProcess(s, center[t], offset[t], H, W, pp).panoptic);
  const naive = linkFramesByIoU(single, pp.labelDivisor);
  return { vip, naive, pairs, depth, semantic, center, offset, nextOffset };
}
