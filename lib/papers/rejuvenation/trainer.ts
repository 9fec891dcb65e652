// Algorithm 3 (SGD with Neural Rejuvenation) and the control flow of spec 2.2, on lib/train's fit
// and trainStep. One fit "epoch" = Delta_t iterations, so the NR check runs in fit's onEpochEnd:
//   monitoring phase (lr constant at its initial value, the only time the NR flag is on):
//     L1 on the BN gammas with the adaptive lambda; every Delta_t: r = U/c; if r < T_r -> stop,
//     rejuvenate (target = fraction * C0 of the ORIGINAL net), lambda = 0, new optimizer (momentum reset)
//   repeated for `rounds` NR events, then the final phase: lr schedule restarted (step decay at
//   50% and 75% of the remaining steps; "epoch counter reset"), no penalty, r still logged.
// The baseline (nr = null) is the final phase alone over the whole budget (lambda = 0, r logged).
// Every run gets the same total number of optimizer steps (equal compute; the NR pre-phase is
// counted inside the budget, so NR's final schedule is shorter than BL's).
import * as tf from '@tensorflow/tfjs';
import type { Ctx } from '../../nn/types';
import { softmaxCrossEntropy } from '../../nn/losses';
import { fit, type LossOutput } from '../../train/fit';
import { sgd, type Optimizer } from '../../train/optimizers';
import { l1Penalty } from '../../train/step';
import { stepDecay } from '../../train/schedules';
import type { Batch } from '../../train/evaluate';
import { batches, type TensorBatch } from '../../data/batches';
import type { ImageSet, Normalization } from '../../data/types';
import type { AugmentOptions } from '../../data/augment';
import { makeRng, type Rng } from '../../util/random';
import { relativeGammas } from './liveness';
import { adaptiveLambda, type LambdaOptions } from './lambda';
import { cloneNet, netWidths, type NRNet } from './net';
import { inspectNet, rejuvenate, type NRMode, type RejuvenateReport } from './surgery';
import type { Resource, Utilization } from './utilization';

export interface DataSpec {
  train: ImageSet;
  test: ImageSet;
  trainIdx?: Int32Array;
  testIdx?: Int32Array;
  normalization: Normalization;
  augment?: AugmentOptions;
}

export interface NRVariant {
  mode: NRMode;
  rescale?: boolean;
  /** Bound on the neural-rescaling factor (default none, thesis). */
  maxRescale?: number;
  classifier?: 'dualHead' | 'shared';
  /** Resource target as a fraction of the original budget C0 (1 = maintain, 0.5 = compression). */
  targetFraction?: number;
  alphaMethod?: 'bisection' | 'sqrt';
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** Delta_t in iterations. */
  checkEvery: number;
  lambda: LambdaOptions;
  /** Max iterations of one monitoring phase; if T_r is not reached, rejuvenate anyway (logged deviation). */
  preCap: number;
  resource: Resource;
  /** Evaluate on the test subset every this many iterations (rounded to checks). */
  evalEvery: number;
}

export interface CheckRecord { step: number; r: number; lambda: number; trainLoss: number; trainAcc: number; testAcc?: number; phase: string }
export interface NREvent { step: number; round: number; r: number; forced: boolean; report: RejuvenateReport; sHeadAccBefore: number; sHeadAccAfter: number; accBefore: number; accAfter: number; prunedAccBefore?: number;
  /** |gamma| / max|gamma| per layer just before NR (plot 4). */
  relGammasBefore: number[][];
  /** Live neurons removed on top of the dead ones (compression fallback by global |gamma| ranking); 0 normally. */
  extraDropped: number }

/** Mutable state of one run (clone it to branch variants from a snapshot). */
export interface RunState {
  net: NRNet;
  step: number;
  C0: number;
  checks: CheckRecord[];
  events: NREvent[];
  seed: number;
  label: string;
}

export function newRunState(net: NRNet, cfg: Pick<TrainConfig, 'resource'>, seed: number, label = 'run'): RunState {
  return { net, step: 0, C0: inspectNet(net, { resource: cfg.resource }).total, checks: [], events: [], seed, label };
}

export function cloneRunState(s: RunState, label: string): RunState {
  return { ...s, net: cloneNet(s.net), checks: s.checks.slice(), events: s.events.slice(), label };
}

/** Loss of the current heads: CE of the single head, or the sum of the heads' CEs (dualHead [code]). */
export function nrLoss(net: NRNet) {
  return (b: Batch, ctx: Ctx): LossOutput => {
    const ls = net.headLogits(b.x, ctx);
    const y = b.y.dtype === 'int32' ? b.y : tf.cast(b.y, 'int32');
    const loss = ls.length === 1 ? softmaxCrossEntropy(ls[0], y) : tf.addN(ls.map((l) => softmaxCrossEntropy(l, y)));
    const sum = ls.length === 1 ? ls[0] : tf.addN(ls);
    const acc = tf.mean(tf.cast(tf.equal(tf.argMax(sum, 1), y), 'float32')) as tf.Scalar;
    return { loss: loss as tf.Scalar, metrics: { trainAcc: acc } };
  };
}

/** Test accuracy of the summed logits and of every head (head 0 = S head after NR). Eval-mode BN. */
export function evalNet(net: NRNet, data: DataSpec, o: { indices?: Int32Array; batchSize?: number } = {}): { acc: number; headAcc: number[]; n: number } {
  const idx = o.indices ?? data.testIdx;
  let n = 0, hit = 0;
  const headHit = net.heads.map(() => 0);
  for (const b of batches(data.test, { batchSize: o.batchSize ?? 500, shuffle: false, indices: idx, normalization: data.normalization })) {
    const [s, hs] = tf.tidy(() => {
      const ls = net.headLogits(b.x, { training: false });
      const y = b.y;
      const c = (l: tf.Tensor) => tf.sum(tf.cast(tf.equal(tf.argMax(l, 1), y), 'int32'));
      return [c(ls.length === 1 ? ls[0] : tf.addN(ls)).dataSync()[0], ls.map((l) => c(l).dataSync()[0])];
    });
    hit += s; hs.forEach((v, i) => { headHit[i] += v; });
    n += b.y.shape[0];
    tf.dispose([b.x, b.y]);
  }
  return { acc: hit / n, headAcc: headHit.map((h) => h / n), n };
}

/** An endless stream of training batches; `take(n)` yields the next n (reshuffled every pass). */
function batchStream(data: DataSpec, batchSize: number, rng: Rng) {
  let it: Generator<TensorBatch> | null = null;
  let pass = 0;
  const seed = Math.floor(rng.next() * 1e9);
  return {
    *take(n: number): Generator<TensorBatch> {
      for (let i = 0; i < n; i++) {
        let r = it ? it.next() : { done: true as const, value: undefined };
        if (r.done) {
          it = batches(data.train, { batchSize, seed: seed + 7919 * pass++, indices: data.trainIdx, normalization: data.normalization, augment: data.augment, dropLast: true });
          r = it.next();
          if (r.done) throw new Error(`NR trainer: the training set is smaller than one batch of ${batchSize}`);
        }
        yield r.value as TensorBatch;
      }
    },
  };
}

function trainAccOf(rec: { metrics: Record<string, number> }) { return rec.metrics.trainAcc ?? NaN; }

/**
 * One monitoring phase: train with the adaptive L1 penalty until r < T_r (then rejuvenate with
 * `variant`) or until preCap iterations (then rejuvenate anyway, `forced`). Mutates `s`.
 */
export async function monitorAndRejuvenate(s: RunState, data: DataSpec, cfg: TrainConfig, variant: NRVariant, o: {
  evalIdx?: Int32Array; measurePruned?: boolean; beforeSurgery?: (s: RunState) => void;
  /** Replace the dead-neuron inspection used by the surgery (e.g. the compression fallback of experiments.ts). */
  inspection?: (s: RunState, natural: Utilization, triggered: boolean) => { inspection: Utilization; extraDropped: number };
} = {}): Promise<NREvent> {
  const rng = makeRng(s.seed * 7777 + s.step + 13);
  const stream = batchStream(data, cfg.batchSize, rng.fork('data'));
  const ctl = adaptiveLambda(cfg.lambda);
  const opt: Optimizer = sgd({ lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const gammaSet = new Set(s.net.convs().map((u) => u.gamma.name));
  let lambda = ctl.state.lambda, triggered = false, lastR = 1;
  const epochs = Math.ceil(cfg.preCap / cfg.checkEvery);
  if (epochs > 0) try {
    await fit({
      model: s.net, loss: nrLoss(s.net), optimizer: opt, epochs, stepsPerEpoch: cfg.checkEvery, progress: false, seed: s.seed,
      train: () => stream.take(cfg.checkEvery),
      transformGrads: (g) => (lambda > 0 ? l1Penalty(lambda, (nv) => gammaSet.has(nv.variable.name))(g) : g),
      callbacks: {
        onEpochEnd: (rec) => {
          s.step += cfg.checkEvery;
          const r = inspectNet(s.net, { resource: cfg.resource }).r;
          lastR = r;
          const c = ctl.check(r);
          const testAcc = s.step % cfg.evalEvery < cfg.checkEvery ? evalNet(s.net, data, { indices: o.evalIdx }).acc : undefined;
          s.checks.push({ step: s.step, r, lambda, trainLoss: rec.trainLoss, trainAcc: trainAccOf(rec), testAcc, phase: `monitor${s.net.rounds}` });
          lambda = c.lambda;
          if (c.trigger) { triggered = true; return 'stop'; }
          return undefined;
        },
      },
    });
  } finally { opt.dispose(); }
  if (epochs === 0) opt.dispose();
  if (epochs === 0) { lastR = inspectNet(s.net, { resource: cfg.resource }).r; triggered = lastR < (cfg.lambda.Tr ?? 0.5); }
  o.beforeSurgery?.(s);
  const before = evalNet(s.net, data, { indices: o.evalIdx });
  const relGammasBefore = s.net.convs().map((u) => relativeGammas(u.gamma.dataSync()));
  const natural = inspectNet(s.net, { resource: cfg.resource });
  const override = o.inspection ? o.inspection(s, natural, triggered) : null;
  const insp = override ? override.inspection : natural;
  let prunedAccBefore: number | undefined;
  if (o.measurePruned) {
    // claim 4: removing the dead neurons barely changes accuracy just before NR
    const { net: pruned } = rejuvenate(s.net, insp, { target: 1, mode: 'full', pruneOnly: true, keepOld: true, rng: rng.fork('prune') });
    prunedAccBefore = evalNet(pruned, data, { indices: o.evalIdx }).acc;
    pruned.dispose();
  }
  const { net, report } = rejuvenate(s.net, insp, {
    target: (variant.targetFraction ?? 1) * s.C0, originalCost: s.C0, mode: variant.mode, rescale: variant.rescale, maxRescale: variant.maxRescale,
    classifier: variant.classifier, resource: cfg.resource, alphaMethod: variant.alphaMethod, rng: rng.fork('surgery'),
  });
  s.net = net;
  const after = evalNet(net, data, { indices: o.evalIdx });
  const ev: NREvent = {
    step: s.step, round: net.rounds, r: lastR, forced: !triggered, report,
    sHeadAccBefore: before.headAcc.length === 1 ? before.acc : before.headAcc[0], sHeadAccAfter: after.headAcc[0],
    accBefore: before.acc, accAfter: after.acc, prunedAccBefore, relGammasBefore, extraDropped: override?.extraDropped ?? 0,
  };
  s.events.push(ev);
  return ev;
}

/** The final phase: `steps` iterations with a restarted step-decay schedule, no penalty, r logged. */
export async function finalPhase(s: RunState, data: DataSpec, cfg: TrainConfig, steps: number, o: { evalIdx?: Int32Array } = {}): Promise<void> {
  if (steps <= 0) return;
  const rng = makeRng(s.seed * 7777 + s.step + 29);
  const stream = batchStream(data, cfg.batchSize, rng.fork('data'));
  const opt = sgd({ lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const sched = stepDecay(cfg.lr, [0.5 * steps, 0.75 * steps]);
  const epochs = Math.ceil(steps / cfg.checkEvery);
  let done = 0, lastN = 0;
  try {
    await fit({
      model: s.net, loss: nrLoss(s.net), optimizer: opt, epochs, stepsPerEpoch: cfg.checkEvery, progress: false, seed: s.seed + 1,
      lr: ({ step }) => sched(step),
      train: () => { const n = Math.min(cfg.checkEvery, steps - done); done += n; lastN = n; return stream.take(n); },
      callbacks: {
        onEpochEnd: (rec) => {
          s.step += lastN;
          const r = inspectNet(s.net, { resource: cfg.resource }).r;
          const testAcc = s.step % cfg.evalEvery < cfg.checkEvery || done >= steps ? evalNet(s.net, data, { indices: o.evalIdx }).acc : undefined;
          s.checks.push({ step: s.step, r, lambda: 0, trainLoss: rec.trainLoss, trainAcc: trainAccOf(rec), testAcc, phase: 'final' });
        },
      },
    });
  } finally { opt.dispose(); }
}

export interface RunSummary {
  label: string;
  seed: number;
  steps: number;
  finalAcc: number;
  headAcc: number[];
  widths: number[];
  convParams: number;
  totalParams: number;
  checks: CheckRecord[];
  events: NREvent[];
}

export function summarizeRun(s: RunState, data: DataSpec, finalIdx?: Int32Array): RunSummary {
  const ev = evalNet(s.net, data, { indices: finalIdx });
  const total = s.net.params.reduce((a, v) => a + v.variable.size, 0);
  return {
    label: s.label, seed: s.seed, steps: s.step, finalAcc: ev.acc, headAcc: ev.headAcc, widths: netWidths(s.net),
    convParams: inspectNet(s.net).total, totalParams: total, checks: s.checks, events: s.events,
  };
}
