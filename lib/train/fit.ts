// The training loop. One loop for every experiment: a loss closure (default: cross-entropy of a
// model), a NamedVar list, an optimiser, an optional lr schedule, callbacks, periodic evaluation,
// NaN detection, progress output and a live-chart hook. Every batch's tensors are disposed, and
// every step runs in tf.tidy, so tf.memory().numTensors is the same after every epoch.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { saveCheckpoint, loadCheckpoint } from './checkpoint';
import type { Ctx, Layer, NamedVar } from '../nn/types';
import { collectParams, collectState } from '../nn/tree';
import { softmaxCrossEntropy } from '../nn/losses';
import { makeRng, type Rng } from '../util/random';
import type { Optimizer } from './optimizers';
import { trainStep, type StepOptions } from './step';
import { evaluate, iterate, disposeBatch, type Batch, type BatchSource, type EvalResult } from './evaluate';
import { makeProgress } from './progress';

/** What a custom loss returns: the scalar to minimise and optional extra scalars to log. */
export type LossOutput = tf.Scalar | { loss: tf.Scalar; metrics?: Record<string, tf.Scalar | number> };

export interface StepInfo { epoch: number; step: number; batchIndex: number; lr: number }

export interface BatchEndInfo extends StepInfo { loss: number; metrics: Record<string, number> }

export interface EpochRecord {
  epoch: number;
  /** Optimiser steps taken so far. */
  step: number;
  lr: number;
  trainLoss: number;
  /** Mean over the epoch of each logged metric (trainAcc with the default loss). */
  metrics: Record<string, number>;
  eval?: Record<string, number>;
  timeMs: number;
}

export interface FitCallbacks {
  onBatchEnd?(info: BatchEndInfo): void | Promise<void>;
  /** Return `false` (or 'stop') to stop training after this epoch. */
  onEpochEnd?(record: EpochRecord, history: EpochRecord[]): void | boolean | 'stop' | Promise<void | boolean | 'stop'>;
}

export interface FitOptions<B extends Batch = Batch> {
  /** The model; used by the default loss and the default evaluation. */
  model?: Layer;
  /** Variables to train; default collectParams(model). */
  params?: NamedVar[];
  /** Custom loss (runs inside the gradient tape). Default: softmax CE of model(batch.x) vs batch.y. */
  loss?: (batch: B, ctx: Ctx, info: StepInfo) => LossOutput;
  optimizer: Optimizer;
  epochs: number;
  /** Training batches, a function called once per epoch (e.g. `(epoch) => batches(set, {seed: epoch})`). */
  train: ((epoch: number) => Iterable<B> | AsyncIterable<B>);
  /** Steps per epoch if known (progress bar total and fractional-epoch schedules). */
  stepsPerEpoch?: number;
  /** lr as a function of the fractional epoch and the step: `({epoch, step}) => number`. */
  lr?: (t: { epoch: number; step: number }) => number;
  /** Periodic evaluation: batches (called per evaluation) or a custom function returning metrics. */
  eval?: ((epoch: number) => BatchSource) | ((epoch: number) => Promise<Record<string, number>>);
  evalIsCustom?: boolean;
  /** Evaluate every this many epochs (and always after the last). Default 1. */
  evalEvery?: number;
  /**
   * Seed of ctx.rng (dropout, branch draws); default 0. Each epoch gets its own stream derived
   * from (seed, epoch), so a resumed run draws the same masks as an uninterrupted one.
   */
  seed?: number;
  /** An explicit Rng instead (one stream across epochs; exact resume then needs `seed`). */
  rng?: Rng;
  callbacks?: FitCallbacks | FitCallbacks[];
  /** 'auto' (default): a bar on a TTY, otherwise one line per epoch. false: silent. */
  progress?: boolean | 'auto';
  /** When stdout is not a TTY, also print a line every this many steps. */
  logEvery?: number;
  /** A live chart (lib/viz liveChart) updated with the history after every epoch. */
  chart?: { update(history: EpochRecord[]): unknown };
  clipNorm?: number;
  transformGrads?: StepOptions['transformGrads'];
  label?: string;
  /**
   * Save params, model state (BN statistics), optimiser slots and the history to `dir` every
   * `every` epochs (default 1), atomically. With `resume`, a run finding a checkpoint in `dir`
   * restores it and continues after the saved epoch (same seed: the data order of later epochs
   * is reproduced because sources are called with the epoch number).
   */
  checkpoint?: { dir: string; every?: number; keep?: number; resume?: boolean };
}

export interface FitResult {
  history: EpochRecord[];
  steps: number;
  wallTimeMs: number;
  /** The last evaluation's metrics (if any). */
  final?: Record<string, number>;
}

/** Error thrown at the first non-finite loss. */
export class NonFiniteLossError extends Error {
  constructor(public readonly value: number, public readonly epoch: number, public readonly step: number, public readonly batchIndex: number) {
    super(`fit: loss is ${value} at epoch ${epoch} (0-based), step ${step} (batch ${batchIndex} of the epoch); ` +
      'check the learning rate, the inputs (normalisation) and log/div/sqrt terms in the loss');
    this.name = 'NonFiniteLossError';
  }
}

function defaultLoss(model: Layer | undefined) {
  if (!model) throw new Error('fit: give either `model` (default cross-entropy loss) or `loss`');
  return (b: Batch, ctx: Ctx): LossOutput => {
    const logits = model.apply(b.x, ctx);
    const y = b.y.dtype === 'int32' ? b.y : tf.cast(b.y, 'int32');
    const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')) as tf.Scalar;
    return { loss: softmaxCrossEntropy(logits, y) as tf.Scalar, metrics: { trainAcc: acc } };
  };
}

export async function fit<B extends Batch = Batch>(o: FitOptions<B>): Promise<FitResult> {
  if (!(o.epochs >= 0 && Number.isInteger(o.epochs))) throw new Error(`fit: epochs must be a non-negative integer, got ${o.epochs}`);
  const params = o.params ?? (o.model ? collectParams(o.model) : undefined);
  if (!params || params.length === 0) throw new Error('fit: nothing to train (give `model` or a non-empty `params`)');
  const lossFn: (b: B, ctx: Ctx, info: StepInfo) => LossOutput = o.loss ?? defaultLoss(o.model);
  const cbs = o.callbacks ? (Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks]) : [];
  const evalEvery = o.evalEvery ?? 1;
  const label = o.label ?? 'train';
  const t0 = Date.now();
  const history: EpochRecord[] = [];
  let step = 0;
  let final: Record<string, number> | undefined;
  let startEpoch = 0;
  const state = o.model ? collectState(o.model) : [];
  const ckpt = o.checkpoint;
  if (ckpt?.resume && fs.existsSync(path.join(ckpt.dir, 'latest.json'))) {
    const loaded = await loadCheckpoint(ckpt.dir);
    try {
      for (const v of [...params, ...state]) {
        const t = loaded.tensors.get(`model/${v.path}`);
        if (!t) throw new Error(`fit: checkpoint in '${ckpt.dir}' has no variable 'model/${v.path}' (a different model?)`);
        if (!tf.util.arraysEqual(t.shape, v.variable.shape)) throw new Error(`fit: checkpoint variable '${v.path}' has shape [${t.shape}], the model [${v.variable.shape}]`);
        v.variable.assign(t);
      }
      const optState = new Map<string, tf.Tensor>();
      for (const [k, t] of loaded.tensors) if (k.startsWith('optimizer/')) optState.set(k.slice('optimizer/'.length), t);
      o.optimizer.loadState(optState, params);
    } finally {
      tf.dispose([...loaded.tensors.values()]);
    }
    const m = loaded.meta as { epoch: number; step: number; history: EpochRecord[] };
    startEpoch = m.epoch + 1; step = m.step; history.push(...m.history);
    final = history.length ? history[history.length - 1].eval : undefined;
  }
  for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
    const te = Date.now();
    const rng = o.rng ?? makeRng(((o.seed ?? 0) * 1000003 + epoch * 7919 + 17) >>> 0);
    const progress = makeProgress(`${label} epoch ${epoch + 1}/${o.epochs}`, o.progress ?? 'auto', o.logEvery ?? 0);
    let lossSum = 0, count = 0, batchIndex = 0, lr = o.optimizer.lr;
    const mSum: Record<string, number> = {};
    for await (const batch of (o.train(epoch) as AsyncIterable<B>)) {
      try {
        const frac = o.stepsPerEpoch ? epoch + batchIndex / o.stepsPerEpoch : epoch;
        lr = o.lr ? o.lr({ epoch: frac, step }) : o.optimizer.lr;
        const info: StepInfo = { epoch, step, batchIndex, lr };
        const ctx: Ctx = { training: true, rng };
        const logged: Record<string, number> = {};
        const res = trainStep({
          vars: params, optimizer: o.optimizer, lr, clipNorm: o.clipNorm, transformGrads: o.transformGrads,
          loss: () => {
            const out = lossFn(batch, ctx, info);
            if (out instanceof tf.Tensor) return out;
            for (const [k, v] of Object.entries(out.metrics ?? {})) logged[k] = typeof v === 'number' ? v : v.dataSync()[0];
            return out.loss;
          },
        });
        if (!Number.isFinite(res.loss)) throw new NonFiniteLossError(res.loss, epoch, step, batchIndex);
        lossSum += res.loss; count++;
        for (const [k, v] of Object.entries(logged)) mSum[k] = (mSum[k] ?? 0) + v;
        step++; batchIndex++;
        progress.update(batchIndex, o.stepsPerEpoch ?? 0, { loss: lossSum / count, lr });
        for (const cb of cbs) if (cb.onBatchEnd) await cb.onBatchEnd({ ...info, loss: res.loss, metrics: logged });
      } finally {
        disposeBatch(batch);
      }
    }
    if (count === 0) throw new Error(`fit: the training source yielded no batches in epoch ${epoch}`);
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(mSum)) metrics[k] = v / count;
    const rec: EpochRecord = { epoch, step, lr, trainLoss: lossSum / count, metrics, timeMs: Date.now() - te };
    if (o.eval && ((epoch + 1) % evalEvery === 0 || epoch === o.epochs - 1)) {
      const src = o.eval(epoch);
      if (o.evalIsCustom || src instanceof Promise) {
        rec.eval = await (src as Promise<Record<string, number>>);
      } else {
        if (!o.model) throw new Error('fit: evaluation over batches needs `model` (or set evalIsCustom and return metrics)');
        const r: EvalResult = await evaluate(o.model, src as BatchSource);
        rec.eval = { accuracy: r.accuracy, loss: r.loss };
      }
      final = rec.eval;
      rec.timeMs = Date.now() - te;
    }
    history.push(rec);
    const evalText = rec.eval ? '  ' + Object.entries(rec.eval).map(([k, v]) => `eval ${k} ${v.toFixed(4)}`).join('  ') : '';
    const mText = Object.entries(metrics).map(([k, v]) => `  ${k} ${v.toFixed(4)}`).join('');
    progress.end(`${label} epoch ${epoch + 1}/${o.epochs}  loss ${rec.trainLoss.toFixed(4)}${mText}${evalText}  (${(rec.timeMs / 1000).toFixed(1)} s)`);
    if (ckpt && ((epoch + 1) % (ckpt.every ?? 1) === 0 || epoch === o.epochs - 1)) {
      const vars = [
        ...[...params, ...state].map((v) => ({ ...v, path: `model/${v.path}` })),
        ...o.optimizer.stateVars().map((v) => ({ ...v, path: `optimizer/${v.path}` })),
      ];
      await saveCheckpoint(ckpt.dir, vars, { epoch, step, history }, { keep: ckpt.keep });
    }
    if (o.chart) await o.chart.update(history.slice());
    let stop = false;
    for (const cb of cbs) {
      if (cb.onEpochEnd) {
        const r = await cb.onEpochEnd(rec, history);
        if (r === false || r === 'stop') stop = true;
      }
    }
    if (stop) break;
  }
  return { history, steps: step, wallTimeMs: Date.now() - t0, final };
}
