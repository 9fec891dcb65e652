// Experiment runners of notebook 04 (spec section 7). Every runner is seeded and returns
// {config, backend, seed, wallTimeMs, ...metrics}. Budgets come from the caller (the notebook sizes
// them from measured throughput with budget(full, quick)); compared methods get the same data,
// the same shot draws and the same test images.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../util/random';
import type { ImageSet } from '../../data/types';
import { loadFashionMnist, FASHION_MNIST_CLASSES } from '../../data/shipped';
import { classSplit, episodeSampler } from '../../data/samplers';
import { countParams, disposeLayer } from '../../nn/tree';
import type { Features } from './features';
import { concatFeatures, selectRows, selectClasses } from './features';
import { makeActivationStore, subsetFeatures } from './activation-store';
import { ParamPredictor, phi1Matrix, PhiVariant } from './param-predictor';
import { trainPhi, PhiCurvePoint } from './phi-trainer';
import { buildPredictedClassifier, classifierScores, NovelClass } from './predicted-classifier';
import { buildCosineNN, cosineNNScores } from './cosine-nn';
import { linearScores, trainLinearHead } from './linear-head';
import { meanCI95, meanStd, scoreInChunks, Scores, topKAccuracy } from './fewshot-metrics';
import { concatScores, jointAccuracy, JointAccuracy } from './joint-eval';
import { channelImpacts, diagonal, impactStats, kernelToRows, normalizeL2, orderSimilarityCurve, randomOrderCurve } from './impact';
import { cosineMatrix, distanceCorrelation, pca2d } from './structure';
import { tsne2d } from './tsne';
import { convS } from './backbones';
import { extractActivations, pretrainBackbone, pretrainedHead, PretrainResult } from './pretrain';
import { generateGlyphs, glyphImageSet } from './glyphs';

// ---------------------------------------------------------------------------------------------
// Features of a frozen backbone pre-trained on D_large

export interface FeatureBundle {
  dataset: string;
  largeClasses: number[];
  novelClasses: number[];
  classNames: string[];
  /** Activations of D_large (phi training, abar_y, NN gallery, fine-tuning). */
  dLarge: Features;
  /** Training activations of the novel classes: shots are drawn from here; the oracles use all of it. */
  novelPool: Features;
  /** Test activations of all classes. */
  test: Features;
  /** The pre-trained FC w^pt (tfjs kernel [n, |C_large|], bias). */
  wpt: { kernel: Float32Array; bias: Float32Array; numClasses: number };
  backbone: { name: string; params: number; featureDim: number; pretrain: PretrainResult; largeTestAccuracy: number; extractMs: number };
  seed: number;
}

export interface FashionBundleConfig {
  seed: number;
  largeClasses?: number[];
  novelClasses?: number[];
  /** Training images per large class in D_large (spec: 2000). */
  perClassLarge: number;
  /** Training images per novel class kept as the pool the shots are drawn from (spec: 300). */
  novelPoolPerClass: number;
  /** Test images per class (Fashion-MNIST has 1000). */
  testPerClass: number;
  backboneEpochs: number;
  backboneMaxSteps?: number;
  batchSize?: number;
}

function pickPerClass(labels: Int32Array, classes: number[], per: number, rng: ReturnType<typeof makeRng>): Int32Array {
  const out: number[] = [];
  for (const c of classes) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) idx.push(i);
    if (idx.length < per) throw new Error(`pickPerClass: class ${c} has ${idx.length} images, ${per} requested`);
    rng.shuffle(idx);
    out.push(...idx.slice(0, per));
  }
  return Int32Array.from(out.sort((a, b) => a - b));
}

function largeAccuracy(test: Features, large: number[], wpt: FeatureBundle['wpt']): number {
  const t = selectClasses(test, large);
  const k = tf.tensor2d(wpt.kernel, [t.dim, wpt.numClasses]); const b = tf.tensor1d(wpt.bias);
  const s = scoreInChunks(t, (q) => tf.tidy(() => tf.add(tf.matMul(q, k), b) as tf.Tensor2D));
  tf.dispose([k, b]);
  return topKAccuracy(s, t.labels, large, 1);
}

/** Train ConvS on D_large of a class split of `train`, extract activations of D_large, the novel pool and `test`. */
export async function buildImageFeatureBundle(
  dataset: string, train: ImageSet, test: ImageSet, cfg: FashionBundleConfig & { largeClasses: number[]; novelClasses: number[] },
): Promise<FeatureBundle> {
  const rng = makeRng(cfg.seed);
  const split = classSplit(train.labels, { base: cfg.largeClasses, novel: cfg.novelClasses });
  if (split.base.length === 0 || split.novel.length === 0) throw new Error(`buildImageFeatureBundle: ${dataset} has no images of the large or novel classes`);
  const largeIdx = pickPerClass(train.labels, cfg.largeClasses, cfg.perClassLarge, rng.fork('large'));
  const novelIdx = pickPerClass(train.labels, cfg.novelClasses, cfg.novelPoolPerClass, rng.fork('novel'));
  const testIdx = pickPerClass(test.labels, [...cfg.largeClasses, ...cfg.novelClasses], cfg.testPerClass, rng.fork('test'));
  const net = convS(rng.fork('init'), { numClasses: cfg.largeClasses.length, inChannels: train.shape[3], inputSize: train.shape[1] });
  const pretrain = await pretrainBackbone(net, train, {
    classes: cfg.largeClasses, indices: largeIdx, epochs: cfg.backboneEpochs, maxSteps: cfg.backboneMaxSteps, batchSize: cfg.batchSize ?? 64, seed: cfg.seed,
  });
  const t0 = Date.now();
  const dLarge = extractActivations(net, train, largeIdx);
  const novelPool = extractActivations(net, train, novelIdx);
  const testF = extractActivations(net, test, testIdx);
  const extractMs = Date.now() - t0;
  const wpt = pretrainedHead(net);
  const params = countParams(net);
  const featureDim = net.featureDim;
  disposeLayer(net);
  return {
    dataset, largeClasses: cfg.largeClasses, novelClasses: cfg.novelClasses, classNames: train.classNames,
    dLarge, novelPool, test: testF, wpt, seed: cfg.seed,
    backbone: { name: 'convS', params, featureDim, pretrain, extractMs, largeTestAccuracy: largeAccuracy(testF, cfg.largeClasses, wpt) },
  };
}

/** Fashion-MNIST 7 + 3 ("full ImageNet" analogue, spec 5.3 A): C_large {0..6}, C_few {7, 8, 9} by default. */
export async function prepareFashionFewShot(cfg: FashionBundleConfig): Promise<FeatureBundle> {
  const large = cfg.largeClasses ?? [0, 1, 2, 3, 4, 5, 6];
  const novel = cfg.novelClasses ?? [7, 8, 9];
  const bad = [...large, ...novel].filter((c) => !(Number.isInteger(c) && c >= 0 && c < 10));
  if (bad.length) throw new Error(`prepareFashionFewShot: classes must be 0..9, got [${bad}]`);
  const b = await buildImageFeatureBundle('fashion-mnist', loadFashionMnist({ split: 'train' }), loadFashionMnist({ split: 'test' }), { ...cfg, largeClasses: large, novelClasses: novel });
  return { ...b, classNames: FASHION_MNIST_CLASSES };
}

/**
 * Training logit scale for phi: [choice] rescale a(x) so the mean activation norm of D_large is
 * `target` (default 15), the softmax-temperature regime of large ResNet features. Raw a(x) (scale 1,
 * the authors' code) with norms ~1 leaves the softmax over C_large nearly uniform. Predictions are
 * unaffected (positive constant), only the training signal.
 */
export function logitScaleFor(f: Features, target = 15): number {
  if (!(target > 0)) throw new Error(`logitScaleFor: target norm must be > 0, got ${target}`);
  let total = 0;
  const N = f.labels.length;
  for (let i = 0; i < N; i++) { let s = 0; for (let j = 0; j < f.dim; j++) s += f.x[i * f.dim + j] ** 2; total += Math.sqrt(s); }
  const mean = total / Math.max(1, N);
  if (!(mean > 0)) throw new Error('logitScaleFor: activations are all zero');
  return target / mean;
}

// ---------------------------------------------------------------------------------------------
// Joint large + few-shot evaluation (Table 2-I / 2-II analogue)

export type OursVariant = 'phi1' | 'phi2' | 'phi2*';

export interface JointConfig {
  seed: number;
  shots: number[];
  /** Random draws of the shots per shot count (>= 10 in the spec). */
  draws: number;
  phiIterations: number;
  phiLr?: number;
  /** Mean activation norm the training logits are rescaled to (logitScaleFor); 0 = raw a(x). */
  activationNormTarget?: number;
  /** Thesis 0.9 (ImageNet). phi2* always uses 1 (Eq. 2.1). */
  pMean?: number;
  trainPerClass?: number;
  variants?: OursVariant[];
  /** NN + Cosine gallery fractions of D_large (Table 2-I: 1, 0.1, 0.01). */
  galleryFractions?: number[];
  /** Fine-tuning steps of the FT-FC and LLaC-FC baselines per draw (batch 128, Adam). */
  ftSteps: number;
  ftLr?: number;
  /** Oracle linear classifier steps. */
  oracleSteps: number;
}

export interface JointRow {
  method: string; shots: number; dLargePct: number; fineTune: boolean;
  top1Large: number; top1LargeStd: number; top1Few: number; top1FewStd: number;
  top2Large: number; top2Few: number; draws: number;
}

export interface JointResult {
  config: Required<JointConfig>;
  backend: string;
  seed: number;
  wallTimeMs: number;
  rows: JointRow[];
  /** Per-draw accuracies (method, shots, draw). */
  perDraw: { method: string; shots: number; draw: number; top1Large: number; top1Few: number }[];
  oracles: { classifier: string; top1Large: number; top1Few: number; top2Large: number; top2Few: number }[];
  phiCurves: { variant: OursVariant; iteration: number; loss: number; accuracy: number }[];
  phiTrainMs: Record<string, number>;
  /** Adding the novel classes: phi forward on the shots vs fine-tuning (ms, mean over draws). */
  adaptation: { method: string; shots: number; ms: number }[];
  /** Scoring the test set (ms per image). */
  inference: { method: string; msPerImage: number }[];
  analysis: ActivationAnalysis;
}

/** Seeded draw of k shots per novel class from the pool (draw d of shot count k uses seed*100003 + k*1009 + d). */
export function shotSeed(seed: number, k: number, d: number): number { return seed * 100003 + k * 1009 + d; }

export function drawShots(pool: Features, novel: number[], k: number, rng: ReturnType<typeof makeRng>): NovelClass[] {
  return novel.map((c) => {
    const idx: number[] = [];
    for (let i = 0; i < pool.labels.length; i++) if (pool.labels[i] === c) idx.push(i);
    if (idx.length < k) throw new Error(`drawShots: novel class ${c} has ${idx.length} pool images, ${k} shots requested`);
    rng.shuffle(idx);
    return { label: c, shots: selectRows(pool, idx.slice(0, k)).x };
  });
}

function shotsAsFeatures(shots: NovelClass[], dim: number): Features {
  return concatFeatures(shots.map((s) => ({ x: s.shots, dim, labels: new Int32Array(s.shots.length / dim).fill(s.label) })));
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

const VARIANT_CFG: Record<OursVariant, { variant: PhiVariant; label: string; eq21: boolean }> = {
  phi1: { variant: 'phi1', label: 'Ours-phi1', eq21: false },
  phi2: { variant: 'phi2', label: 'Ours-phi2', eq21: false },
  'phi2*': { variant: 'phi2', label: 'Ours-phi2*', eq21: true },
};

export function resolveJointConfig(c: JointConfig): Required<JointConfig> {
  const r: Required<JointConfig> = {
    seed: c.seed, shots: c.shots, draws: c.draws, phiIterations: c.phiIterations, phiLr: c.phiLr ?? 1e-3, activationNormTarget: c.activationNormTarget ?? 15, pMean: c.pMean ?? 0.9,
    trainPerClass: c.trainPerClass ?? 8, variants: c.variants ?? ['phi1', 'phi2', 'phi2*'], galleryFractions: c.galleryFractions ?? [1, 0.1, 0.01],
    ftSteps: c.ftSteps, ftLr: c.ftLr ?? 1e-3, oracleSteps: c.oracleSteps,
  };
  if (!r.shots.length || r.shots.some((k) => !Number.isInteger(k) || k < 1)) throw new Error(`runJointFewShot: shots must be positive integers, got [${r.shots}]`);
  if (!Number.isInteger(r.draws) || r.draws < 1) throw new Error(`runJointFewShot: draws must be a positive integer, got ${r.draws}`);
  for (const v of r.variants) if (!(v in VARIANT_CFG)) throw new Error(`runJointFewShot: unknown variant '${v}' (use phi1 | phi2 | phi2*)`);
  return r;
}

/** Train the phi variants on D_large of a bundle (shared by the joint and sweep runners). */
export function trainPhiVariants(b: FeatureBundle, c: Required<JointConfig>): { phis: Map<OursVariant, ParamPredictor>; curves: JointResult['phiCurves']; ms: Record<string, number> } {
  const store = makeActivationStore(b.dLarge, b.largeClasses);
  const phis = new Map<OursVariant, ParamPredictor>();
  const curves: JointResult['phiCurves'] = [];
  const ms: Record<string, number> = {};
  const logitScale = c.activationNormTarget > 0 ? logitScaleFor(b.dLarge, c.activationNormTarget) : 1;
  for (const v of c.variants) {
    const vc = VARIANT_CFG[v];
    const res = trainPhi(store, { variant: vc.variant }, {
      pMean: vc.eq21 ? 1 : c.pMean, iterations: c.phiIterations, lr: c.phiLr, trainPerClass: c.trainPerClass, seed: c.seed * 31 + v.length + (vc.eq21 ? 7 : 0), logitScale,
    });
    phis.set(v, res.phi);
    ms[v] = res.wallTimeMs;
    res.curve.forEach((p: PhiCurvePoint) => curves.push({ variant: v, ...p }));
  }
  return { phis, curves, ms };
}

/** Large-class block of phi's classifier: rows phi(abar_y), one per class. */
function phiLargeScores(phi: ParamPredictor, means: Float32Array, large: number[], test: Features): Scores {
  const clf = buildPredictedClassifier(phi, means, large, []);
  const s = scoreInChunks(test, (q) => classifierScores(clf, q));
  clf.dispose();
  return s;
}

/** Novel block: each shot its own row phi(a), class score = max over the class's shots. */
function phiNovelScores(phi: ParamPredictor, shots: NovelClass[], test: Features): Scores {
  const clf = buildPredictedClassifier(phi, new Float32Array(0), [], shots);
  const s = scoreInChunks(test, (q) => classifierScores(clf, q));
  clf.dispose();
  return s;
}

function nnScores(gallery: Features, classes: number[], test: Features): Scores {
  const nn = buildCosineNN(gallery, classes);
  const s = scoreInChunks(test, (q) => cosineNNScores(nn, q), 512);
  nn.dispose();
  return s;
}

function aggregateRows(perDraw: JointResult['perDraw'], extra: Map<string, { dLargePct: number; fineTune: boolean }>, top2: Map<string, number[][]>): JointRow[] {
  const keys = [...new Set(perDraw.map((p) => `${p.method}|${p.shots}`))];
  return keys.map((k) => {
    const [method, shotsS] = k.split('|');
    const shots = Number(shotsS);
    const ps = perDraw.filter((p) => p.method === method && p.shots === shots);
    const l = meanStd(ps.map((p) => p.top1Large)); const f = meanStd(ps.map((p) => p.top1Few));
    const t2 = top2.get(k) ?? [];
    const meta = extra.get(method)!;
    return {
      method, shots, dLargePct: meta.dLargePct, fineTune: meta.fineTune, top1Large: l.mean, top1LargeStd: l.std, top1Few: f.mean, top1FewStd: f.std,
      top2Large: t2.length ? t2.reduce((a, x) => a + x[0], 0) / t2.length : NaN, top2Few: t2.length ? t2.reduce((a, x) => a + x[1], 0) / t2.length : NaN, draws: ps.length,
    };
  });
}

/** Table 2-I / 2-II analogue on a feature bundle. */
export function runJointFewShot(b: FeatureBundle, cfg: JointConfig): JointResult {
  const c = resolveJointConfig(cfg);
  const t0 = Date.now();
  const { largeClasses: L, novelClasses: F, dLarge, test } = b;
  const store = makeActivationStore(dLarge, L);
  const { phis, curves, ms } = trainPhiVariants(b, c);
  const perDraw: JointResult['perDraw'] = [];
  const top2 = new Map<string, number[][]>();
  const meta = new Map<string, { dLargePct: number; fineTune: boolean }>();
  const adaptation: JointResult['adaptation'] = [];
  const inference: JointResult['inference'] = [];
  const record = (method: string, shots: number, draw: number, acc: JointAccuracy) => {
    perDraw.push({ method, shots, draw, top1Large: acc.top1Large, top1Few: acc.top1Few });
    const k = `${method}|${shots}`;
    if (!top2.has(k)) top2.set(k, []);
    top2.get(k)!.push([acc.top2Large, acc.top2Few]);
  };
  // Shot-independent large blocks, computed once.
  const oursLarge = new Map<OursVariant, Scores>();
  for (const [v, phi] of phis) {
    const [s, tms] = timed(() => phiLargeScores(phi, store.means, L, test));
    oursLarge.set(v, s);
    if (v === c.variants[0]) inference.push({ method: 'Ours (large rows)', msPerImage: tms / test.labels.length });
    meta.set(VARIANT_CFG[v].label, { dLargePct: 100, fineTune: false });
  }
  const rngG = makeRng(c.seed * 7 + 1);
  const galleries = c.galleryFractions.map((fr) => {
    const g = fr >= 1 ? dLarge : subsetFeatures(dLarge, fr, rngG.fork(`gallery${fr}`));
    const [s, tms] = timed(() => nnScores(g, L, test));
    const name = `NN+Cosine ${Math.round(fr * 1000) / 10}%`;
    meta.set(name, { dLargePct: fr * 100, fineTune: false });
    inference.push({ method: name, msPerImage: tms / test.labels.length });
    return { name, scores: s };
  });
  meta.set('FT-FC', { dLargePct: 100, fineTune: true });
  meta.set('LLaC-FC', { dLargePct: 100, fineTune: true });
  for (const k of c.shots) {
    const adapt: Record<string, number[]> = {};
    for (let d = 0; d < c.draws; d++) {
      const shots = drawShots(b.novelPool, F, k, makeRng(shotSeed(c.seed, k, d)));
      for (const [v, phi] of phis) {
        const [nov, ams] = timed(() => phiNovelScores(phi, shots, test));
        (adapt[VARIANT_CFG[v].label] ??= []).push(ams);
        record(VARIANT_CFG[v].label, k, d, jointAccuracy(concatScores([oursLarge.get(v)!, nov]), test, L, F));
      }
      const shotF = shotsAsFeatures(shots, dLarge.dim);
      const novNN = nnScores(shotF, F, test);
      for (const g of galleries) record(g.name, k, d, jointAccuracy(concatScores([g.scores, novNN]), test, L, F));
      const ftData = concatFeatures([dLarge, shotF]);
      for (const [name, rows] of [['FT-FC', 'all'], ['LLaC-FC', 'novel']] as const) {
        const head = trainLinearHead(ftData, [...L, ...F], { steps: c.ftSteps, lr: c.ftLr, seed: c.seed * 1000 + d, trainableRows: rows, init: b.wpt });
        (adapt[name] ??= []).push(head.wallTimeMs);
        const s = scoreInChunks(test, (q) => linearScores(head, q));
        head.dispose();
        record(name, k, d, jointAccuracy(s, test, L, F));
      }
    }
    for (const [m, v] of Object.entries(adapt)) adaptation.push({ method: m, shots: k, ms: v.reduce((a, x) => a + x, 0) / v.length });
  }
  // Oracles (Table 2-II): all training data of every class, frozen features.
  const all = concatFeatures([dLarge, b.novelPool]);
  const oracles: JointResult['oracles'] = [];
  const nnO = jointAccuracy(nnScores(all, [...L, ...F], test), test, L, F);
  oracles.push({ classifier: 'NN', ...nnO });
  const lin = trainLinearHead(all, [...L, ...F], { steps: c.oracleSteps, lr: 1e-2, seed: c.seed + 5 });
  const linO = jointAccuracy(scoreInChunks(test, (q) => linearScores(lin, q)), test, L, F);
  lin.dispose();
  oracles.push({ classifier: 'Linear', ...linO });
  const analysis = analyseActivations(b, phis.get('phi1') ?? null, c.seed);
  for (const phi of phis.values()) disposeLayer(phi);
  return {
    config: c, backend: tf.getBackend(), seed: c.seed, wallTimeMs: Date.now() - t0,
    rows: aggregateRows(perDraw, meta, top2), perDraw, oracles: oracles.map((o) => ({ classifier: o.classifier, top1Large: o.top1Large, top1Few: o.top1Few, top2Large: o.top2Large, top2Few: o.top2Few })),
    phiCurves: curves, phiTrainMs: ms, adaptation, inference, analysis,
  };
}

// ---------------------------------------------------------------------------------------------
// Figure 2-2 / 2-5 analyses

export interface ActivationAnalysis {
  /** cos(abar_i, w^pt_j), row-major [C_l, C_l]. */
  cosMeanVsWeight: number[];
  diagonalIsRowMax: boolean[];
  /** Pearson correlation of the pairwise-distance matrices of {abar_y} and {w^pt_y}. */
  distanceCorrelation: number;
  pcaMeans: number[];
  pcaWeights: number[];
  /** Exact t-SNE layouts (cosine geometry, seeded) of the same two sets, as in the thesis' Figure 2-2; null below 4 classes. */
  tsneMeans: number[] | null;
  tsneWeights: number[] | null;
  /** phi1 (null if not trained): |Phi| heat map, diagonal stats, impacts and order similarity. */
  phi1: null | {
    dim: number; absLog10: number[]; diagMin: number; diagMax: number; offDiagAbsMean: number;
    osPhi1: number[]; osRandom: number[];
  };
  wptImpact: { mean: number; std: number; min: number; max: number };
}

export function analyseActivations(b: FeatureBundle, phi1: ParamPredictor | null, seed: number): ActivationAnalysis {
  const n = b.dLarge.dim; const C = b.largeClasses.length;
  const store = makeActivationStore(b.dLarge, b.largeClasses);
  const w = kernelToRows(b.wpt.kernel, n, b.wpt.numClasses);
  const cos = cosineMatrix(store.means, w, n);
  const diagRowMax = Array.from({ length: C }, (_, i) => {
    let best = -Infinity; for (let j = 0; j < C; j++) best = Math.max(best, cos[i * C + j]);
    return cos[i * C + i] === best;
  });
  const wImp = normalizeL2(channelImpacts(w, C, n));
  let phiPart: ActivationAnalysis['phi1'] = null;
  if (phi1) {
    const m = phi1Matrix(phi1);
    const dg = diagonal(m, n);
    let off = 0; for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) off += Math.abs(m[i * n + j]);
    const pImp = channelImpacts(m, n, n);
    phiPart = {
      dim: n, absLog10: Array.from(m, (v) => Math.log10(Math.abs(v) + 1e-6)), diagMin: Math.min(...dg), diagMax: Math.max(...dg),
      offDiagAbsMean: off / (n * n - n), osPhi1: orderSimilarityCurve(pImp, wImp), osRandom: randomOrderCurve(wImp, 200, makeRng(seed + 99)),
    };
  }
  return {
    cosMeanVsWeight: Array.from(cos), diagonalIsRowMax: diagRowMax, distanceCorrelation: C > 2 ? distanceCorrelation(store.means, w, n) : NaN,
    pcaMeans: Array.from(pca2d(store.means, n)), pcaWeights: Array.from(pca2d(w, n)),
    tsneMeans: C >= 4 ? Array.from(tsne2d(store.means, n, { seed, normalize: true, iterations: 500 })) : null,
    tsneWeights: C >= 4 ? Array.from(tsne2d(w, n, { seed, normalize: true, iterations: 500 })) : null,
    phi1: phiPart, wptImpact: impactStats(wImp),
  };
}

// ---------------------------------------------------------------------------------------------
// p_mean sweep (Eq. 2.2 vs Eq. 2.1 trade-off)

export interface PMeanSweepConfig { seed: number; pMeans: number[]; iterations: number; shots: number; draws: number; lr?: number; trainPerClass?: number; activationNormTarget?: number }

export function runPMeanSweep(b: FeatureBundle, cfg: PMeanSweepConfig) {
  const t0 = Date.now();
  if (!cfg.pMeans.length || cfg.pMeans.some((p) => !(p >= 0 && p <= 1))) throw new Error(`runPMeanSweep: pMeans must be in [0, 1], got [${cfg.pMeans}]`);
  const store = makeActivationStore(b.dLarge, b.largeClasses);
  const target = cfg.activationNormTarget ?? 15;
  const logitScale = target > 0 ? logitScaleFor(b.dLarge, target) : 1;
  const rows = cfg.pMeans.map((p) => {
    const { phi } = trainPhi(store, { variant: 'phi2' }, { pMean: p, iterations: cfg.iterations, lr: cfg.lr ?? 1e-3, trainPerClass: cfg.trainPerClass ?? 8, seed: cfg.seed, logitScale });
    const large = phiLargeScores(phi, store.means, b.largeClasses, b.test);
    const accs = Array.from({ length: cfg.draws }, (_, d) => {
      const shots = drawShots(b.novelPool, b.novelClasses, cfg.shots, makeRng(shotSeed(cfg.seed, cfg.shots, d)));
      return jointAccuracy(concatScores([large, phiNovelScores(phi, shots, b.test)]), b.test, b.largeClasses, b.novelClasses);
    });
    disposeLayer(phi);
    const l = meanStd(accs.map((a) => a.top1Large)); const f = meanStd(accs.map((a) => a.top1Few));
    return { pMean: p, top1Large: l.mean, top1LargeStd: l.std, top1Few: f.mean, top1FewStd: f.std };
  });
  return { config: cfg, backend: tf.getBackend(), seed: cfg.seed, wallTimeMs: Date.now() - t0, rows };
}

// ---------------------------------------------------------------------------------------------
// 5-way episodes on synthetic glyphs (MiniImageNet analogue, Table 2-III)

export interface GlyphBundleConfig {
  seed: number;
  numLarge: number;
  numFew: number;
  perClassLarge: number;
  perClassFew: number;
  backboneEpochs: number;
  backboneMaxSteps?: number;
  batchSize?: number;
}

/** Generate glyph classes, pre-train ConvS on the large ones, extract activations. */
export async function prepareGlyphFewShot(cfg: GlyphBundleConfig): Promise<FeatureBundle & { generateMs: number }> {
  const t0 = Date.now();
  const large = generateGlyphs(cfg.numLarge, cfg.perClassLarge + 10, cfg.seed, 0);
  const few = generateGlyphs(cfg.numFew, cfg.perClassFew, cfg.seed, cfg.numLarge);
  const generateMs = Date.now() - t0;
  // 10 extra images per large class form a test set for the backbone's own accuracy.
  const all = glyphImageSet({ ...large, images: concatF32(large.images, few.images), labels: Int32Array.from([...large.labels, ...few.labels]) });
  const L = Array.from({ length: cfg.numLarge }, (_, i) => i); const F = Array.from({ length: cfg.numFew }, (_, i) => cfg.numLarge + i);
  const trainIdx: number[] = []; const testIdx: number[] = [];
  for (let c = 0; c < cfg.numLarge; c++) for (let s = 0; s < cfg.perClassLarge + 10; s++) (s < cfg.perClassLarge ? trainIdx : testIdx).push(c * (cfg.perClassLarge + 10) + s);
  const off = large.labels.length;
  const fewIdx = Array.from({ length: few.labels.length }, (_, i) => off + i);
  const rng = makeRng(cfg.seed);
  const net = convS(rng.fork('init'), { numClasses: cfg.numLarge, inChannels: 1, inputSize: 28 });
  const pretrain = await pretrainBackbone(net, all, { classes: L, indices: trainIdx, epochs: cfg.backboneEpochs, maxSteps: cfg.backboneMaxSteps, batchSize: cfg.batchSize ?? 64, seed: cfg.seed });
  const t1 = Date.now();
  const dLarge = extractActivations(net, all, trainIdx);
  const novelPool = extractActivations(net, all, fewIdx);
  const largeTest = extractActivations(net, all, testIdx);
  const extractMs = Date.now() - t1;
  const wpt = pretrainedHead(net);
  const params = countParams(net);
  disposeLayer(net);
  return {
    dataset: 'synthetic-glyphs', largeClasses: L, novelClasses: F, classNames: all.classNames, dLarge, novelPool, test: concatFeatures([largeTest, novelPool]), wpt, seed: cfg.seed,
    backbone: { name: 'convS', params, featureDim: dLarge.dim, pretrain, extractMs, largeTestAccuracy: largeAccuracy(largeTest, L, wpt) }, generateMs,
  };
}

function concatF32(a: Float32Array, b: Float32Array): Float32Array {
  const o = new Float32Array(a.length + b.length); o.set(a); o.set(b, a.length); return o;
}

export interface EpisodeConfig {
  seed: number;
  tasks: number;
  shots: number[];
  nWay?: number;
  /** 'rest' = all remaining images of the sampled classes (thesis protocol) or a number per class. */
  query?: number | 'rest';
  phiIterations: number;
  pMean?: number;
  phiLr?: number;
  trainPerClass?: number;
  activationNormTarget?: number;
  /** Logistic-regression steps of the fine-tuned baseline per task. */
  ftSteps: number;
  ftLr?: number;
}

export function runEpisodes(b: FeatureBundle, cfg: EpisodeConfig) {
  const t0 = Date.now();
  const nWay = cfg.nWay ?? 5; const query = cfg.query ?? 'rest';
  const store = makeActivationStore(b.dLarge, b.largeClasses);
  const target = cfg.activationNormTarget ?? 15;
  const logitScale = target > 0 ? logitScaleFor(b.dLarge, target) : 1;
  const { phi, curve } = trainPhi(store, { variant: 'phi2' }, { pMean: cfg.pMean ?? 0.9, iterations: cfg.phiIterations, lr: cfg.phiLr ?? 1e-3, trainPerClass: cfg.trainPerClass ?? 1, seed: cfg.seed, logitScale });
  const pool = b.novelPool;
  const perTask: { method: string; shots: number; task: number; accuracy: number }[] = [];
  for (const k of cfg.shots) {
    const sample = episodeSampler(pool.labels, { classes: b.novelClasses, nWay, kShot: k, query });
    const rng = makeRng(cfg.seed * 7919 + k);
    for (let t = 0; t < cfg.tasks; t++) {
      const ep = sample(rng);
      const sup = selectRows(pool, ep.support); const q = selectRows(pool, ep.query);
      const shots: NovelClass[] = ep.classes.map((c) => ({ label: c, shots: selectClasses(sup, [c]).x }));
      const acc = (s: Scores) => topKAccuracy(s, q.labels, ep.classes, 1);
      for (const [method, agg] of [['Ours-phi2 (max, thesis)', 'max'], ['Ours-phi2 (mean of shots, [code])', 'mean']] as const) {
        if (agg === 'mean' && k === 1) continue; // identical to max with one shot
        const clf = buildPredictedClassifier(phi, new Float32Array(0), [], shots, { novelAggregation: agg });
        perTask.push({ method, shots: k, task: t, accuracy: acc(scoreInChunks(q, (x) => classifierScores(clf, x))) });
        clf.dispose();
      }
      perTask.push({ method: 'Nearest Neighbor', shots: k, task: t, accuracy: acc(nnScores(sup, ep.classes, q)) });
      const head = trainLinearHead(sup, ep.classes, { steps: cfg.ftSteps, lr: cfg.ftLr ?? 1e-2, batchSize: sup.labels.length, seed: cfg.seed + t });
      perTask.push({ method: 'Fine-tuned baseline', shots: k, task: t, accuracy: acc(scoreInChunks(q, (x) => linearScores(head, x))) });
      head.dispose();
    }
  }
  disposeLayer(phi);
  const keys = [...new Set(perTask.map((p) => `${p.method}|${p.shots}`))];
  const rows = keys.map((key) => {
    const [method, s] = key.split('|');
    const r = meanCI95(perTask.filter((p) => p.method === method && p.shots === Number(s)).map((p) => p.accuracy));
    return { method, shots: Number(s), mean: r.mean, ci95: r.ci95, std: r.std, tasks: r.count };
  });
  return { config: { ...cfg, nWay, query }, backend: tf.getBackend(), seed: cfg.seed, wallTimeMs: Date.now() - t0, rows, perTask, phiCurve: curve };
}
