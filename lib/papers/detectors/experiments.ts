// Experiment runners for chapter 6 (spec §7, protocol A "shared start + conversion"): train the plain
// FasterRcnnMini, convert it to +SAC, +RFP and +RFP+SAC (zero-init: outputs unchanged, checked),
// fine-tune every branch (the baseline included) for the same steps on the same batches, and
// evaluate with COCO box AP and a paired bootstrap over val images. The notebook and the tests
// call these functions; everything is seeded and timed.
import * as tf from '@tensorflow/tfjs';
import { makeRng, type Rng } from '../../util/random';
import { collectParams, countParams, disposeLayer } from '../../nn/tree';
import { adam } from '../../train/optimizers';
import { trainStep } from '../../train/step';
import { makeScenes, type SceneSet } from './scenes';
import { bootstrapCocoEval, evaluateBoxes, onlyAnnotations, prepareEval, toCocoDetections, type BootstrapResult, type CocoDetection } from './coco';
import { buildDetector, convertDetector, miniDetectorConfig, type DetectorConfig, type Detector, type Detections, type ImageGt } from './detector';

export type VariantName = 'baseline' | '+SAC' | '+RFP' | '+RFP+SAC';
export const VARIANTS: VariantName[] = ['baseline', '+SAC', '+RFP', '+RFP+SAC'];

/** Table 6-II, COCO val2017, ResNet-50 HTC, 12 epochs (box AP columns and FPS), thesis numbers. */
export const PAPER_TABLE_6_2: Record<VariantName, { AP: number; AP50: number; AP75: number; APs: number; APm: number; APl: number; FPS: number }> = {
  baseline: { AP: 42.0, AP50: 60.8, AP75: 45.5, APs: 23.7, APm: 45.5, APl: 56.4, FPS: 4.3 },
  '+RFP': { AP: 46.2, AP50: 65.1, AP75: 50.2, APs: 27.9, APm: 50.3, APl: 60.3, FPS: 4.1 },
  '+SAC': { AP: 46.3, AP50: 65.8, AP75: 50.2, APs: 27.8, APm: 50.6, APl: 62.4, FPS: 4.2 },
  '+RFP+SAC': { AP: 49.0, AP50: 67.7, AP75: 53.0, APs: 30.1, APm: 52.6, APl: 64.9, FPS: 3.9 },
};

/** The mini config of a variant. (D) SAC on all stages (spec §9.2 default for mini models; the thesis says "all 3x3 convs"), RFP T = 2. */
export function variantConfig(v: VariantName, over: Partial<DetectorConfig> = {}): DetectorConfig {
  const sac = v === '+SAC' || v === '+RFP+SAC' ? { stages: [0, 1, 2], rate: 3 } : null;
  const rfp = v === '+RFP' || v === '+RFP+SAC' ? { steps: 2 } : null;
  return miniDetectorConfig({ ...over, sac, rfp });
}

export interface StudyConfig {
  seed: number;
  /** Training pool: images generated from seeds trainSeed .. trainSeed + numTrain - 1. */
  numTrain: number;
  trainSeed: number;
  /** Validation images from seeds valSeed .. (spec: fixed seeds >= 1e6). */
  numVal: number;
  valSeed: number;
  batch: number;
  /** Baseline steps before the conversion (N0) and fine-tuning steps per branch (N1). */
  baseSteps: number;
  fineSteps: number;
  /** Fine-tuning Adam learning rate (D: spec §4 allows Adam 1e-3 when SGD+BN is unstable on tiny batches). */
  lr: number;
  /** (D) Fine-tuning lr is multiplied by 0.1 for the last `decayFrac` of the steps. */
  decayFrac: number;
  /**
   * (D) Baseline (from-scratch) Adam lr and its x0.1 step for the last `baseDecayFrac` of the baseline
   * steps. Measured on 400-step probes (batch 8, 100 val images, AP x100 / AP50 x100): Adam 1e-3 + decay
   * 4.6 / 13.6, 2e-3 + decay 7.7 / 21.7, 4e-3 + 20 warm-up steps + decay 11.9 / 27.9; 2e-3 cosine 4.2 / 11.5;
   * 6e-3 + 30 warm-up 10.4 / 26.1, 8e-3 + 40 warm-up 8.6 / 19.8; SGD 0.02 momentum 0.9 + warm-up + cosine 1.8 / 5.8 (see the notebook's budget section).
   */
  baseLr: number;
  baseDecayFrac: number;
  /** (D) Linear warm-up steps of the baseline lr (the higher from-scratch lr diverges less with it). */
  baseWarmup: number;
  variants: VariantName[];
  bootstrapResamples: number;
  /** Val images kept with detections for drawing, and for switch maps. */
  keepImages: number;
}

export function defaultStudyConfig(over: Partial<StudyConfig> = {}): StudyConfig {
  return {
    seed: 0, numTrain: 1000, trainSeed: 0, numVal: 300, valSeed: 1_000_000, batch: 8,
    baseSteps: 300, fineSteps: 100, lr: 1e-3, decayFrac: 0.25, baseLr: 4e-3, baseDecayFrac: 0.25, baseWarmup: 20, variants: [...VARIANTS],
    bootstrapResamples: 200, keepImages: 4, ...over,
  };
}

export interface LossRow { variant: string; phase: 'base' | 'fine'; step: number; total: number; rpnCls: number; rpnReg: number; rcnnCls: number; rcnnReg: number }

function gtsOf(s: SceneSet, idx: ArrayLike<number>): ImageGt[] {
  return Array.from(idx, (i) => ({ boxes: s.targets[i].boxes, labels: s.targets[i].labels }));
}

/**
 * mmdet-style schedule: linear warm-up from lr/warmup over the first `warmup` steps, then `lr`,
 * multiplied by 0.1 for the last `decayFrac` of `steps`.
 */
export function stepDecayLr(lr: number, steps: number, decayFrac: number, warmup = 0): (s: number) => number {
  if (!(lr > 0) || !(decayFrac >= 0 && decayFrac <= 1) || !(warmup >= 0)) throw new Error(`stepDecayLr: lr must be > 0, decayFrac in [0, 1] and warmup >= 0, got ${lr}, ${decayFrac}, ${warmup}`);
  const at = Math.round(steps * (1 - decayFrac));
  return (s) => (s >= at ? 0.1 * lr : s < warmup ? (lr * (s + 1)) / warmup : lr);
}

/** Batch index lists for `steps` steps (seeded), shared by every compared model. */
export function batchSchedule(n: number, batch: number, steps: number, rng: Rng): Int32Array[] {
  const out: Int32Array[] = [];
  let perm: ArrayLike<number> = [], pos = n;
  for (let s = 0; s < steps; s++) {
    const b = new Int32Array(batch);
    for (let i = 0; i < batch; i++) {
      if (pos >= n) { perm = rng.permutation(n); pos = 0; }
      b[i] = perm[pos++];
    }
    out.push(b);
  }
  return out;
}

/**
 * Train a detector on the given batches with a fresh Adam; records the loss parts per step.
 * `lrAt(step)` gives the learning rate.
 */
export function trainDetector(det: Detector, data: SceneSet, batches: Int32Array[], lrAt: (s: number) => number, rng: Rng, label: string, phase: 'base' | 'fine', onStep?: (r: LossRow) => void): { rows: LossRow[]; msPerStep: number } {
  const opt = adam({ lr: lrAt(0) });
  const vars = collectParams(det);
  const rows: LossRow[] = [];
  const t0 = Date.now();
  batches.forEach((b, step) => {
    const img = tf.tidy(() => tf.gather(data.images, tf.tensor1d(b, 'int32')));
    const gts = gtsOf(data, b);
    let parts = [0, 0, 0, 0];
    const r = trainStep({
      vars, optimizer: opt, lr: lrAt(step),
      loss: () => {
        const p = det.losses(img, gts, { training: true, rng });
        parts = [p.rpnCls, p.rpnReg, p.rcnnCls, p.rcnnReg].map((t) => t.dataSync()[0]);
        return p.total;
      },
    });
    img.dispose();
    if (!Number.isFinite(r.loss)) throw new Error(`trainDetector '${label}': loss became ${r.loss} at step ${step}`);
    const row: LossRow = { variant: label, phase, step, total: r.loss, rpnCls: parts[0], rpnReg: parts[1], rcnnCls: parts[2], rcnnReg: parts[3] };
    rows.push(row);
    onStep?.(row);
  });
  opt.dispose();
  return { rows, msPerStep: batches.length ? (Date.now() - t0) / batches.length : 0 };
}

/** Detections for every image of a scene set (batches of `batch`) plus inference images/s. */
export function detectAll(det: Detector, data: SceneSet, batch = 16): { dets: Detections[]; imagesPerSec: number } {
  const n = data.images.shape[0];
  const dets: Detections[] = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const img = tf.slice(data.images, [i, 0, 0, 0], [m, -1, -1, -1]);
    dets.push(...det.detect(img));
    img.dispose();
  }
  return { dets, imagesPerSec: n / Math.max((Date.now() - t0) / 1000, 1e-6) };
}

/**
 * Inference images/s, best of `reps` timed passes over the first `batch` images (best-of, because the
 * machine is shared): `detect` = the whole detector incl. the plain-TS proposal / NMS post-processing
 * (which dominates at mini scale and depends on how many boxes pass the thresholds), `features` =
 * backbone(s) + FPN only, the part RFP and SAC change.
 */
export function inferenceSpeed(det: Detector, data: SceneSet, batch = 16, reps = 3): { detect: number; features: number } {
  const m = Math.min(batch, data.images.shape[0]);
  const img = tf.slice(data.images, [0, 0, 0, 0], [m, -1, -1, -1]);
  let bd = Infinity, bf = Infinity;
  for (let r = 0; r < reps; r++) {
    let t0 = Date.now();
    tf.tidy(() => { det.features(img, { training: false }).forEach((f) => f.dataSync()); });
    bf = Math.min(bf, Date.now() - t0);
    t0 = Date.now();
    det.detect(img);
    bd = Math.min(bd, Date.now() - t0);
  }
  img.dispose();
  return { detect: m / Math.max(bd / 1000, 1e-6), features: m / Math.max(bf / 1000, 1e-6) };
}

export function cocoDetections(data: SceneSet, dets: Detections[]): CocoDetection[] {
  const catIds = data.coco.categories.map((c) => c.id);
  return toCocoDetections(dets.map((d, i) => ({ imageId: data.coco.images[i].id, boxes: d.boxes, scores: d.scores, labels: d.labels })), catIds);
}

/** Max |output difference| (RPN logits, RoI class logits) between a source and a converted model. */
export function conversionGap(src: Detector, dst: Detector, img: tf.Tensor): { rpn: number; rcnn: number; sameProposals: boolean } {
  const a = src.rawOutputs(img, { training: false }), b = dst.rawOutputs(img, { training: false });
  const same = a.proposals.length === b.proposals.length && a.proposals.every((v, i) => v === b.proposals[i]);
  const d = (x: tf.Tensor, y: tf.Tensor) => (tf.util.arraysEqual(x.shape, y.shape) ? tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]) : Infinity);
  const out = { rpn: d(a.rpnCls, b.rpnCls), rcnn: d(a.rcnnCls, b.rcnnCls), sameProposals: same };
  for (const t of [a.rpnCls, a.rcnnCls, b.rpnCls, b.rcnnCls]) t.dispose();
  return out;
}

export interface SwitchMaps {
  /** Layer whose switch is shown (the last SAC of the last backbone, as thesis Fig. 6-8). */
  layer: string;
  /** Per kept image: 1 - S, [h * w] row-major. */
  maps: Float32Array[];
  h: number; w: number;
  /** Per GT object of all val images: object side sqrt(area) and mean (1 - S) inside its mask. */
  objects: { imageIndex: number; side: number; meanLargeRate: number; label: number }[];
}

/** The last switch map (1 - S) on val images and its mean inside each GT mask (nearest-resized). */
export function switchMaps(det: Detector, data: SceneSet, keep: number, batch = 16): SwitchMaps {
  const bb = det.backbones[det.backbones.length - 1];
  const S = bb.config.channels.length, blocks = bb.config.blocks[S - 1];
  const layer = `${bb.name}/stage${S}/block${blocks - 1}/conv2`;
  const n = data.images.shape[0], size = data.images.shape[1];
  const maps: Float32Array[] = [];
  const objects: SwitchMaps['objects'] = [];
  let h = 0, w = 0;
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const taps = new Map<string, tf.Tensor>();
    tf.tidy(() => { det.features(tf.slice(data.images, [i, 0, 0, 0], [m, -1, -1, -1]), { training: false, taps }); });
    const s = taps.get(layer);
    for (const t of taps.values()) if (t !== s) t.dispose();
    if (!s) throw new Error(`switchMaps: the detector has no SAC layer '${layer}' (build it with sac stages including the last)`);
    h = s.shape[1] as number; w = s.shape[2] as number;
    const v = s.dataSync();
    s.dispose();
    for (let b = 0; b < m; b++) {
      const large = Float32Array.from(v.subarray(b * h * w, (b + 1) * h * w), (x) => 1 - x);
      if (i + b < keep) maps.push(large);
      const t = data.targets[i + b];
      t.masks.forEach((mask, o) => {
        let sum = 0, cnt = 0;
        for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
          if (!mask[y * size + x]) continue;
          sum += large[Math.floor((y * h) / size) * w + Math.floor((x * w) / size)]; cnt++;
        }
        if (cnt) objects.push({ imageIndex: i + b, side: Math.sqrt(t.areas[o]), meanLargeRate: sum / cnt, label: t.labels[o] });
      });
    }
  }
  return { layer, maps, h, w, objects };
}

/** Least-squares slope of y on x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  return sxx > 0 ? sxy / sxx : NaN;
}

export interface VariantResult {
  variant: VariantName;
  params: number;
  msPerStep: number;
  /** Whole-detector inference images/s (see inferenceSpeed). */
  imagesPerSec: number;
  /** Backbone(s) + FPN images/s. */
  featureImagesPerSec: number;
  metrics: Record<'AP' | 'AP50' | 'AP75' | 'APs' | 'APm' | 'APl', number>;
  /** AP (area all) on GTs with > 30% of the shape hidden (claim c). */
  APoccluded: number;
  /** Per-class AP (claim b: frame vs square). */
  perClass: Record<string, number>;
  /** Conversion check before fine-tuning (baseline: 0). */
  conversion: { rpn: number; rcnn: number; sameProposals: boolean };
  /** Detections on the first keepImages val images. */
  examples: Detections[];
  switchMaps: SwitchMaps | null;
}

export interface StudyResult {
  config: StudyConfig;
  backend: string;
  seed: number;
  wallTimeMs: number;
  startedAt: string;
  baseline: { params: number; msPerStep: number; lossRows: LossRow[] };
  variants: VariantResult[];
  lossRows: LossRow[];
  bootstrap: BootstrapResult;
  /** Val images kept for drawing: pixels [size*size*3] and GT boxes/labels. */
  examples: { pixels: Float32Array; boxes: Float32Array; labels: Int32Array }[];
  classes: string[];
  size: number;
}

/**
 * Protocol A (spec §7): baseline for baseSteps -> convert -> fine-tune every variant for fineSteps on
 * the same batches -> COCO AP on the val set, paired bootstrap vs the fine-tuned baseline.
 */
export function runConversionStudy(o: Partial<StudyConfig> = {}, onLoss?: (r: LossRow) => void): StudyResult {
  const config = defaultStudyConfig(o);
  const startedAt = new Date().toISOString(), t0 = Date.now();
  if (!config.variants.includes('baseline')) throw new Error(`runConversionStudy: variants must include 'baseline' (the bootstrap reference), got ${config.variants.join(', ')}`);
  for (const v of config.variants) if (!VARIANTS.includes(v)) throw new Error(`runConversionStudy: unknown variant '${v}' (known: ${VARIANTS.join(', ')})`);
  if (!(config.batch >= 1 && config.baseSteps >= 0 && config.fineSteps >= 0)) throw new Error(`runConversionStudy: batch must be >= 1 and steps >= 0, got batch ${config.batch}, steps ${config.baseSteps}/${config.fineSteps}`);
  const rng = makeRng(config.seed);
  const train = makeScenes({ n: config.numTrain, seed: config.trainSeed });
  const val = makeScenes({ n: config.numVal, seed: config.valSeed });
  try {
    const base = buildDetector(variantConfig('baseline'), rng.fork('init'));
    const baseBatches = batchSchedule(config.numTrain, config.batch, config.baseSteps, rng.fork('baseBatches'));
    // The warm-up is at most a fifth of the baseline steps (smoke runs with a handful of steps).
    const baseRun = trainDetector(base, train, baseBatches, stepDecayLr(config.baseLr, config.baseSteps, config.baseDecayFrac, Math.min(config.baseWarmup, Math.floor(config.baseSteps / 5))), rng.fork('baseSampling'), 'baseline', 'base', onLoss);
    const fineBatches = batchSchedule(config.numTrain, config.batch, config.fineSteps, rng.fork('fineBatches'));
    const fineLr = stepDecayLr(config.lr, config.fineSteps, config.decayFrac);
    const fineSamplingSeed = rng.int(2 ** 31);
    const checkImg = tf.slice(val.images, [0, 0, 0, 0], [Math.min(8, config.numVal), -1, -1, -1]);
    const catIds = val.coco.categories.map((c) => c.id);
    const occluded = onlyAnnotations(val.coco, (a) => ((a as { occlusion?: number }).occlusion ?? 0) > 0.3);
    const states: ReturnType<typeof prepareEval>[] = [];
    const results: VariantResult[] = [];
    const lossRows: LossRow[] = [...baseRun.rows];
    for (const v of config.variants) {
      // Every branch (the baseline too) starts from the same checkpoint: convertDetector copies it.
      // (D) Each branch gets a fresh Adam (the optimiser state is not part of the conversion).
      const { det } = convertDetector(base, variantConfig(v), config.seed * 1000 + VARIANTS.indexOf(v));
      const conversion = v === 'baseline' ? { rpn: 0, rcnn: 0, sameProposals: true } : conversionGap(base, det, checkImg);
      // The same sampling seed for every branch: equal batches and (as far as outputs agree) equal samples.
      const run = trainDetector(det, train, fineBatches, fineLr, makeRng(fineSamplingSeed), v, 'fine', onLoss);
      lossRows.push(...run.rows);
      const { dets } = detectAll(det, val);
      const speed = inferenceSpeed(det, val);
      const coco = cocoDetections(val, dets);
      const ev = evaluateBoxes(val.coco, coco, { areaRng: val.areaRng });
      states.push(prepareEval(val.coco, coco, { areaRng: val.areaRng, iouType: 'bbox' }));
      const occ = evaluateBoxes(occluded, coco, { areaRng: val.areaRng });
      const perClass: Record<string, number> = {};
      ev.perCategory.forEach((c, k) => { perClass[val.classes[catIds.indexOf(c.categoryId)] ?? String(k)] = c.AP; });
      results.push({
        variant: v, params: countParams(det), msPerStep: run.msPerStep, imagesPerSec: speed.detect, featureImagesPerSec: speed.features,
        metrics: { AP: ev.AP, AP50: ev.AP50, AP75: ev.AP75, APs: ev.APs, APm: ev.APm, APl: ev.APl },
        APoccluded: occ.AP, perClass, conversion,
        examples: dets.slice(0, config.keepImages),
        switchMaps: det.config.sac ? switchMaps(det, val, config.keepImages) : null,
      });
      disposeLayer(det);
    }
    checkImg.dispose();
    const baseParams = countParams(base);
    disposeLayer(base);
    const bootstrap = bootstrapCocoEval(states, { resamples: config.bootstrapResamples, level: 0.9, seed: config.seed, reference: config.variants.indexOf('baseline') });
    const size = val.images.shape[1];
    const pix = val.images.dataSync() as Float32Array;
    const examples = Array.from({ length: Math.min(config.keepImages, config.numVal) }, (_, i) => ({
      pixels: pix.slice(i * size * size * 3, (i + 1) * size * size * 3), boxes: val.targets[i].boxes, labels: val.targets[i].labels,
    }));
    return {
      config, backend: tf.getBackend(), seed: config.seed, wallTimeMs: Date.now() - t0, startedAt,
      baseline: { params: baseParams, msPerStep: baseRun.msPerStep, lossRows: baseRun.rows },
      variants: results, lossRows, bootstrap, examples, classes: val.classes, size,
    };
  } finally {
    train.images.dispose(); val.images.dispose();
  }
}

/** Mean and sample standard deviation. */
export function meanStd(xs: number[]): { mean: number; std: number; n: number } {
  const n = xs.length, mean = xs.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Key comparison over seeds: per variant, AP and the paired delta vs baseline (mean, std over seeds). */
export function summarizeSeeds(runs: StudyResult[]) {
  const variants = runs[0].config.variants;
  return variants.map((v) => {
    const ap = runs.map((r) => (r.variants.find((x) => x.variant === v) as VariantResult).metrics.AP);
    const k = variants.indexOf(v);
    const d = runs.map((r) => r.bootstrap.deltas[k].AP.estimate);
    const dlo = runs.map((r) => r.bootstrap.deltas[k].AP.lo), dhi = runs.map((r) => r.bootstrap.deltas[k].AP.hi);
    const s = meanStd(ap), sd = meanStd(d);
    return { variant: v, seeds: runs.map((r) => r.seed).join(','), APmean: s.mean, APstd: s.std, dAPmean: sd.mean, dAPstd: sd.std, dAPperSeed: d, ciPerSeed: dlo.map((lo, i) => [lo, dhi[i]]) };
  });
}
