// Experiment runners for chapter 7 (spec §7). Each is seeded and returns
// {config, backend, seed, wallTimeMs, ...}; the notebook and the tests call the same functions.
import * as tf from '@tensorflow/tfjs';
import { makeRng, type Rng } from '../../util/random';
import { countParams, disposeLayer } from '../../nn/tree';
import { generateSynthSplit } from './data/generator';
import { SYNTH_DVPS_EVAL, SYNTH_LABEL_DIVISOR, SYNTH_MAX_DEPTH, SYNTH_NUM_CLASSES, SYNTH_THING_IDS, SYNTH_VOID } from './data/classes';
import type { DvpsSequence } from './data/types';
import { dvpq } from './metrics/dvpq';
import { videoPanopticQuality } from './metrics/vpq';
import { meanDepthMetrics } from './metrics/depth-metrics';
import type { EvalSequence, DvpqResult } from './metrics/types';
import { stitchSequence, linkFramesByIoU } from './stitch';
import { predictSequence, trainVip, vipTrainConfig, type LossRow, type SequencePrediction } from './train';
import type { PostProcessOptions } from './postprocess';

const meta = (seed: number, t0: number) => ({ backend: tf.getBackend(), seed, wallTimeMs: Date.now() - t0 });
const L = SYNTH_LABEL_DIVISOR;

/** Mini post-processing (spec §4): threshold 0.1, NMS kernel 5, top-K 20, stuff area limit 8 px. */
export const MINI_POSTPROCESS: PostProcessOptions = { threshold: 0.1, nmsKernel: 5, topK: 20, stuffAreaLimit: 8, thingIds: SYNTH_THING_IDS, labelDivisor: L, voidId: SYNTH_VOID };

/** Randomly relabel the thing instance ids of a frame (same map for every map given). */
function permuteIds(maps: Int32Array[], rng: Rng, base = 500): Int32Array[] {
  const ids = new Set<number>();
  for (const m of maps) for (const v of m) if (v % L !== 0 && Math.floor(v / L) !== SYNTH_VOID) ids.add(v);
  const list = [...ids];
  const perm = rng.permutation(list.length);
  const map = new Map<number, number>();
  list.forEach((id, i) => map.set(id, Math.floor(id / L) * L + base + perm[i] + 1));
  return maps.map((m) => Int32Array.from(m, (v) => map.get(v) ?? v));
}

/** GT sequences with the predicted maps, and GT depth (for EvalSequence). */
function evalSeq(seq: DvpsSequence, pred: Int32Array[], predDepth?: Float32Array[]): EvalSequence {
  return { gt: seq.frames.map((f) => f.panoptic), pred, gtDepth: seq.frames.map((f) => f.depth), predDepth: predDepth ?? seq.frames.map((f) => f.depth) };
}

// ---- A. metric and stitching sanity on oracle predictions ----------------------------------------

export interface OracleDemoConfig {
  seed: number;
  numVal: number;
  sigmas: number[];
  lambdas: number[];
  ks: number[];
  speeds: number[];
}

/**
 * Demo A (spec §7): (1) GT as prediction -> DVPQ = 1; (2) depth noise d*exp(eps), eps ~ N(0, s^2):
 * DVPQ vs s per lambda; (3) tracking ablation on oracle panoptics vs object speed: ids permuted per
 * frame, oracle pairs + stitchSequence, naive mutual-best IoU linking of per-frame GT.
 */
export function runOracleDemos(o: Partial<OracleDemoConfig> = {}) {
  const t0 = Date.now();
  const config: OracleDemoConfig = { seed: 0, numVal: 8, sigmas: [0, 0.05, 0.1, 0.2, 0.4], lambdas: [0.5, 0.25, 0.1], ks: [1, 2, 3, 4], speeds: [0.5, 1, 2, 3], ...o };
  const rng = makeRng(config.seed);
  const val = generateSynthSplit('val', config.numVal);
  const oracle = dvpq(val.map((s) => evalSeq(s, s.frames.map((f) => f.panoptic))), { ks: config.ks, lambdas: config.lambdas, cfg: SYNTH_DVPS_EVAL });
  const noiseRows: { sigma: number; lambda: number; dvpq: number; thing: number; stuff: number }[] = [];
  for (const sigma of config.sigmas) {
    const nr = rng.fork(`noise${sigma}`);
    const seqs = val.map((s) => evalSeq(s, s.frames.map((f) => f.panoptic), s.frames.map((f) => Float32Array.from(f.depth, (d) => d * Math.exp(sigma * nr.normal())))));
    for (const lambda of [0, ...config.lambdas]) {
      const r = videoPanopticQuality(seqs, 2, SYNTH_DVPS_EVAL, lambda);
      noiseRows.push({ sigma, lambda, dvpq: r.pq, thing: r.pqThing, stuff: r.pqStuff });
    }
  }
  const trackRows: { speed: number; method: string; k: number; vpq: number; thing: number; stuff: number; meanSpeedPx: number }[] = [];
  for (const speed of config.speeds) {
    const seqs = speed === 1 ? val : generateSynthSplit('val', config.numVal, { speed });
    const tracks = seqs.flatMap((s) => s.tracks).filter((t) => t.lastFrame > t.firstFrame);
    const meanSpeedPx = tracks.length ? tracks.reduce((a, t) => a + t.meanSpeedPx, 0) / tracks.length : 0;
    const pr = rng.fork(`track${speed}`);
    const methods: Record<string, EvalSequence[]> = { permuted: [], 'oracle pairs + stitch': [], 'naive IoU linking': [] };
    for (const s of seqs) {
      const gts = s.frames.map((f) => f.panoptic);
      const permuted = gts.map((g) => permuteIds([g], pr)[0]);
      methods.permuted.push(evalSeq(s, permuted));
      const pairs = gts.slice(0, -1).map((g, t) => { const [left, right] = permuteIds([g, gts[t + 1]], pr); return { left, right }; });
      methods['oracle pairs + stitch'].push(evalSeq(s, stitchSequence(pairs, L)));
      methods['naive IoU linking'].push(evalSeq(s, linkFramesByIoU(permuted, L)));
    }
    for (const [method, es] of Object.entries(methods)) {
      for (const k of config.ks) {
        const r = videoPanopticQuality(es, k, SYNTH_DVPS_EVAL, 0);
        trackRows.push({ speed, method, k, vpq: r.pq, thing: r.pqThing, stuff: r.pqStuff, meanSpeedPx });
      }
    }
  }
  return { config, ...meta(config.seed, t0), oracle: summarizeDvpq(oracle), noiseRows, trackRows };
}

export interface DvpqRow { k: number; lambda: number; all: number; thing: number; stuff: number }

function summarizeDvpq(r: DvpqResult) {
  return { cells: r.cells.map((c): DvpqRow => ({ k: c.k, lambda: c.lambda, all: c.all, thing: c.thing, stuff: c.stuff })), mean: r.mean };
}

// ---- B + C. train on synthetic videos, evaluate -------------------------------------------------

export interface TrainEvalConfig {
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  numTrain: number;
  numVal: number;
  numContextModules: number;
  ks: number[];
  lambdas: number[];
  /** Keep this many val predictions (with their sequences) for plots. */
  keepPredictions: number;
}

/**
 * Train ViPDeepLabMini on cityscapes-like synthetic pairs and evaluate on val sequences: the DVPQ
 * table over (k, lambda), VPQ^k of ViP pair inference + stitching vs naive per-frame IoU linking of
 * the same model's outputs, and depth metrics (KITTI units).
 */
export async function runTrainEval(o: Partial<TrainEvalConfig> = {}, hooks: { onStep?: (r: LossRow) => void } = {}) {
  const t0 = Date.now();
  const config: TrainEvalConfig = { seed: 0, steps: 300, batch: 8, lr: 2e-3, numTrain: 40, numVal: 8, numContextModules: 1, ks: [1, 2, 3, 4], lambdas: [0.5, 0.25, 0.1], keepPredictions: 1, ...o };
  const train = generateSynthSplit('train', config.numTrain);
  const val = generateSynthSplit('val', config.numVal);
  const tcfg = vipTrainConfig({
    numClasses: SYNTH_NUM_CLASSES, thingIds: SYNTH_THING_IDS, ignoreId: SYNTH_VOID, labelDivisor: L, maxDepth: SYNTH_MAX_DEPTH,
    seed: config.seed, steps: config.steps, batch: config.batch, lr: config.lr, model: { numContextModules: config.numContextModules },
  });
  const tr = await trainVip(train, tcfg, { onStep: hooks.onStep });
  const te = Date.now();
  const preds: SequencePrediction[] = val.map((s) => predictSequence(tr.model, s, MINI_POSTPROCESS));
  const vipSeqs = val.map((s, i) => evalSeq(s, preds[i].vip, preds[i].depth));
  const naiveSeqs = val.map((s, i) => evalSeq(s, preds[i].naive, preds[i].depth));
  const table = summarizeDvpq(dvpq(vipSeqs, { ks: config.ks, lambdas: config.lambdas, cfg: SYNTH_DVPS_EVAL }));
  const vpqRows: { method: string; k: number; vpq: number; thing: number; stuff: number }[] = [];
  for (const [method, es] of [['ViP pairs + stitch', vipSeqs], ['naive IoU linking', naiveSeqs]] as const) {
    for (const k of config.ks) {
      const r = videoPanopticQuality(es as EvalSequence[], k, SYNTH_DVPS_EVAL, 0);
      vpqRows.push({ method, k, vpq: r.pq, thing: r.pqThing, stuff: r.pqStuff });
    }
  }
  const depth = meanDepthMetrics(val.flatMap((s) => s.frames.map((f) => f.depth)), preds.flatMap((p) => p.depth));
  const params = countParams(tr.model);
  const kept = val.slice(0, config.keepPredictions).map((s, i) => ({ sequence: s, prediction: preds[i] }));
  disposeLayer(tr.model);
  return {
    config, ...meta(config.seed, t0), trainTimeMs: tr.wallTimeMs, evalTimeMs: Date.now() - te, msPerStep: tr.msPerStep,
    params, history: tr.history, dvpq: table, vpqRows, depth, kept,
  };
}
