// Seeded experiment runners for notebook 03 (spec section 7): Fashion-MNIST few-label subsets
// (the STL-10-like regime), MiniVGG-6, every collaboration alone / combined vs plain training at
// equal budgets, the label-noise protocol, Song & Chai heads, and the mechanism diagnostics.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../util/random';
import { budget } from '../../util/quick';
import type { Ctx } from '../../nn/types';
import { collectParams, countParams, disposeLayer } from '../../nn/tree';
import { loadFashionMnist } from '../../data/shipped';
import { labelledSubset } from '../../data/samplers';
import { corruptLabels } from '../../data/label-noise';
import { batches } from '../../data/batches';
import { NORMALIZATION } from '../../data/normalize';
import type { ImageSet } from '../../data/types';
import { sgd } from '../../train/optimizers';
import { stepDecay } from '../../train/schedules';
import { fit, type EpochRecord } from '../../train/fit';
import { trainStep } from '../../train/step';
import { runExperiment, type ExperimentRecord } from '../../train/experiment';
import { archSpec, applyTail, type ArchName, type ArchSpec } from './arch';
import {
  buildIntraNet, classifierBranches, collabLoss, inference, kernelVariables, localLogits, predict, unitOutputs,
  type CollabConfig, type IntraNet, type LossTerm,
} from './model';
import { buildSongChai, songChaiInference, songChaiPredict, songChaiTrainLoss, type SongChaiConfig, type SongChaiNet } from './song-chai';
import { featureRep, filterCorrelation, kernelDecorrLoss, similarityMatrix } from './losses';

export interface IntraRunConfig {
  /** Run label (R1, R2, ...). */
  label: string;
  seed: number;
  arch?: ArchName;
  /** Width multiplier of the backbone (CPU budget; 1 = spec 7.1's MiniVGG-6). */
  widthMult?: number;
  /** Input side: 28 (native) or 14 (2x2 average-pooled, for the CPU budget). */
  inputSize?: 28 | 14;
  /** Collaborations (ignored when songChai is set). */
  collab?: CollabConfig;
  /** Train Song & Chai heads instead of one network. */
  songChai?: SongChaiConfig;
  trainPerClass?: number;
  testPerClass?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** Symmetric label-noise level (spec 4.2) and its protocol. */
  noise?: number;
  noiseMode?: 'per-epoch' | 'fixed';
  /** Collect the end-of-run mechanism diagnostics (similarity matrices, filter correlations, local accuracies). */
  probe?: boolean;
}

export interface EpochRow { epoch: number; trainLoss: number; testErr: number; kernelLoss: number; branchKL: number; lr: number; main: number; mid: number; pp: number; kernel: number }

export interface IntraRunMetrics {
  label: string;
  /** Test error (%) at the best epoch (the paper's protocol, optimistic) and at the last epoch. */
  bestErr: number;
  finalErr: number;
  history: EpochRow[];
  inferenceParams: number;
  trainParams: number;
  trainImgPerSec: number;
  /** Test accuracy of each local classifier a_i (mid runs), unit order; final classifier last. */
  localAcc?: { unit: number; acc: number }[];
  probe?: ProbeResult;
}

export interface ProbeResult {
  labels: number[];
  Sy: number[][];
  Sx: number[][];
  /** Per probed unit: S(rep(g_i(h_i))) when the unit has a projection, else S(rep(h_i)). */
  units: { unit: number; S: number[][]; pullDist: number }[];
  /** Filter correlation matrix of the first conv of the last kernel group, and its L_kernel. */
  filterCorr: number[][];
  filterLayer: number;
}

/** The Fashion-MNIST few-label split used by every run (fixed seed 0 so all runs see the same images). */
export function fmnistSplit(trainPerClass: number, testPerClass: number): { train: ImageSet; test: ImageSet; trainIdx: Int32Array; testIdx: Int32Array } {
  const train = loadFashionMnist({ split: 'train' }), test = loadFashionMnist({ split: 'test' });
  const trainIdx = labelledSubset(train.labels, { perClass: trainPerClass, rng: makeRng(1234) }).labelled;
  const testIdx = labelledSubset(test.labels, { perClass: testPerClass, rng: makeRng(4321) }).labelled;
  return { train, test, trainIdx, testIdx };
}

const norm = NORMALIZATION.fashionMnist;

function defaults(c: IntraRunConfig): Required<Omit<IntraRunConfig, 'songChai' | 'collab'>> & { collab: CollabConfig; songChai?: SongChaiConfig } {
  return {
    label: c.label, seed: c.seed, arch: c.arch ?? 'minivgg6', widthMult: c.widthMult ?? 1, inputSize: c.inputSize ?? 28, collab: c.collab ?? {}, songChai: c.songChai,
    trainPerClass: c.trainPerClass ?? 150, testPerClass: c.testPerClass ?? 200, epochs: c.epochs ?? 6, batchSize: c.batchSize ?? 64,
    lr: c.lr ?? 0.05, weightDecay: c.weightDecay ?? 5e-4, noise: c.noise ?? 0, noiseMode: c.noiseMode ?? 'per-epoch', probe: c.probe ?? false,
  };
}

/** Downsample 28x28 batches to `size` by average pooling (the budget option). */
export function prepInput(x: tf.Tensor, size: number): tf.Tensor {
  if (x.shape[1] === size) return x.clone();
  const f = (x.shape[1] as number) / size;
  if (!Number.isInteger(f)) throw new Error(`prepInput: cannot pool ${x.shape[1]}x${x.shape[2]} down to ${size}x${size}`);
  return tf.avgPool(x as tf.Tensor4D, f, f, 'valid');
}

function errorRate(logitsFn: (x: tf.Tensor) => tf.Tensor, set: ImageSet, idx: Int32Array): number {
  let wrong = 0;
  for (const b of batches(set, { batchSize: 500, shuffle: false, indices: idx, normalization: norm })) {
    const w = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(tf.argMax(logitsFn(b.x), 1), b.y), 'int32')).dataSync()[0]);
    wrong += w;
    b.x.dispose(); b.y.dispose();
  }
  return (100 * wrong) / idx.length;
}

/** Mean pairwise symmetric KL between the 4 dropout branches' softmax outputs (plot 8). */
function branchAgreement(net: IntraNet, x: tf.Tensor, seed: number): number {
  return tf.tidy(() => {
    let h = x;
    for (const u of net.units) h = u.layer.apply(h, { training: false });
    const br = classifierBranches(net.fc, applyTail(net.spec, h), { training: true, rng: makeRng(seed) }, { K: 2, rate: net.collab.dropRate || 0.5 });
    const lp = tf.logSoftmax(br), p = tf.exp(lp);
    const k = br.shape[0];
    let s = 0, n = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) {
      const d = tf.sum(tf.mul(tf.sub(p.slice([i], [1]), p.slice([j], [1])), tf.sub(lp.slice([i], [1]), lp.slice([j], [1])))).dataSync()[0];
      s += d / br.shape[1]; n++;
    }
    return s / n;
  });
}

function toRows(t: tf.Tensor): number[][] { return t.arraySync() as number[][]; }

/** A fixed probe batch: `n` test images sorted by label. */
function probeBatch(set: ImageSet, idx: Int32Array, n: number): { x: tf.Tensor; y: tf.Tensor; labels: number[] } {
  const per = Math.max(1, Math.floor(n / 10));
  const chosen: number[] = [];
  for (let k = 0; k < 10; k++) chosen.push(...Array.from(idx).filter((i) => set.labels[i] === k).slice(0, per));
  const b = batches(set, { batchSize: chosen.length, shuffle: false, indices: chosen, normalization: norm }).next().value!;
  return { x: b.x, y: b.y, labels: chosen.map((i) => set.labels[i]) };
}

function runProbe(net: IntraNet, x: tf.Tensor, labels: number[]): ProbeResult {
  const [yh, Sy, Sx] = tf.tidy(() => {
    const oh = tf.oneHot(tf.tensor1d(labels, 'int32'), net.spec.numClasses).toFloat();
    return [oh, similarityMatrix(oh), similarityMatrix(featureRep(x))];
  });
  const hs = unitOutputs(net, x);
  const probed = [0, net.units.length - 1];
  const units = probed.map((i) => tf.tidy(() => {
    const g = net.projections[i];
    const rep = featureRep(g ? g.apply(hs[i], { training: false }) : hs[i]);
    const S = similarityMatrix(rep);
    return { unit: i + 1, S: toRows(S), pullDist: tf.norm(tf.sub(S, Sy)).dataSync()[0] };
  }));
  const groups = net.collab.kernel?.groups ?? net.spec.kernelGroups;
  const li = net.units.findIndex((u) => groups.includes(u.group));
  const C = filterCorrelation(net.units[li].kernels[0]);
  const out = { labels, Sy: toRows(Sy), Sx: toRows(Sx), units, filterCorr: toRows(C), filterLayer: li + 1 };
  tf.dispose([yh, Sy, Sx, C, ...hs]);
  return out;
}

/** Train one configuration; returns the seeded, timed record. */
export async function runIntra(config: IntraRunConfig): Promise<ExperimentRecord<IntraRunConfig, IntraRunMetrics>> {
  return runExperiment(config, async ({ seed }) => {
    const c = defaults(config);
    const spec = archSpec(c.arch, { widthMult: c.widthMult, input: [c.inputSize, c.inputSize, 1] });
    const data = fmnistSplit(c.trainPerClass, c.testPerClass);
    const rng = makeRng(seed);
    let net: IntraNet | null = null, sc: SongChaiNet | null = null;
    if (c.songChai) sc = buildSongChai(spec, { dropRate: 0.5, ...c.songChai }, rng.fork('model'));
    else net = buildIntraNet(spec, c.collab, rng.fork('model'));
    const root = (net ?? sc)!.root;
    const params = collectParams(root);
    const steps = Math.ceil(data.trainIdx.length / c.batchSize);
    const opt = sgd({ lr: c.lr, momentum: 0.9, weightDecay: c.weightDecay, decayAll: true }); // spec 3.8: decay on every parameter
    const sched = stepDecay(c.lr, [0.3, 0.6, 0.8].map((f) => f * c.epochs), 0.2);
    const trainLabels = Int32Array.from(data.train.labels);
    const labelsFor = (epoch: number): Int32Array | undefined => {
      if (!c.noise) return undefined;
      // corrupt only the training subset (test labels stay clean); per-epoch or fixed draw
      const sub = Array.from(data.trainIdx, (i) => data.train.labels[i]);
      const noisy = corruptLabels(sub, { numClasses: 10, fraction: c.noise, seed: seed + 77, epoch, mode: c.noiseMode }).labels;
      const all = Int32Array.from(trainLabels);
      data.trainIdx.forEach((i, k) => { all[i] = noisy[k]; });
      return all;
    };
    // 30 images (3 per class): the similarity heatmaps stay readable and the notebook small
    const probe = probeBatch(data.test, data.testIdx, 30);
    const px = prepInput(probe.x, c.inputSize);
    probe.x.dispose(); probe.x = px;
    const logitsFn = (x: tf.Tensor) => tf.tidy(() => { const xi = prepInput(x, c.inputSize); return net ? predict(net, xi) : songChaiPredict(sc!, xi, 0); });
    const kernels = net ? kernelVariables(net) : [];
    const rows: EpochRow[] = [];
    let trainMs = 0, tEpoch = 0;
    const res = await fit({
      params, optimizer: opt, epochs: c.epochs, stepsPerEpoch: steps, seed: seed + 1, progress: false, label: c.label,
      lr: ({ epoch }) => sched(epoch),
      train: (epoch) => { tEpoch = Date.now(); return batches(data.train, { batchSize: c.batchSize, seed: seed * 1000 + epoch, indices: data.trainIdx, labels: labelsFor(epoch), normalization: norm }); },
      loss: (b, ctx: Ctx) => {
        const xi = prepInput(b.x, c.inputSize);
        if (sc) { const r = songChaiTrainLoss(sc, xi, b.y, ctx); return { loss: r.loss }; }
        const r = collabLoss(net!, xi, b.y, ctx);
        return { loss: r.loss, metrics: { main: r.parts.main, mid: r.parts.mid, pp: r.parts.pp, kernel: r.parts.kernel } };
      },
      evalIsCustom: true,
      eval: async () => {
        trainMs += Date.now() - tEpoch;
        const testErr = errorRate(logitsFn, data.test, data.testIdx);
        const kernelLoss = tf.tidy(() => (kernels.length ? kernels.reduce((s, w) => s + kernelDecorrLoss(w).dataSync()[0], 0) / kernels.length : NaN));
        const branchKL = net ? branchAgreement(net, probe.x, 99) : NaN;
        return { testErr, kernelLoss, branchKL };
      },
      callbacks: { onEpochEnd: (r: EpochRecord) => { rows.push({ epoch: r.epoch + 1, trainLoss: r.trainLoss, lr: r.lr, testErr: r.eval!.testErr, kernelLoss: r.eval!.kernelLoss, branchKL: r.eval!.branchKL, main: r.metrics.main ?? r.trainLoss, mid: r.metrics.mid ?? 0, pp: r.metrics.pp ?? 0, kernel: r.metrics.kernel ?? 0 }); } },
    });
    void res;
    const errs = rows.map((r) => r.testErr);
    const metrics: IntraRunMetrics = {
      label: c.label, bestErr: Math.min(...errs), finalErr: errs[errs.length - 1], history: rows,
      inferenceParams: countParams(net ? inference(net) : songChaiInference(sc!, 0)), trainParams: countParams(params),
      trainImgPerSec: (data.trainIdx.length * c.epochs) / Math.max(1e-3, trainMs / 1000),
    };
    if (net && net.collab.mid) {
      const accs: { unit: number; acc: number }[] = [];
      for (const u of net.collab.mid.units) accs.push({ unit: u + 1, acc: 0 });
      let n = 0;
      for (const b of batches(data.test, { batchSize: 500, shuffle: false, indices: data.testIdx, normalization: norm })) {
        const xi = prepInput(b.x, c.inputSize);
        const ls = localLogits(net, xi);
        xi.dispose();
        ls.forEach((l, i) => {
          if (!l) return;
          const k = accs.findIndex((a) => a.unit === i + 1);
          accs[k].acc += tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(l, 1), b.y), 'float32')).dataSync()[0]);
          l.dispose();
        });
        n += b.y.shape[0];
        b.x.dispose(); b.y.dispose();
      }
      accs.forEach((a) => { a.acc /= n; });
      accs.push({ unit: net.units.length + 1, acc: 1 - metrics.finalErr / 100 });
      metrics.localAcc = accs;
    }
    if (net && c.probe) metrics.probe = runProbe(net, probe.x, probe.labels);
    tf.dispose([probe.x, probe.y]);
    disposeLayer(root);
    opt.dispose();
    return metrics;
  }, config.seed);
}

/** The run list of spec 7.2 (R1-R9, R10 Song & Chai tree H=4). */
export function intraRunList(o: { seed?: number; epochs?: number; trainPerClass?: number; noise?: number } = {}): IntraRunConfig[] {
  const base = { seed: o.seed ?? 0, epochs: o.epochs, trainPerClass: o.trainPerClass };
  const omp: CollabConfig = { out: true, mid: true, pullPush: true };
  const noise = o.noise ?? 0.4;
  return [
    { ...base, label: 'R1 baseline', collab: {}, probe: true },
    { ...base, label: 'R2 out', collab: { out: true } },
    { ...base, label: 'R3 mid', collab: { mid: true } },
    { ...base, label: 'R4 pull-push', collab: { pullPush: true }, probe: true },
    { ...base, label: 'R5 kernel', collab: { kernel: true }, probe: true },
    { ...base, label: 'R6 out+mid+pp', collab: omp },
    { ...base, label: 'R7 mid+pp+kernel', collab: { mid: true, pullPush: true, kernel: true } },
    { ...base, label: `R8 baseline noise${Math.round(noise * 100)}`, collab: {}, noise },
    { ...base, label: `R9 out+mid+pp noise${Math.round(noise * 100)}`, collab: omp, noise },
    { ...base, label: 'R10 Song&Chai tree H=4', songChai: { splits: [1, 2, 2], cuts: [2, 4] } },
  ];
}

export interface CostRow { method: string; peakMB: number; imgPerSec: number; inferenceParams: number; trainParams: number }

/** Training-step peak memory (tf.profile), throughput and parameter counts (plot 9, claims C4/C5). */
export async function measureCosts(o: { arch?: ArchName; batchSize?: number; steps?: number; seed?: number; widthMult?: number; inputSize?: number; methods?: string[] } = {}): Promise<ExperimentRecord<typeof o, CostRow[]>> {
  return runExperiment(o, async ({ seed }) => {
    const s = o.inputSize ?? 28;
    const spec: ArchSpec = archSpec(o.arch ?? 'minivgg6', { widthMult: o.widthMult, input: [s, s, 1] });
    const B = o.batchSize ?? 64, steps = o.steps ?? budget(4, 2);
    const x = tf.randomNormal([B, ...spec.input], 0, 1, 'float32', seed), y = tf.tensor1d(Array.from({ length: B }, (_, i) => i % spec.numClasses), 'int32');
    const methods: [string, CollabConfig | SongChaiConfig, boolean][] = [
      ['baseline', {}, false], ['out', { out: true }, false], ['mid', { mid: true }, false], ['pull-push', { pullPush: true }, false],
      ['kernel', { kernel: true }, false], ['Song&Chai tree H=4', { splits: [1, 2, 2], cuts: [2, 4] }, true], ['multi-instance H=4', { splits: [4, 1, 1], cuts: [2, 4] }, true],
    ];
    const rows: CostRow[] = [];
    for (const [method, cfg, isSc] of methods.filter((m) => !o.methods || o.methods.includes(m[0]))) {
      const rng = makeRng(seed);
      const net = isSc ? null : buildIntraNet(spec, cfg as CollabConfig, rng);
      const sc = isSc ? buildSongChai(spec, cfg as SongChaiConfig, rng) : null;
      const root = (net ?? sc)!.root;
      const params = collectParams(root);
      const opt = sgd({ lr: 0.01, momentum: 0.9 });
      let k = 0;
      const stepOnce = () => trainStep({
        vars: params, optimizer: opt,
        loss: () => (net ? collabLoss(net, x, y, { training: true, rng: makeRng(k++) }).loss : songChaiTrainLoss(sc!, x, y, { training: true, rng: makeRng(k++) }).loss),
      });
      stepOnce(); // warm-up (slot creation, kernel compilation)
      const prof = await tf.profile(() => { stepOnce(); });
      const t0 = Date.now();
      for (let s = 0; s < steps; s++) stepOnce();
      const sec = (Date.now() - t0) / 1000;
      rows.push({ method, peakMB: prof.peakBytes / 2 ** 20, imgPerSec: (B * steps) / sec, inferenceParams: countParams(net ? inference(net) : songChaiInference(sc!, 0)), trainParams: countParams(params) });
      disposeLayer(root);
      opt.dispose();
    }
    tf.dispose([x, y]);
    return rows;
  }, o.seed ?? 0);
}

/**
 * Per-loss gradient norms on one unit's parameters over the first steps of a run (plot 10), used to
 * calibrate the unreported weights. Trains with the full loss; measures each term separately.
 */
export async function gradNormDiagnostic(o: { collab: CollabConfig; unit?: number; steps?: number; seed?: number; batchSize?: number; widthMult?: number; inputSize?: 28 | 14 }): Promise<ExperimentRecord<typeof o, { step: number; term: LossTerm; norm: number }[]>> {
  return runExperiment(o, async ({ seed }) => {
    const sz = o.inputSize ?? 28;
    const spec = archSpec('minivgg6', { widthMult: o.widthMult, input: [sz, sz, 1] });
    const net = buildIntraNet(spec, o.collab, makeRng(seed).fork('model'));
    const unit = o.unit ?? 2;
    const params = collectParams(net.root);
    const uvars = params.filter((v) => v.path.includes(`/unit${unit + 1}/`));
    const data = fmnistSplit(150, 1);
    const opt = sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4, decayAll: true });
    const out: { step: number; term: LossTerm; norm: number }[] = [];
    const terms: LossTerm[] = ['main', 'mid', 'pp', 'kernel'];
    let step = 0;
    const total = o.steps ?? budget(40, 8);
    for (let epoch = 0; step < total; epoch++) {
      for (const b of batches(data.train, { batchSize: o.batchSize ?? 64, seed: seed * 1000 + epoch, indices: data.trainIdx, normalization: norm })) {
        if (step >= total) { b.x.dispose(); b.y.dispose(); continue; }
        const xi = prepInput(b.x, sz);
        for (const t of terms) {
          const n = tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => collabLoss(net, xi, b.y, { training: true, rng: makeRng(step) }, [t]).loss, uvars.map((v) => v.variable));
            value.dispose();
            const gs = Object.values(grads);
            return gs.length ? Math.sqrt(gs.reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0)) : 0;
          });
          out.push({ step, term: t, norm: n });
        }
        trainStep({ vars: params, optimizer: opt, loss: () => collabLoss(net, xi, b.y, { training: true, rng: makeRng(step) }).loss });
        b.x.dispose(); b.y.dispose(); xi.dispose();
        step++;
      }
    }
    disposeLayer(net.root);
    opt.dispose();
    return out;
  }, o.seed ?? 0);
}
