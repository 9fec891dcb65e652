// Experiment runners for notebook 01 (spec §7). Each is seeded and returns
// {config, backend, seed, wallTimeMs, ...metrics}. Budgets come from the caller (the notebook uses
// budget(full, quick)); every compared model gets the same data, optimiser and number of epochs.
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from '../../nn/types';
import { dense, dropout, sequential } from '../../nn/layers';
import { collectParams } from '../../nn/tree';
import { fit, type EpochRecord } from '../../train/fit';
import { evaluate } from '../../train/evaluate';
import { adam, sgd, type Optimizer } from '../../train/optimizers';
import { batches, toTensors } from '../../data/batches';
import type { ImageSet } from '../../data/types';
import { backendReport } from '../../backend/init';
import { makeRng, type Rng } from '../../util/random';
import { dcl, type DclLayer } from './module';
import { makeMultiDigit, getLevel, type MultiDigitSet, type MultiDigitOptions } from './multidigit';
import { loadDigitSources, type DigitSourceSpec } from './sources';
import { mnistModel, oracleNet, oracleLoss, oracleDecode, paramCount, buildNet, type Net, type OracleNet } from './models';
import { genericLeNetArch, mnistLeNetArch } from './arch';
import { subset } from '../../data/subset';
import { summarize } from '../../metrics/stats';

// ---- shared helpers -----------------------------------------------------------------------------

export interface OptimConfig {
  /** The paper does not state the MNIST solver (spec §4.2). Default: Adam 1e-3 (our choice). */
  kind: 'adam' | 'sgd';
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

function makeOptimizer(o: OptimConfig): Optimizer {
  if (o.kind === 'adam') return adam({ lr: o.lr, weightDecay: o.weightDecay });
  if (o.kind === 'sgd') return sgd({ lr: o.lr, momentum: o.momentum ?? 0.9, weightDecay: o.weightDecay });
  throw new Error(`unknown optimizer '${(o as { kind: string }).kind}' (expected 'adam' or 'sgd')`);
}

function backendName(): string {
  return backendReport()?.name ?? tf.getBackend();
}

/** 95% binomial half-width (normal approximation) of an error rate e measured on n samples. */
export function binomialHalfWidth(e: number, n: number): number {
  return n > 0 ? 1.96 * Math.sqrt((e * (1 - e)) / n) : NaN;
}

/** Mean and sample standard deviation. */
export function meanStd(xs: number[]): { mean: number; std: number } {
  // Thin wrapper kept for notebook 01; an empty list keeps its old {NaN, 0} instead of summarize's error.
  if (xs.length === 0) return { mean: NaN, std: 0 };
  const s = summarize(xs);
  return { mean: s.mean, std: s.std };
}

/** Inference-mode cross-entropy and error of a classifier on some indices of a set (lib/train evaluate). */
async function evalClassifier(model: Layer, set: ImageSet, indices: ArrayLike<number> | undefined, batchSize = 500): Promise<{ loss: number; err: number; n: number }> {
  if (indices !== undefined && indices.length === 0) return { loss: NaN, err: NaN, n: 0 };
  const r = await evaluate(model, () => plain(batches(set, { batchSize, shuffle: false, indices })));
  // err from the integer count of mistakes, so it is exactly wrong / n (not 1 - accuracy).
  const wrong = r.n - Math.round(r.accuracy * r.n);
  return { loss: r.loss, err: wrong / r.n, n: r.n };
}

/** TensorBatch -> the loop's Batch ({x, y}). */
function* plain(it: Iterable<{ x: tf.Tensor; y: tf.Tensor }>): Generator<{ x: tf.Tensor; y: tf.Tensor }> {
  for (const b of it) yield { x: b.x, y: b.y };
}

/** Batches that also carry the per-position digits ([B, D] int32 alphabet indices) for the oracle. */
function* digitBatches(set: MultiDigitSet, opts: { batchSize: number; seed?: number; shuffle?: boolean; indices?: ArrayLike<number> }) {
  const D = set.numDigits;
  for (const b of batches(set, { batchSize: opts.batchSize, seed: opts.seed, shuffle: opts.shuffle ?? true, indices: opts.indices })) {
    const dg = new Int32Array(b.indices.length * D);
    for (let i = 0; i < b.indices.length; i++) for (let d = 0; d < D; d++) dg[i * D + d] = set.alphabet.indexOf(set.digits[b.indices[i] * D + d]);
    yield { x: b.x, y: b.y, digits: tf.tensor2d(dg, [b.indices.length, D], 'int32') };
  }
}

async function evalOracle(model: OracleNet, set: MultiDigitSet, indices?: ArrayLike<number>): Promise<{ loss: number; err: number; digitErr: number[]; n: number }> {
  const D = model.numDigits, base = model.base;
  let n = 0, wrong = 0, lossSum = 0;
  const dWrong = new Array(D).fill(0);
  for (const b of digitBatches(set, { batchSize: 500, shuffle: false, indices })) {
    const [l, pred, per] = tf.tidy(() => {
      const logits = model.apply(b.x, { training: false });
      const perPos = tf.argMax(logits.reshape([-1, D, base]), 2);
      return [tf.mul(oracleLoss(logits, b.digits, D, base), b.y.shape[0]), oracleDecode(logits, D, base), tf.notEqual(perPos, b.digits)];
    });
    lossSum += (await l.data())[0];
    const p = await pred.data(), y = await b.y.data(), pw = await per.data();
    for (let i = 0; i < p.length; i++) {
      if (p[i] !== y[i]) wrong++;
      for (let d = 0; d < D; d++) if (pw[i * D + d]) dWrong[d]++;
    }
    n += p.length;
    tf.dispose([l, pred, per, b.x, b.y, b.digits]);
  }
  return { loss: lossSum / n, err: wrong / n, digitErr: dWrong.map((w) => w / n), n };
}

// ---- datasets -----------------------------------------------------------------------------------

export interface MultiDigitDataConfig {
  level: string;
  nTrain: number;
  nTest: number;
  /** Seed of the generated images (fixed across model seeds by default). */
  dataSeed?: number;
  /** Digit values; [0..4] with a III level = "MNIST-III-lite" (125 classes). */
  alphabet?: number[];
  source?: DigitSourceSpec;
  fit?: MultiDigitOptions['fit'];
}

export interface MultiDigitData { train: MultiDigitSet; test: MultiDigitSet; classes: number; description: string }

/** Train numbers from the train source digits, test numbers from the disjoint test source digits. */
export function makeMultiDigitData(c: MultiDigitDataConfig): MultiDigitData {
  getLevel(c.level);
  const src = loadDigitSources(c.source ?? { kind: 'opencv' });
  const rng = makeRng(c.dataSeed ?? 0);
  const opts = { alphabet: c.alphabet, fit: c.fit };
  const train = makeMultiDigit(src.set, c.level, c.nTrain, rng.fork('train'), { ...opts, pool: src.train });
  const test = makeMultiDigit(src.set, c.level, c.nTest, rng.fork('test'), { ...opts, pool: src.test });
  return { train, test, classes: train.classNames.length, description: `${c.level}-like (our layout), ${src.description}` };
}

// ---- E1: baseline vs DCL variants vs oracle ------------------------------------------------------

export interface CompareConfig extends MultiDigitDataConfig {
  /** Model ids: 'baseline', 'A2', 'A3S', 'A3D', 'B2', 'B3S', 'B3D'. */
  models: string[];
  epochs: number;
  /** Epochs per model when they must differ (default: `epochs` for all; equal budgets are the rule). */
  epochsFor?: Record<string, number>;
  batchSize?: number;
  optimizer?: OptimConfig;
  /** Oracle: epochs (0 = skip) and kind. */
  oracle?: { epochs: number; kind?: 'separate' | 'shared' };
  /** Evaluate the train loss/error on this many fixed training images per epoch (inference mode). */
  trainEvalSize?: number;
  fusionBiasInit?: number;
  convAct?: 'relu' | 'linear';
  seed: number;
  /** Keep the trained models in the result (for the response analysis and the filter curve). */
  keepModels?: boolean;
  progress?: boolean;
}

export interface CurvePoint { epoch: number; trainLoss: number; trainErr: number; testLoss: number; testErr: number; timeMs: number }

export interface ModelResult {
  id: string;
  params: number;
  curve: CurvePoint[];
  final: CurvePoint;
  /** Lowest test error over the epochs (reported beside the final one, never instead of it). */
  bestTestErr: number;
  /** 95% binomial half-width of the final test error. */
  ci95: number;
  wallTimeMs: number;
  /** Seconds per 1000 training images (throughput). */
  secPer1kImages: number;
  digitErr?: number[];
}

export interface CompareResult {
  config: CompareConfig;
  backend: string;
  seed: number;
  wallTimeMs: number;
  data: { description: string; classes: number; nTrain: number; nTest: number };
  models: Record<string, ModelResult>;
  oracle?: ModelResult;
  trained?: Record<string, Net | OracleNet>;
}

export async function runCompare(c: CompareConfig): Promise<CompareResult> {
  const t0 = Date.now();
  if (!Array.isArray(c.models) || c.models.length === 0) throw new Error('runCompare: models must be a non-empty list');
  if (!(Number.isInteger(c.epochs) && c.epochs >= 1)) throw new Error(`runCompare: epochs must be a positive integer, got ${c.epochs}`);
  const data = makeMultiDigitData(c);
  const bs = c.batchSize ?? 64;
  const opt: OptimConfig = c.optimizer ?? { kind: 'adam', lr: 1e-3 };
  const evalRng = makeRng(c.seed).fork('train-eval');
  const trainEval = Int32Array.from(evalRng.permutation(data.train.shape[0]).subarray(0, Math.min(c.trainEvalSize ?? 1000, data.train.shape[0])));
  const result: CompareResult = {
    config: c, backend: backendName(), seed: c.seed, wallTimeMs: 0,
    data: { description: data.description, classes: data.classes, nTrain: c.nTrain, nTest: c.nTest }, models: {},
  };
  const trained: Record<string, Net | OracleNet> = {};
  for (const id of c.models) {
    const rng = makeRng(c.seed).fork(`model-${id}`);
    const model = mnistModel(id, data.classes, rng, { fusionBiasInit: c.fusionBiasInit, convAct: c.convAct });
    const epochs = c.epochsFor?.[id] ?? c.epochs;
    const curve: CurvePoint[] = [];
    const optimizer = makeOptimizer(opt);
    const tm = Date.now();
    let trainMs = 0;
    await fit({
      model, optimizer, epochs, seed: c.seed * 7919 + 1, label: id, progress: c.progress ?? false,
      train: (epoch) => plain(batches(data.train, { batchSize: bs, seed: c.seed * 1000 + epoch })),
      eval: async (epoch) => {
        const tr = await evalClassifier(model, data.train, trainEval);
        const te = await evalClassifier(model, data.test, undefined);
        curve.push({ epoch: epoch + 1, trainLoss: tr.loss, trainErr: tr.err, testLoss: te.loss, testErr: te.err, timeMs: Date.now() - tm });
        return { testErr: te.err, testLoss: te.loss };
      },
      evalIsCustom: true,
      callbacks: { onEpochEnd: (rec: EpochRecord) => { trainMs += rec.timeMs; } },
    });
    optimizer.dispose();
    const final = curve[curve.length - 1];
    result.models[id] = {
      id, params: paramCount(model), curve, final, bestTestErr: Math.min(...curve.map((p) => p.testErr)),
      ci95: binomialHalfWidth(final.testErr, c.nTest), wallTimeMs: Date.now() - tm,
      secPer1kImages: (Date.now() - tm) / (epochs * c.nTrain),
    };
    if (c.keepModels) trained[id] = model; else disposeModel(model);
  }
  if (c.oracle && c.oracle.epochs > 0) {
    const D = data.train.numDigits, base = data.train.base;
    const model = oracleNet(makeRng(c.seed).fork('oracle'), { numDigits: D, base, kind: c.oracle.kind ?? 'separate', convAct: c.convAct });
    const optimizer = makeOptimizer(opt);
    const curve: CurvePoint[] = [];
    const tm = Date.now();
    let last: { digitErr: number[] } = { digitErr: [] };
    await fit({
      model, optimizer, epochs: c.oracle.epochs, seed: c.seed * 7919 + 2, label: 'oracle', progress: c.progress ?? false,
      train: (epoch) => digitBatches(data.train, { batchSize: bs, seed: c.seed * 1000 + epoch }),
      loss: (b, ctx: Ctx) => oracleLoss(model.apply(b.x, ctx), b.digits as tf.Tensor, D, base),
      eval: async (epoch) => {
        const tr = await evalOracle(model, data.train, trainEval);
        const te = await evalOracle(model, data.test);
        last = te;
        curve.push({ epoch: epoch + 1, trainLoss: tr.loss, trainErr: tr.err, testLoss: te.loss, testErr: te.err, timeMs: Date.now() - tm });
        return { testErr: te.err };
      },
      evalIsCustom: true,
    });
    optimizer.dispose();
    const final = curve[curve.length - 1];
    result.oracle = {
      id: 'oracle', params: paramCount(model), curve, final, bestTestErr: Math.min(...curve.map((p) => p.testErr)),
      ci95: binomialHalfWidth(final.testErr, c.nTest), wallTimeMs: Date.now() - tm,
      secPer1kImages: (Date.now() - tm) / (c.oracle.epochs * c.nTrain), digitErr: last.digitErr,
    };
    if (c.keepModels) trained.oracle = model; else disposeModel(model);
  }
  if (c.keepModels) result.trained = trained;
  result.wallTimeMs = Date.now() - t0;
  return result;
}

export function disposeModel(m: Layer): void {
  for (const v of collectParams(m)) if (!v.variable.isDisposed) v.variable.dispose();
}

// ---- E2: filter-count curve (Figure 3) -------------------------------------------------------------

export interface FilterCurveConfig extends MultiDigitDataConfig {
  /** Filters per branch of DCL-A2 to sweep. */
  Ms: number[];
  epochs: number;
  batchSize?: number;
  optimizer?: OptimConfig;
  seed: number;
  /**
   * Fast mode (our suggestion, spec §7.2 E2): the conv trunk of a trained baseline is frozen and
   * only the heads (DCL-A2 + dropout + OUT, or FC500 + dropout + OUT for the baseline line) are
   * trained on its 800-d features. Pass the trained baseline; otherwise one is trained for
   * `trunkEpochs` first.
   */
  trunk?: Net;
  trunkEpochs?: number;
  fusionBiasInit?: number;
}

export interface FilterCurveResult {
  config: Omit<FilterCurveConfig, 'trunk'>;
  backend: string;
  seed: number;
  wallTimeMs: number;
  points: { M: number; params: number; headParams: number; testErr: number; testAcc: number; ci95: number }[];
  baseline: { params: number; headParams: number; testErr: number; testAcc: number };
}

/** Features of the frozen trunk (everything before the first FC/DCL layer), as a float matrix. */
async function trunkFeatures(trunk: Net, set: ImageSet): Promise<{ x: Float32Array; dim: number }> {
  const cut = trunk.children.findIndex((l) => l.name === 'flatten');
  if (cut < 0) throw new Error('filter curve: the trunk has no flatten layer');
  const chunks: Float32Array[] = [];
  let dim = 0;
  for (const b of batches(set, { batchSize: 500, shuffle: false })) {
    const f = tf.tidy(() => trunk.applyRange(b.x, { training: false }, 0, cut + 1));
    dim = f.shape[1]!;
    chunks.push((await f.data()) as Float32Array);
    tf.dispose([f, b.x, b.y]);
  }
  const x = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) { x.set(c, o); o += c.length; }
  return { x, dim };
}

function featureBatches(x: Float32Array, y: Int32Array, dim: number, bs: number, rng: Rng | null) {
  const n = y.length;
  const order = rng ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const out: { x: tf.Tensor; y: tf.Tensor }[] = [];
  return (function* () {
    for (let s = 0; s < n; s += bs) {
      const idx = order.subarray(s, Math.min(n, s + bs));
      const xb = new Float32Array(idx.length * dim), yb = new Int32Array(idx.length);
      for (let i = 0; i < idx.length; i++) { xb.set(x.subarray(idx[i] * dim, (idx[i] + 1) * dim), i * dim); yb[i] = y[idx[i]]; }
      yield { x: tf.tensor2d(xb, [idx.length, dim]), y: tf.tensor1d(yb, 'int32') };
    }
    void out;
  })();
}

export async function runFilterCurve(c: FilterCurveConfig): Promise<FilterCurveResult> {
  const t0 = Date.now();
  if (!Array.isArray(c.Ms) || c.Ms.length === 0 || c.Ms.some((m) => !(Number.isInteger(m) && m > 0))) throw new Error(`runFilterCurve: Ms must be positive integers, got [${c.Ms}]`);
  const data = makeMultiDigitData(c);
  const bs = c.batchSize ?? 64, opt = c.optimizer ?? { kind: 'adam', lr: 1e-3 };
  let trunk = c.trunk;
  if (!trunk) {
    const r = await runCompare({ ...c, models: ['baseline'], epochs: c.trunkEpochs ?? 2, keepModels: true });
    trunk = r.trained!.baseline as Net;
  }
  const ftr = await trunkFeatures(trunk, data.train), fte = await trunkFeatures(trunk, data.test);
  const dim = ftr.dim, K = data.classes;
  const trunkParams = paramCount(trunk) - (dim * 500 + 500) - (500 * K + K);
  const trainHead = async (head: Layer, seed: number) => {
    const optimizer = makeOptimizer(opt);
    await fit({
      model: head, optimizer, epochs: c.epochs, seed, progress: false, label: 'head',
      train: (epoch) => featureBatches(ftr.x, data.train.labels, dim, bs, makeRng(seed * 1000 + epoch)),
    });
    optimizer.dispose();
    let wrong = 0;
    for (const b of featureBatches(fte.x, data.test.labels, dim, 1000, null)) {
      const w = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(tf.argMax(head.apply(b.x, { training: false }), 1), b.y), 'int32')));
      wrong += (await w.data())[0];
      tf.dispose([w, b.x, b.y]);
    }
    const headParams = paramCount(head);
    disposeModel(head);
    return { testErr: wrong / data.test.shape[0], headParams };
  };
  const mkHead = (M: number | null, rng: Rng): Layer => sequential(M === null ? 'fc_head' : `dcl_head_${M}`, [
    M === null
      ? sequential('fc', [dense({ name: 'fc1', inFeatures: dim, units: 500, init: 'glorotUniform', biasInit: 'zeros' }, rng.fork('fc1')), { name: 'relu', params: [], state: [], children: [], apply: (x) => tf.relu(x) }])
      : dcl({ kind: 'dense', name: 'dcl1', inputChannels: dim, units: 500, branches: 2, filtersPerBranch: M, fusionBiasInit: c.fusionBiasInit ?? 0 }, rng.fork('dcl')) as DclLayer,
    dropout(0.5, 'drop1'),
    dense({ name: 'out', inFeatures: 500, units: K, init: 'glorotUniform', biasInit: 'zeros' }, rng.fork('out')),
  ]);
  const base = await trainHead(mkHead(null, makeRng(c.seed).fork('base')), c.seed * 31 + 1);
  const points: FilterCurveResult['points'] = [];
  for (const M of c.Ms) {
    const r = await trainHead(mkHead(M, makeRng(c.seed).fork(`M${M}`)), c.seed * 31 + 1);
    points.push({ M, params: trunkParams + r.headParams, headParams: r.headParams, testErr: r.testErr, testAcc: 100 * (1 - r.testErr), ci95: binomialHalfWidth(r.testErr, data.test.shape[0]) });
  }
  const { trunk: _t, ...config } = c;
  void _t;
  if (!c.trunk) disposeModel(trunk);
  return {
    config, backend: backendName(), seed: c.seed, wallTimeMs: Date.now() - t0, points,
    baseline: { params: trunkParams + base.headParams, headParams: base.headParams, testErr: base.testErr, testAcc: 100 * (1 - base.testErr) },
  };
}

// ---- E3: per-class responses of fused and branch filters (Figure 5) -----------------------------------

export interface ResponseAnalysis {
  /** Number of fused units K2 and classes. */
  units: number;
  classes: number;
  /** meanZ[k][c]: mean fused response of unit k over test images of class c. */
  meanZ: number[][];
  /** meanV[t][pos][k][digit]: mean branch-t response of unit k over images whose digit at `pos` is `digit`. */
  meanV: number[][][][];
  /** Unit with the highest class selectivity ((max - mean)/std of meanZ over classes). */
  mostSelective: number;
  selectivity: number[];
  /**
   * Fraction of units whose two branches split the fused argmax class (tens, unit) between them: one
   * branch's argmax over the tens grouping is the tens digit and the other's over the unit grouping
   * is the unit digit. Chance ≈ 2/100.
   */
  specializationFraction: number;
  /**
   * Two-digit, two-branch: fraction of live units whose branches prefer DIFFERENT digit positions,
   * a branch's preference being the position whose grouping explains more of the variance of its mean
   * response. Independent preferences give about 50%; compare with an untrained model as control.
   */
  complementaryFraction: number;
  /** Per-unit: fused argmax class and each branch's argmax digit per position. */
  perUnit: { argmaxClass: number; branchArgmax: number[][]; specialized: boolean }[];
  wallTimeMs: number;
}

/** Forward the test set through a two-digit DCL-A model and accumulate Figure 5's statistics. */
export async function analyzeResponses(model: Net, set: MultiDigitSet): Promise<ResponseAnalysis> {
  const t0 = Date.now();
  const layer = model.dclLayers[0];
  if (!layer) throw new Error(`analyzeResponses: model '${model.name}' has no DCL layer`);
  const idx = model.children.indexOf(layer);
  const K = layer.config.units, T = layer.config.branches, C = set.classNames.length, D = set.numDigits, base = set.base;
  const sumZ = Array.from({ length: K }, () => new Float64Array(C));
  const cnt = new Float64Array(C);
  const sumV = Array.from({ length: T }, () => Array.from({ length: D }, () => Array.from({ length: K }, () => new Float64Array(base))));
  const cntD = Array.from({ length: D }, () => new Float64Array(base));
  for (const b of batches(set, { batchSize: 500, shuffle: false })) {
    const h = tf.tidy(() => model.applyRange(b.x, { training: false }, 0, idx));
    const det = layer.forwardDetailed(h, { training: false, active: Array.from({ length: T }, (_, t) => t) });
    const z = (await det.z.data()) as Float32Array;
    const vs = await Promise.all(det.v.map((v) => v.data() as Promise<Float32Array>));
    tf.dispose([h, det.z, ...det.y, ...det.v, b.x, b.y]);
    for (let i = 0; i < b.indices.length; i++) {
      const n = b.indices[i], c = set.labels[n];
      cnt[c]++;
      for (let k = 0; k < K; k++) sumZ[k][c] += z[i * K + k];
      for (let d = 0; d < D; d++) {
        const dg = set.alphabet.indexOf(set.digits[n * D + d]);
        cntD[d][dg]++;
        for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) sumV[t][d][k][dg] += vs[t][i * K + k];
      }
    }
  }
  const meanZ = sumZ.map((row) => Array.from(row, (s, c) => (cnt[c] > 0 ? s / cnt[c] : 0)));
  const meanV = sumV.map((tv) => tv.map((dv, d) => dv.map((row) => Array.from(row, (s, g) => (cntD[d][g] > 0 ? s / cntD[d][g] : 0)))));
  const argmax = (a: number[]) => a.reduce((bi, v, i) => (v > a[bi] ? i : bi), 0);
  const selectivity = meanZ.map((row) => {
    const m = row.reduce((a, b) => a + b, 0) / row.length;
    const sd = Math.sqrt(row.reduce((a, b) => a + (b - m) ** 2, 0) / row.length);
    return sd > 1e-9 ? (Math.max(...row) - m) / sd : 0;
  });
  const perUnit = meanZ.map((row, k) => {
    const ac = argmax(row);
    const digitsOf = Array.from({ length: D }, (_, d) => Math.floor(ac / Math.pow(base, D - 1 - d)) % base);
    const branchArgmax = Array.from({ length: T }, (_, t) => Array.from({ length: D }, (_, d) => argmax(meanV[t][d][k])));
    // Two-digit case: some ordered pair of distinct branches covers (tens, unit).
    let specialized = false;
    if (D === 2) for (let a = 0; a < T; a++) for (let b2 = 0; b2 < T; b2++) {
      if (a !== b2 && branchArgmax[a][0] === digitsOf[0] && branchArgmax[b2][1] === digitsOf[1]) specialized = true;
    }
    return { argmaxClass: ac, branchArgmax, specialized };
  });
  const variance = (a: number[]) => { const m = a.reduce((x, y) => x + y, 0) / a.length; return a.reduce((x, y) => x + (y - m) ** 2, 0) / a.length; };
  const prefers = (t: number, k: number) => (D === 2 ? (variance(meanV[t][0][k]) >= variance(meanV[t][1][k]) ? 0 : 1) : -1);
  // Dead units (constant 0.1) are excluded from the fraction.
  const liveIdx = perUnit.map((_, k) => k).filter((k) => selectivity[k] > 0);
  const live = liveIdx.map((k) => perUnit[k]);
  const compl = D === 2 && T === 2 ? liveIdx.filter((k) => prefers(0, k) !== prefers(1, k)).length : 0;
  return {
    units: K, classes: C, meanZ, meanV, mostSelective: argmax(selectivity), selectivity,
    specializationFraction: live.length ? live.filter((u) => u.specialized).length / live.length : 0,
    complementaryFraction: liveIdx.length ? compl / liveIdx.length : 0,
    perUnit, wallTimeMs: Date.now() - t0,
  };
}

// ---- E5: generic classification stand-in (Fashion-MNIST, §4.2 LeNet with/without DCL) -----------------

export interface GenericConfig {
  nTrain: number;
  nTest: number;
  epochs: number;
  batchSize?: number;
  optimizer?: OptimConfig;
  seed: number;
  /** Left-right flip with p = 0.5 (the paper's CIFAR augmentation). */
  flip?: boolean;
  /**
   * 'lenet5': the §4.2 SVHN/CIFAR LeNet (C5(P2)@32-@64-@128, FC512; DCL 2 x 128) on 32x32-padded
   * images — 14x the multiply-adds of the MNIST LeNet. 'mnist-lenet' (default, for the CPU budget):
   * the §4.1 LeNet (FC500) with the generic experiments' DCL rule, 2 branches x 1/4 = 125.
   */
  arch?: 'lenet5' | 'mnist-lenet';
  progress?: boolean;
}

export interface GenericResult {
  config: GenericConfig;
  backend: string;
  seed: number;
  wallTimeMs: number;
  /** Keys 'baseline' and 'dcl'. */
  models: Record<'baseline' | 'dcl', ModelResult>;
}

/** Pad 28x28 images to 32x32 (zeros), so the §4.2 LeNet's ceil-mode pooling gives 16-8-4 as on SVHN/CIFAR. */
export function padTo32(set: ImageSet): ImageSet {
  const [n, h, w, c] = set.shape;
  if (h > 32 || w > 32) throw new Error(`padTo32: images are ${h}x${w}, larger than 32x32`);
  const py = Math.floor((32 - h) / 2), px = Math.floor((32 - w) / 2);
  const out = new Uint8Array(n * 32 * 32 * c);
  for (let i = 0; i < n; i++) for (let r = 0; r < h; r++) {
    out.set(set.images.subarray(((i * h + r) * w) * c, ((i * h + r) * w + w) * c), ((i * 32 + r + py) * 32 + px) * c);
  }
  return { ...set, images: out, shape: [n, 32, 32, c] };
}

export async function runGeneric(c: GenericConfig, load: (split: 'train' | 'test') => ImageSet): Promise<GenericResult> {
  const t0 = Date.now();
  const rng = makeRng(c.seed);
  const which = c.arch ?? 'mnist-lenet';
  if (which !== 'lenet5' && which !== 'mnist-lenet') throw new Error(`runGeneric: unknown arch '${String(which)}' (expected 'lenet5' or 'mnist-lenet')`);
  const trFull = load('train'), teFull = load('test');
  if (c.nTrain > trFull.shape[0] || c.nTest > teFull.shape[0]) throw new Error(`runGeneric: asked for ${c.nTrain}/${c.nTest} images, the sets have ${trFull.shape[0]}/${teFull.shape[0]}`);
  const pad = (s: ImageSet) => (which === 'lenet5' ? padTo32(s) : s);
  const train = pad(subset(trFull, rng.fork('tr').permutation(trFull.shape[0]).subarray(0, c.nTrain)));
  const test = pad(subset(teFull, makeRng(0).permutation(teFull.shape[0]).subarray(0, c.nTest)));
  const K = trFull.classNames.length;
  const bs = c.batchSize ?? 64, opt = c.optimizer ?? { kind: 'adam', lr: 1e-3 };
  const trainEval = Int32Array.from({ length: Math.min(1000, c.nTrain) }, (_, i) => i);
  const models = {} as GenericResult['models'];
  for (const withDcl of [false, true]) {
    const arch = which === 'lenet5'
      ? genericLeNetArch({ classes: K, dcl: withDcl, input: [32, 32, train.shape[3]] })
      : mnistLeNetArch({ classes: K, input: [28, 28, train.shape[3]], dcl: withDcl ? { place: 'A', branches: 2, filtersPerBranch: 125, mode: 'deterministic' } : undefined });
    const model = buildNet(arch, makeRng(c.seed).fork(withDcl ? 'dcl' : 'baseline'));
    const optimizer = makeOptimizer(opt);
    const curve: CurvePoint[] = [];
    const tm = Date.now();
    await fit({
      model, optimizer, epochs: c.epochs, seed: c.seed * 7919 + 3, label: arch.name, progress: c.progress ?? false,
      train: (epoch) => plain(batches(train, { batchSize: bs, seed: c.seed * 1000 + epoch, augment: c.flip ? { flip: 0.5 } : undefined })),
      eval: async (epoch) => {
        const tr = await evalClassifier(model, train, trainEval);
        const te = await evalClassifier(model, test, undefined);
        curve.push({ epoch: epoch + 1, trainLoss: tr.loss, trainErr: tr.err, testLoss: te.loss, testErr: te.err, timeMs: Date.now() - tm });
        return { testErr: te.err };
      },
      evalIsCustom: true,
    });
    optimizer.dispose();
    const final = curve[curve.length - 1];
    models[withDcl ? 'dcl' : 'baseline'] = {
      id: arch.name, params: paramCount(model), curve, final, bestTestErr: Math.min(...curve.map((p) => p.testErr)),
      ci95: binomialHalfWidth(final.testErr, c.nTest), wallTimeMs: Date.now() - tm, secPer1kImages: (Date.now() - tm) / (c.epochs * c.nTrain),
    };
    disposeModel(model);
  }
  return { config: c, backend: backendName(), seed: c.seed, wallTimeMs: Date.now() - t0, models };
}

/** A tensor batch of the first n images (sample grids). */
export function firstImages(set: ImageSet, n: number): { pixels: Float32Array; labels: string[] } {
  const b = toTensors(set, Int32Array.from({ length: Math.min(n, set.shape[0]) }, (_, i) => i));
  const pixels = b.x.dataSync() as Float32Array;
  const labels = Array.from(b.y.dataSync(), (l) => set.classNames[l]);
  tf.dispose([b.x, b.y]);
  return { pixels, labels };
}
