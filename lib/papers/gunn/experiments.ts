// Experiment runners for chapter 4 (spec §7). Every runner is seeded and returns
// {config, backend, seed, wallTimeMs, ...}; the notebook and the tests call the same functions.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../util/random';
import { collectParams, collectState, countParams, disposeLayer } from '../../nn/tree';
import { batches, toTensors } from '../../data/batches';
import { loadFashionMnist } from '../../data/shipped';
import { NORMALIZATION } from '../../data/normalize';
import type { ImageSet } from '../../data/types';
import { fit } from '../../train/fit';
import { sgd } from '../../train/optimizers';
import { evaluate, type Batch } from '../../train/evaluate';
import { runParallel } from '../../train/parallel';
import { summarize } from '../../metrics/stats';
import { PUBLISHED_PARAMS, gunnMini, type GunnNetConfig } from './config';
import { countConfigParams, countMacs, effectiveDepth } from './count';
import { gunnLayer, type GunnLayer } from './layer';
import { gunnNet } from './net';
import { receptiveFieldProbe, type ReceptiveField } from './receptive-field';
import { TOY_KINDS, gaussianMatrix, makeCollapsed, trainToy, type ToyKind } from './singularity';

interface RunMeta { backend: string; seed: number; wallTimeMs: number }
const meta = (seed: number, t0: number): RunMeta => ({ backend: tf.getBackend(), seed, wallTimeMs: Date.now() - t0 });

// ---- 1. parameter counts ------------------------------------------------------------------------

export interface ParamCountRow {
  model: string;
  published: number;
  /** Pure count from the config (count.ts). */
  counted: number;
  /** Sum of the sizes of the tfjs variables of the constructed network (null if not built). */
  constructed: number | null;
  sunnDepth: number;
  gunnDepth: number;
  /** Forward multiply-adds per image (GUNN = SUNN). */
  macs: number;
}

/**
 * Counts of the six published architectures. `construct`: which ones to build as real tfjs
 * networks ('small' = the two GUNN-15; 'all' also builds the 29-46M models with zero-initialised
 * weights, up to ~180 MB each, one at a time, disposed after counting).
 */
export function runParamCounts(o: { construct?: 'none' | 'small' | 'all'; seed?: number } = {}) {
  const t0 = Date.now();
  const seed = o.seed ?? 0;
  const construct = o.construct ?? 'small';
  const rows: ParamCountRow[] = PUBLISHED_PARAMS.map((p) => {
    const cfg = p.config();
    const small = cfg.stages[0].N <= 400 && cfg.inputShape[0] <= 32;
    let constructed: number | null = null;
    if (construct === 'all' || (construct === 'small' && small)) {
      const net = gunnNet(cfg, makeRng(seed), { init: small ? undefined : 'zeros' });
      constructed = countParams(net);
      disposeLayer(net);
    }
    return {
      model: p.name, published: p.params, counted: countConfigParams(cfg), constructed,
      sunnDepth: effectiveDepth(cfg, 'sunn'), gunnDepth: effectiveDepth(cfg, 'gunn'), macs: countMacs(cfg),
    };
  });
  return { config: { construct }, ...meta(seed, t0), rows };
}

// ---- 2. update-order semantics on a real batch ---------------------------------------------------

/**
 * GUNN-mini and SUNN-mini built from the same seed hold identical parameters; feed both GUNN layers
 * the same stem features and compare outputs per partition (eval-mode BN). Partition 1 must agree
 * exactly, later partitions differ because they read already-updated channels.
 */
export function runPartitionDemo(o: { seed?: number; batch?: number } = {}) {
  const t0 = Date.now();
  const seed = o.seed ?? 0, B = o.batch ?? 8;
  const g = gunnLayer({ N: 32, P: 4, K: 2, M: 1, mode: 'gunn', projection: true }, makeRng(seed));
  const s = gunnLayer({ N: 32, P: 4, K: 2, M: 1, mode: 'sunn', projection: true }, makeRng(seed));
  const rows = tf.tidy(() => {
    const x = tf.randomNormal([B, 14, 14, 32], 0, 1, 'float32', seed + 1);
    const yg = g.apply(x, { training: false }), ys = s.apply(x, { training: false });
    return Array.from({ length: 4 }, (_, k) => {
      const sl = (t: tf.Tensor) => tf.slice(t, [0, 0, 0, k * 8], [B, 14, 14, 8]);
      return {
        partition: k + 1,
        maxAbsDiff: tf.max(tf.abs(tf.sub(sl(yg), sl(ys)))).dataSync()[0],
        meanAbs: tf.mean(tf.abs(sl(ys))).dataSync()[0],
      };
    });
  });
  const sameParams = countParams(g) === countParams(s);
  disposeLayer(g); disposeLayer(s);
  return { config: { N: 32, P: 4, K: 2, M: 1, batch: B }, ...meta(seed, t0), sameParams, rows };
}

// ---- 3. receptive field ----------------------------------------------------------------------

export function runReceptiveField(o: { seed?: number; N?: number; P?: number; size?: number; trials?: number } = {}) {
  const t0 = Date.now();
  const seed = o.seed ?? 0, N = o.N ?? 12, P = o.P ?? 6, size = o.size ?? 16;
  const rows: (ReceptiveField & { mode: 'gunn' | 'sunn'; expected: number })[] = [];
  for (const mode of ['sunn', 'gunn'] as const) {
    const layer = gunnLayer({ N, P, K: 2, M: 1, mode }, makeRng(seed));
    for (const r of receptiveFieldProbe(layer, { size, trials: o.trials ?? 2, rng: makeRng(seed + 7) })) {
      rows.push({ ...r, mode, expected: mode === 'gunn' ? Math.min(2 * r.partition + 1, size) : 3 });
    }
    disposeLayer(layer);
  }
  return { config: { N, P, K: 2, M: 1, size }, ...meta(seed, t0), rows };
}

// ---- 4. overlap singularities ------------------------------------------------------------------

export interface SingularityOptions {
  seed?: number;
  n?: number;
  k?: number;
  samples?: number;
  lr?: number;
  steps?: number;
  p?: number;
}

/**
 * The collapsed-pair toy (spec 2.5 / 7.2.3): x ~ N(0, I_n), teacher t = B x, W, V ~ N(0, sqrt(2/n))
 * then the collapse surgery on units p and q = p + 1; full-batch GD on MSE; gap per step.
 */
export function runSingularity(o: SingularityOptions = {}) {
  const t0 = Date.now();
  const seed = o.seed ?? 0, n = o.n ?? 6, k = o.k ?? 3, samples = o.samples ?? 256;
  const lr = o.lr ?? 0.05, steps = o.steps ?? 300, p = o.p ?? 2, q = p + 1;
  const rng = makeRng(seed);
  const std = Math.sqrt(2 / n);
  const W0 = gaussianMatrix(n, n, std, rng), V0 = gaussianMatrix(k, n, std, rng), B = gaussianMatrix(k, n, 1, rng);
  const xs = gaussianMatrix(samples, n, 1, rng);
  const x = tf.tensor2d(xs);
  const target = tf.tidy(() => tf.matMul(x, tf.tensor2d(B), false, true)) as tf.Tensor2D;
  const curves: Record<ToyKind, number[]> = { plain: [], residual: [], gunn: [] };
  try {
    for (const kind of TOY_KINDS) {
      const { W, V } = makeCollapsed(kind, W0, V0, p, q);
      curves[kind] = trainToy({ kind, W, V, x, target, p, q, lr, steps });
    }
  } finally {
    x.dispose(); target.dispose();
  }
  const summary = TOY_KINDS.map((kind) => ({
    kind, gap0: curves[kind][0], gap1: curves[kind][1], gapFinal: curves[kind][steps], gapMax: Math.max(...curves[kind]),
  }));
  return { config: { n, k, samples, lr, steps, p, q }, ...meta(seed, t0), curves, summary };
}

// ---- 5. Algorithm 2 vs autodiff ---------------------------------------------------------------

export interface Alg2CheckOptions {
  seed?: number;
  batch?: number;
  size?: number;
  N?: number;
  P?: number;
  K?: number;
  M?: number;
  residual?: boolean;
  projection?: boolean;
  backwardRule?: 'steps5-6' | 'merged-4.6';
}

/**
 * Gradients of <w, GUNN(x)> w.r.t. x and every parameter, by autodiff and by Algorithm 2, on two
 * layers built from the same seed (training-mode BN). Also: running statistics after the step
 * (equal iff Algorithm 2 updated them exactly once, like autodiff), and the bytes held alive when
 * the backward pass starts (autodiff keeps every unit's activations; Algorithm 2 only x and y).
 */
export function runAlgorithm2Check(o: Alg2CheckOptions = {}) {
  const t0 = Date.now();
  const seed = o.seed ?? 0;
  const cfg = { N: o.N ?? 8, P: o.P ?? 4, K: o.K ?? 2, M: o.M ?? 1, residual: o.residual ?? true, projection: o.projection ?? true };
  const B = o.batch ?? 2, S = o.size ?? 6;
  const auto = gunnLayer({ ...cfg, mode: 'gunn' }, makeRng(seed));
  const alg2 = gunnLayer({ ...cfg, mode: 'gunn', customBackward: true, backwardRule: o.backwardRule ?? 'steps5-6' }, makeRng(seed));
  const x = tf.randomNormal([B, S, S, cfg.N], 0, 1, 'float32', seed + 11);
  const w = tf.randomNormal([B, S, S, cfg.N], 0, 1, 'float32', seed + 12);
  const run = (L: GunnLayer) => {
    const vars = collectParams(L).map((v) => v.variable as tf.Tensor);
    let atBackward = 0;
    const probe = tf.customGrad(((y: tf.Tensor) => ({
      value: tf.clone(y),
      gradFunc: (dy: tf.Tensor) => { atBackward = tf.memory().numBytes; return dy; },
    })) as unknown as Parameters<typeof tf.customGrad>[0]);
    const before = tf.memory().numBytes;
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(probe(L.apply(xs[0], { training: true })), w)))([x, ...vars]);
    const values = grads.map((g) => g.dataSync().slice());
    tf.dispose(grads);
    return { values, retainedBytes: atBackward - before };
  };
  const a = run(auto), b = run(alg2);
  const paths = ['input', ...collectParams(auto).map((v) => v.path)];
  const perTensor = a.values.map((av, i) => {
    let num = 0, den = 0;
    for (let j = 0; j < av.length; j++) { num = Math.max(num, Math.abs(av[j] - b.values[i][j])); den = Math.max(den, Math.abs(av[j])); }
    return { path: paths[i], maxAbsDiff: num, maxRelError: den > 0 ? num / den : num };
  });
  const sa = collectState(auto).map((v) => v.variable.dataSync()), sb = collectState(alg2).map((v) => v.variable.dataSync());
  let stateMaxDiff = 0, stateMoved = 0;
  sa.forEach((s, i) => s.forEach((v, j) => {
    stateMaxDiff = Math.max(stateMaxDiff, Math.abs(v - sb[i][j]));
    stateMoved = Math.max(stateMoved, Math.abs(v - (i % 2 === 0 ? 0 : 1)));
  }));
  x.dispose(); w.dispose();
  disposeLayer(auto); disposeLayer(alg2);
  return {
    config: { ...cfg, batch: B, size: S, backwardRule: o.backwardRule ?? 'steps5-6' }, ...meta(seed, t0),
    maxRelError: Math.max(...perTensor.map((r) => r.maxRelError)),
    perTensor, stateMaxDiff, stateMoved,
    retainedBytes: { autodiff: a.retainedBytes, algorithm2: b.retainedBytes },
  };
}

// ---- 6. SUNN-mini vs GUNN-mini vs GUNN-mini-NoRes on Fashion-MNIST --------------------------------

export type MiniModel = 'SUNN-mini' | 'GUNN-mini' | 'GUNN-mini-NoRes';
export const MINI_MODELS: MiniModel[] = ['SUNN-mini', 'GUNN-mini', 'GUNN-mini-NoRes'];

export function miniConfig(model: MiniModel, P = 4): GunnNetConfig {
  if (model === 'SUNN-mini') return gunnMini({ mode: 'sunn', P });
  if (model === 'GUNN-mini') return gunnMini({ mode: 'gunn', P });
  if (model === 'GUNN-mini-NoRes') return gunnMini({ mode: 'gunn', residual: false, P });
  throw new Error(`miniConfig: unknown model '${String(model)}' (use ${MINI_MODELS.join(', ')})`);
}

export interface TrainingOptions {
  seeds?: number[];
  models?: MiniModel[];
  /** Optimiser steps per run (equal for every model). */
  steps?: number;
  batchSize?: number;
  /** Base lr; divided by 10 at 50% and 75% of the steps (thesis schedule shape). */
  lr?: number;
  weightDecay?: number;
  /** Evaluate on the fixed test subset every this many steps. */
  evalEvery?: number;
  /** Size of the fixed test subset used for the curve. */
  testSubset?: number;
  /** Test images for the final number. */
  finalTest?: number;
  P?: number;
  /** Train GUNN models with Algorithm 2 (custom backward) instead of autodiff. */
  algorithm2?: boolean;
  /** Training data (default: Fashion-MNIST train); test data (default: Fashion-MNIST test). */
  train?: ImageSet;
  test?: ImageSet;
  augment?: boolean;
  /**
   * Worker threads (lib/train runParallel): one task per (seed, model), results merged in the same
   * order. wasm is single-threaded per isolate, so 2 workers on 2 cores halve the wall time. Not
   * with custom `train`/`test` sets (they are not sent to workers). Default 1 (in-process).
   */
  workers?: number;
}

export interface TrainingRun {
  model: MiniModel;
  seed: number;
  params: number;
  /** Mean training loss per evaluation chunk, and test error on the subset after it. */
  curve: { step: number; trainLoss: number; testError: number }[];
  /** Per-step training loss. */
  losses: number[];
  finalTestError: number;
  finalTrainLoss: number;
  wallTimeMs: number;
  stepsPerSec: number;
}

/**
 * Figure 4-3 / Table 4-IV analogue. Every model gets the same steps, batches (same seed -> same
 * order and augmentation), schedule and optimiser: SGD, Nesterov momentum 0.9, weight decay 1e-4 on
 * every parameter as in Torch [code], batch 32, lr 0.05 (0.1 scaled to batch 32; spec 7.2.5).
 */
export async function runTrainingComparison(o: TrainingOptions = {}) {
  const t0 = Date.now();
  const seeds = o.seeds ?? [0, 1];
  const models = o.models ?? MINI_MODELS;
  models.forEach((m) => miniConfig(m)); // unknown names fail here, before any work
  const steps = o.steps ?? 800, batchSize = o.batchSize ?? 32, lr = o.lr ?? 0.05, wd = o.weightDecay ?? 1e-4;
  const evalEvery = Math.min(o.evalEvery ?? 100, steps);
  const testSubset = o.testSubset ?? 2000, finalTest = o.finalTest ?? 5000;
  const trainSet = o.train ?? loadFashionMnist({ split: 'train' });
  const testSet = o.test ?? loadFashionMnist({ split: 'test' });
  const norm = NORMALIZATION.fashionMnist;
  // Fashion-MNIST stand-in augmentation: pad 2 + random crop, horizontal flip (spec §5).
  const augment = (o.augment ?? true) ? { pad: 2, flip: 0.5 } : undefined;
  const testOrder = makeRng(12345).permutation(testSet.shape[0]);
  const curveIdx = testOrder.subarray(0, Math.min(testSubset, testOrder.length));
  const finalIdx = testOrder.subarray(0, Math.min(finalTest, testOrder.length));
  const evalBatches = (idx: Int32Array) => () => asBatches(batches(testSet, { batchSize: 250, shuffle: false, indices: idx, normalization: norm }));
  const chunks = Math.ceil(steps / evalEvery);
  const config = { seeds, models, steps, batchSize, lr, weightDecay: wd, evalEvery, testSubset: curveIdx.length, finalTest: finalIdx.length, P: o.P ?? 4, algorithm2: o.algorithm2 ?? false, augment: !!augment, workers: o.workers ?? 1 };
  const runs: TrainingRun[] = [];
  if ((o.workers ?? 1) > 1) {
    if (o.train || o.test) throw new Error('runTrainingComparison: workers > 1 needs the default Fashion-MNIST sets (custom train/test sets are not sent to workers)');
    const { train: _t, test: _s, ...plain } = o;
    void _t; void _s;
    const tasks = seeds.flatMap((seed) => models.map((model) => ({
      module: __filename, fn: 'runTrainingComparison', name: `${model} seed ${seed}`,
      config: { ...plain, seeds: [seed], models: [model], workers: 1 },
    })));
    const results = await runParallel<{ runs: TrainingRun[] }>(tasks, { workers: o.workers });
    for (const r of results) runs.push(...r.runs);
    return { config, ...meta(seeds[0], t0), runs, summary: summarizeRuns(runs, models) };
  }
  for (const seed of seeds) {
    for (const model of models) {
      const cfg = miniConfig(model, o.P ?? 4);
      const net = gunnNet(cfg, makeRng(seed), { customBackward: o.algorithm2 ?? false });
      const params = collectParams(net);
      const opt = sgd({ lr, momentum: 0.9, nesterov: true, weightDecay: wd, decayAll: true });
      const losses: number[] = [];
      const curve: TrainingRun['curve'] = [];
      const tr = Date.now();
      const res = await fit({
        model: net, params, optimizer: opt, epochs: chunks, stepsPerEpoch: evalEvery, seed, progress: false,
        lr: ({ step }) => lr * (step < 0.5 * steps ? 1 : step < 0.75 * steps ? 0.1 : 0.01),
        train: (chunk) => {
          const take = Math.min(evalEvery, steps - chunk * evalEvery);
          const it = batches(trainSet, { batchSize, seed: seed * 100003 + chunk, augment, normalization: norm, dropLast: true });
          return (function* () { let i = 0; for (const b of it) { if (i++ >= take) { tf.dispose([b.x, b.y]); break; } yield { x: b.x, y: b.y }; } })();
        },
        eval: () => evalBatches(curveIdx),
        callbacks: {
          onBatchEnd: (info) => { losses.push(info.loss); },
          onEpochEnd: (rec) => {
            curve.push({ step: rec.step, trainLoss: rec.trainLoss, testError: rec.eval ? 1 - rec.eval.accuracy : NaN });
          },
        },
      });
      const fin = await evaluate(net, evalBatches(finalIdx));
      const wall = Date.now() - tr;
      runs.push({
        model, seed, params: countParams(params), curve, losses,
        finalTestError: 1 - fin.accuracy,
        finalTrainLoss: mean(losses.slice(-Math.max(1, Math.floor(steps / 10)))),
        wallTimeMs: wall, stepsPerSec: res.steps / (wall / 1000),
      });
      opt.dispose();
      disposeLayer(net);
    }
  }
  return { config, ...meta(seeds[0], t0), runs, summary: summarizeRuns(runs, models) };
}

/** Mean and sample std over seeds of each model's final test error and final training loss. */
export function summarizeRuns(runs: TrainingRun[], models: MiniModel[]) {
  return models.map((model) => {
    const rs = runs.filter((r) => r.model === model);
    const errs = rs.map((r) => r.finalTestError), tl = rs.map((r) => r.finalTrainLoss);
    return { model, params: rs[0]?.params ?? 0, seeds: rs.length, meanTestError: mean(errs), stdTestError: std(errs), meanFinalTrainLoss: mean(tl), stdFinalTrainLoss: std(tl) };
  });
}

/**
 * Training steps per second of one mini model (first 2 steps are warm-up and not timed) and
 * eval-mode images per second, measured on this machine now (the notebook sizes its budget from it).
 */
export async function measureTrainThroughput(o: { model?: MiniModel; steps?: number; batchSize?: number; seed?: number; evalImages?: number } = {}) {
  const t0 = Date.now();
  const model = o.model ?? 'GUNN-mini', steps = o.steps ?? 10, batchSize = o.batchSize ?? 32, seed = o.seed ?? 0;
  const evalImages = o.evalImages ?? 250;
  const set = loadFashionMnist({ split: 'test' });
  const net = gunnNet(miniConfig(model), makeRng(seed));
  const opt = sgd({ lr: 0.01, momentum: 0.9 });
  const idx = makeRng(seed).permutation(set.shape[0]).subarray(0, batchSize * (steps + 2));
  let timed = 0;
  const res = await fit({
    model: net, optimizer: opt, epochs: 1, progress: false, seed,
    train: () => asBatches(batches(set, { batchSize, seed, indices: idx, normalization: NORMALIZATION.fashionMnist, dropLast: true })),
    callbacks: { onBatchEnd: (info) => { if (info.batchIndex === 1) timed = Date.now(); } },
  });
  const sec = (Date.now() - timed) / 1000;
  const te = Date.now();
  await evaluate(net, () => asBatches(batches(set, { batchSize: 250, shuffle: false, indices: idx.subarray(0, evalImages), normalization: NORMALIZATION.fashionMnist })));
  const evalSec = (Date.now() - te) / 1000;
  opt.dispose(); disposeLayer(net);
  return {
    config: { model, steps, batchSize, evalImages }, ...meta(seed, t0),
    stepsPerSec: (res.steps - 2) / sec, imagesPerSec: ((res.steps - 2) * batchSize) / sec, evalImagesPerSec: evalImages / evalSec,
  };
}

/**
 * Steps per run so that `runs` training runs, each with `evals` curve evaluations on `testSubset`
 * images, a final evaluation on `finalTest` images and a fixed per-run overhead fit in `seconds`
 * (clamped to [minSteps, maxSteps]).
 */
export function stepsForBudget(o: { seconds: number; runs: number; stepsPerSec: number; evalImagesPerSec: number; evals: number; testSubset: number; finalTest: number; minSteps?: number; maxSteps?: number; overheadSec?: number }): number {
  // overheadSec: per-run fixed cost (building the model, first-step kernel warm-up), default 2 s
  const perRun = o.seconds / o.runs - (o.overheadSec ?? 2);
  const evalSec = (o.evals * o.testSubset + o.finalTest) / o.evalImagesPerSec;
  const steps = Math.floor(Math.max(0, perRun - evalSec) * o.stepsPerSec);
  return Math.max(o.minSteps ?? 1, Math.min(o.maxSteps ?? Infinity, steps));
}

function* asBatches(it: Iterable<{ x: tf.Tensor; y: tf.Tensor }>): Generator<Batch> {
  for (const b of it) yield { x: b.x, y: b.y };
}

// Mean and sample std over seeds via lib/metrics; an empty list gives NaN (mean) and 0 (std).
function mean(a: number[]): number { return a.length ? summarize(a).mean : NaN; }
function std(a: number[]): number { return a.length < 2 ? 0 : summarize(a).std; }

/** Logits of a GUNN net for a batch of images (eval mode); convenience for notebooks. */
export function predict(net: ReturnType<typeof gunnNet>, set: ImageSet, indices: ArrayLike<number>): tf.Tensor {
  const b = toTensors(set, indices, { normalization: NORMALIZATION.fashionMnist });
  try { return net.apply(b.x, { training: false }); } finally { tf.dispose([b.x, b.y]); }
}
