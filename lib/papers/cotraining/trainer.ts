// The DCT training loop (thesis Algorithm 1, multi-view eq. 3.8) and its per-epoch monitor.
// One optimiser over all views; each iteration pairs the views, every pair p gets bundle p's batch,
// and the pair losses are summed. lambda_cot = lambda_dif = 0 is the supervised-only baseline
// (unlabelled forwards and attacks skipped).
import * as tf from '@tensorflow/tfjs';
import type { Layer, NamedVar } from '../../nn/types';
import { collectParams } from '../../nn/tree';
import { withFrozenBatchStats } from '../../nn/layers';
import { sgd, type Optimizer } from '../../train/optimizers';
import { trainStep } from '../../train/step';
import { makeRng, type Rng } from '../../util/random';
import { supervisedLoss, coTrainingLoss, viewDifferenceLoss, jsDivergence, rowCrossEntropy } from './losses';
import { fgsm, attackTargets, type AttackMode, type AttackTargets } from './fgsm';
import { rampWeight, cosineLR } from './schedules';
import { streamBundle, pairViews, type Pairing, type BundleBatch } from './streams';
import type { SemiSupData } from './data';
import { augmentedPairInputs, validateAugment, type DctAugment } from './augment';

export interface DctConfig {
  lambdaCotMax: number;
  lambdaDifMax: number;
  /** Ramp-up length in epochs (80 of 600 in the thesis; 0 = lambda at max from the start, ImageNet phase 2). */
  warmupEpochs: number;
  epochs: number;
  /** Stream batch B = |d_s| + |d_u|. */
  batchSize: number;
  /** FGSM step in input units. */
  eps: number;
  attackTargets?: AttackTargets;
  attackMode?: AttackMode;
  stopGradDifTargets?: boolean;
  pairing?: Pairing;
  /** LR by (1-indexed, possibly fractional) epoch; default the thesis cosine 0.05(1+cos((T-1)pi/epochs)). */
  lr?: (T: number) => number;
  momentum?: number;
  /** Coupled (Torch-style) decay on all parameters, BN included (spec pitfall 9). */
  weightDecay?: number;
  /** Evaluate schedules at T = epoch + iter/K (smoother short runs) instead of per whole epoch [choice]. */
  fractional?: boolean;
  /** Size of the fixed probe subset of the pool on which L_sup/L_cot/L_dif and transfer are measured. */
  probeSize?: number;
  /** Evaluate every k epochs (and always after the last). */
  evalEvery?: number;
  /**
   * Training-time augmentation (translation <= maxShift px, optional flip); off when absent. The shared
   * d_u is augmented once for both networks unless `independentAugmentU` (spec §2.5). Applied to every
   * variant alike (the supervised baseline too), and the FGSM attacks see the augmented inputs.
   */
  augment?: DctAugment;
}

export interface EpochLog {
  epoch: number;
  lr: number;
  lambdaCot: number;
  lambdaDif: number;
  /** Mean of the training-batch loss terms over the epoch. */
  trainLsup: number;
  trainLcot: number;
  trainLdif: number;
  viewAcc: number[];
  /** Thesis metric: mean of the single-view test accuracies. */
  meanAcc: number;
  /** Extra, never the thesis metric: accuracy of the averaged probabilities. */
  ensembleAcc: number;
  /** Fraction of test images both views 0 and 1 get wrong, and the product of their error rates. */
  bothWrong: number;
  independentBothWrong: number;
  /** Fraction of test images where views 0 and 1 predict the same class. */
  agreement: number;
  /** Measured on the probe (eval mode, no gradients) for the view pair (0, 1). */
  probeLcot: number;
  probeLdif: number;
  /** Of the g_i(x) that flip p_i, the fraction that also flip p_j (both directions pooled). */
  transferRate: number;
  /** Of all probe images, the fraction whose g_i(x) flips p_i (attack success on the attacked view). */
  attackSuccess: number;
}

function gatherRows(x: tf.Tensor, idx: Int32Array): tf.Tensor {
  return tf.tidy(() => tf.gather(x, tf.tensor1d(idx, 'int32')));
}

function argmaxOf(z: tf.Tensor): Int32Array {
  const t = tf.argMax(z, 1);
  const out = t.dataSync() as Int32Array;
  t.dispose();
  return out;
}

/** Eval-mode logits in chunks, as a plain array per row (for metrics). */
export function predictLogits(view: Layer, x: tf.Tensor, chunk = 1000): tf.Tensor {
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < x.shape[0]; i += chunk) {
    const n = Math.min(chunk, x.shape[0] - i);
    parts.push(tf.tidy(() => view.apply(tf.slice(x, i, n), { training: false })));
  }
  const out = tf.concat(parts, 0);
  parts.forEach((p) => p.dispose());
  return out;
}

export interface ViewEval { viewAcc: number[]; meanAcc: number; ensembleAcc: number; bothWrong: number; independentBothWrong: number; agreement: number; preds: Int32Array[] }

/** Per-view accuracy, their mean (thesis protocol), ensemble accuracy (extra) and error overlap of views 0/1. */
export function evaluateViews(views: Layer[], x: tf.Tensor, y: Int32Array): ViewEval {
  const logits = views.map((v) => predictLogits(v, x));
  const preds = logits.map(argmaxOf);
  const ens = tf.tidy(() => tf.addN(logits.map((z) => tf.softmax(z))));
  const ensPred = argmaxOf(ens);
  ens.dispose(); logits.forEach((z) => z.dispose());
  const n = y.length;
  const acc = (p: Int32Array) => p.reduce((s, v, i) => s + (v === y[i] ? 1 : 0), 0) / n;
  const viewAcc = preds.map(acc);
  let both = 0, agree = 0;
  for (let i = 0; i < n; i++) {
    if (preds[0][i] !== y[i] && preds[1][i] !== y[i]) both++;
    if (preds[0][i] === preds[1][i]) agree++;
  }
  return {
    viewAcc, meanAcc: viewAcc.reduce((a, b) => a + b, 0) / viewAcc.length, ensembleAcc: acc(ensPred),
    bothWrong: both / n, independentBothWrong: (1 - viewAcc[0]) * (1 - viewAcc[1]), agreement: agree / n, preds,
  };
}

export interface ProbeEval { lcot: number; ldif: number; transferRate: number; attackSuccess: number }

/**
 * The view-difference indicators on a probe set for views a, b (eval mode, no gradients): L_cot,
 * L_dif (eq. 3.5 with predicted-label FGSM targets, everything in inference mode) and the
 * adversarial transfer rate.
 */
export function probeViewDifference(a: Layer, b: Layer, x: tf.Tensor, eps: number, clip: [number, number] | null): ProbeEval {
  return tf.tidy(() => {
    const za = a.apply(x, { training: false }), zb = b.apply(x, { training: false });
    const ga = fgsm(a, x, attackTargets(za, null, 'predicted-for-all'), { eps, clip });
    const gb = fgsm(b, x, attackTargets(zb, null, 'predicted-for-all'), { eps, clip });
    const zbOnGa = b.apply(ga, { training: false }), zaOnGb = a.apply(gb, { training: false });
    const zaOnGa = a.apply(ga, { training: false }), zbOnGb = b.apply(gb, { training: false });
    const lcot = tf.mean(jsDivergence(za, zb)).dataSync()[0];
    const ldif = viewDifferenceLoss(za, zbOnGa, zb, zaOnGb).dataSync()[0];
    const pa = argmaxOf(za), pb = argmaxOf(zb);
    const paGa = argmaxOf(zaOnGa), pbGa = argmaxOf(zbOnGa), pbGb = argmaxOf(zbOnGb), paGb = argmaxOf(zaOnGb);
    let fooled = 0, transferred = 0;
    for (let i = 0; i < pa.length; i++) {
      if (paGa[i] !== pa[i]) { fooled++; if (pbGa[i] !== pb[i]) transferred++; }
      if (pbGb[i] !== pb[i]) { fooled++; if (paGb[i] !== pa[i]) transferred++; }
    }
    return { lcot, ldif, transferRate: fooled ? transferred / fooled : 0, attackSuccess: fooled / (2 * pa.length) };
  });
}

export interface DctState {
  views: Layer[];
  optimizer: Optimizer;
  /** Epochs trained so far (continued by another trainDct call). */
  epochsDone: number;
}

export function validateDctConfig(c: DctConfig): void {
  const num = (k: keyof DctConfig, ok: (v: number) => boolean, what: string) => {
    const v = c[k] as unknown as number;
    if (typeof v !== 'number' || !ok(v)) throw new Error(`DctConfig.${String(k)} must be ${what}, got ${String(v)}`);
  };
  num('lambdaCotMax', (v) => v >= 0, '>= 0');
  num('lambdaDifMax', (v) => v >= 0, '>= 0');
  num('warmupEpochs', (v) => v >= 0, '>= 0');
  num('epochs', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  num('batchSize', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  num('eps', (v) => v >= 0 && Number.isFinite(v), 'a finite number >= 0');
  if (c.pairing && c.pairing !== 'random' && c.pairing !== 'fixed') throw new Error(`DctConfig.pairing: unknown '${c.pairing}'`);
  if (c.attackMode && c.attackMode !== 'eval' && c.attackMode !== 'train') throw new Error(`DctConfig.attackMode: unknown '${c.attackMode}'`);
  if (c.attackTargets && c.attackTargets !== 'label-for-labelled' && c.attackTargets !== 'predicted-for-all') throw new Error(`DctConfig.attackTargets: unknown '${c.attackTargets}'`);
}

/** Loss terms of one pair on one bundle batch (Algorithm 1 lines 2-6). Returns [L, Lsup, Lcot, Ldif]. */
export function pairLoss(
  v1: Layer, v2: Layer, data: { x: tf.Tensor; y: Int32Array }, batch: BundleBatch,
  o: { lambdaCot: number; lambdaDif: number; eps: number; clip: [number, number] | null; attackTargets?: AttackTargets; attackMode?: AttackMode; stopGradDifTargets?: boolean; rng: Rng; adv?: { g1: tf.Tensor; g2: tf.Tensor };
    /** Prepared (e.g. augmented) stream inputs [d_s1; d_u], [d_s2; d_u] (d_s only when both lambdas are 0); not disposed here. */
    inputs?: { x1: tf.Tensor; x2: tf.Tensor } },
): tf.Scalar[] {
  const [s1, s2] = batch.ds;
  const b = s1.length;
  const useU = o.lambdaCot > 0 || o.lambdaDif > 0;
  const x1 = o.inputs?.x1 ?? (useU ? gatherRows(data.x, Int32Array.from([...s1, ...batch.du])) : gatherRows(data.x, s1));
  const x2 = o.inputs?.x2 ?? (useU ? gatherRows(data.x, Int32Array.from([...s2, ...batch.du])) : gatherRows(data.x, s2));
  const expectRows = useU ? b + batch.du.length : b;
  if (x1.shape[0] !== expectRows || x2.shape[0] !== expectRows) throw new Error(`pairLoss: inputs have ${x1.shape[0]}/${x2.shape[0]} rows, the batch needs ${expectRows}`);
  const y1 = tf.tensor1d(Int32Array.from(s1, (i) => data.y[i]), 'int32'), y2 = tf.tensor1d(Int32Array.from(s2, (i) => data.y[i]), 'int32');
  // One forward per network over its whole stream batch [d_s; d_u]: BN sees mixed data (spec §2.5).
  const z1 = v1.apply(x1, { training: true, rng: o.rng }), z2 = v2.apply(x2, { training: true, rng: o.rng });
  const c = z1.shape[1] as number, n = z1.shape[0];
  const lsup = supervisedLoss(tf.slice(z1, [0, 0], [b, c]), y1, tf.slice(z2, [0, 0], [b, c]), y2);
  const lcot = useU && n > b ? coTrainingLoss(tf.slice(z1, [b, 0], [n - b, c]), tf.slice(z2, [b, 0], [n - b, c])) : tf.scalar(0);
  let ldif: tf.Scalar = tf.scalar(0);
  if (o.lambdaDif > 0 && o.adv) {
    // Other network on this network's adversarial examples: training mode, BN statistics not
    // updated (counted once by the clean forward) [choice, spec pitfall 4].
    const advOn2 = withFrozenBatchStats(() => v2.apply(o.adv!.g1, { training: true, rng: o.rng }));
    const advOn1 = withFrozenBatchStats(() => v1.apply(o.adv!.g2, { training: true, rng: o.rng }));
    ldif = viewDifferenceLoss(z1, advOn2, z2, advOn1, o.stopGradDifTargets ?? false);
  }
  const total = tf.addN([lsup, tf.mul(lcot, o.lambdaCot), tf.mul(ldif, o.lambdaDif)]) as tf.Scalar;
  return [total, lsup, lcot, ldif];
}

/** g1 for x_b1 ∪ x_u against v1 and g2 for x_b2 ∪ x_u against v2 (Algorithm 1 line 2); constants. */
export function pairAdversaries(
  v1: Layer, v2: Layer, data: { x: tf.Tensor; y: Int32Array }, batch: BundleBatch,
  o: { eps: number; clip: [number, number] | null; attackTargets?: AttackTargets; attackMode?: AttackMode; rng: Rng; inputs?: { x1: tf.Tensor; x2: tf.Tensor } },
): { g1: tf.Tensor; g2: tf.Tensor } {
  return tf.tidy(() => {
    const one = (v: Layer, s: Int32Array, given?: tf.Tensor) => {
      const x = given ?? gatherRows(data.x, Int32Array.from([...s, ...batch.du]));
      const ys = tf.tensor1d(Int32Array.from(s, (i) => data.y[i]), 'int32');
      const zEval = v.apply(x, { training: false });
      const t = attackTargets(zEval, ys, o.attackTargets ?? 'label-for-labelled');
      return fgsm(v, x, t, { eps: o.eps, clip: o.clip, mode: o.attackMode ?? 'eval', rng: o.rng });
    };
    return { g1: one(v1, batch.ds[0], o.inputs?.x1), g2: one(v2, batch.ds[1], o.inputs?.x2) };
  });
}

/** A fresh optimiser state for the views: SGD momentum 0.9, wd 1e-4 on all parameters (thesis §3.2.5). */
export function dctState(views: Layer[], o: { momentum?: number; weightDecay?: number } = {}): DctState {
  if (views.length < 2 || views.length % 2 !== 0) throw new Error(`dctState: the number of views must be even and >= 2, got ${views.length}`);
  return { views, optimizer: sgd({ lr: 0.1, momentum: o.momentum ?? 0.9, weightDecay: o.weightDecay ?? 1e-4, decayAll: true }), epochsDone: 0 };
}

/**
 * Train the views with DCT for `cfg.epochs` epochs on `data` and return the per-epoch log. Bundles:
 * one per view pair, independent U orders; streams of a bundle: independent S orders.
 */
export function trainDct(state: DctState, data: SemiSupData, cfg: DctConfig, seed: number,
  onEpoch?: (log: EpochLog) => void): EpochLog[] {
  validateDctConfig(cfg);
  if (cfg.augment) validateAugment(cfg.augment);
  const augOn = !!cfg.augment && (cfg.augment.maxShift > 0 || (cfg.augment.flip ?? 0) > 0);
  const { views } = state;
  const nPairs = views.length / 2;
  const rng = makeRng(seed).fork(`dct-${state.epochsDone}`);
  const supOnly = cfg.lambdaCotMax === 0 && cfg.lambdaDifMax === 0;
  const bundles = Array.from({ length: nPairs }, (_, p) => streamBundle({
    labelled: data.labelled, unlabelled: supOnly ? [] : data.unlabelled, batchSize: cfg.batchSize, seed: rng.fork(`bundle-${p}`).seed(),
  }));
  // Sup-only runs keep the same number of iterations per epoch as DCT (equal step budget): K is set
  // by |D|/B even though the unlabelled part is not forwarded [choice].
  const K = Math.ceil((data.labelled.length + data.unlabelled.length) / cfg.batchSize);
  const supBundles = supOnly ? Array.from({ length: nPairs }, (_, p) => streamBundle({
    labelled: data.labelled, unlabelled: new Int32Array(Math.max(0, K * cfg.batchSize - data.labelled.length)), batchSize: cfg.batchSize, seed: rng.fork(`bundle-${p}`).seed(),
  })) : null;
  const lrOf = cfg.lr ?? cosineLR(0.05, cfg.epochs);
  const rampCot = rampWeight(cfg.lambdaCotMax, cfg.warmupEpochs), rampDif = rampWeight(cfg.lambdaDifMax, cfg.warmupEpochs);
  const vars: NamedVar[] = views.flatMap((v, i) => collectParams(v).map((nv) => ({ ...nv, path: `view${i}/${nv.path}` })));
  const probeIdx = rng.fork('probe').permutation(data.x.shape[0]).subarray(0, Math.min(cfg.probeSize ?? 300, data.x.shape[0]));
  const probeX = gatherRows(data.x, Int32Array.from(probeIdx));
  const logs: EpochLog[] = [];
  const evalEvery = cfg.evalEvery ?? 1;
  for (let e = 0; e < cfg.epochs; e++) {
    const epochBatches = (supBundles ?? bundles).map((bd) => bd.epoch(e));
    const iters = epochBatches[0].length;
    let sumSup = 0, sumCot = 0, sumDif = 0;
    let lr = 0, lc = 0, ld = 0;
    for (let k = 0; k < iters; k++) {
      // Thesis: epoch-indexed schedules (ramp from T = 0, LR 1-indexed); fractional option smooths them.
      const T = cfg.fractional ? e + k / iters : e;
      lr = lrOf(T + 1); lc = rampCot(T); ld = rampDif(T);
      const pairs = pairViews(views.length, cfg.pairing ?? 'random', rng);
      const batchOf = (p: number): BundleBatch => supOnly ? { ds: epochBatches[p][k].ds, du: new Int32Array(0) } : epochBatches[p][k];
      // Augmented inputs are drawn once per pair and iteration, outside the tape, and shared by the
      // attacks and the loss (the attacks perturb the images the networks are trained on).
      const inputs = augOn ? pairs.map((_, p) => augmentedPairInputs(data.x, batchOf(p), cfg.augment!, lc > 0 || ld > 0, rng)) : null;
      const advs = ld > 0 ? pairs.map(([i, j], p) => pairAdversaries(views[i], views[j], data, epochBatches[p][k], {
        eps: cfg.eps, clip: data.clip, attackTargets: cfg.attackTargets, attackMode: cfg.attackMode, rng, inputs: inputs?.[p],
      })) : null;
      const parts: tf.Scalar[] = [];
      trainStep({
        vars, optimizer: state.optimizer, lr,
        loss: () => {
          const terms = pairs.map(([i, j], p) => {
            return pairLoss(views[i], views[j], data, batchOf(p), {
              lambdaCot: lc, lambdaDif: ld, eps: cfg.eps, clip: data.clip, stopGradDifTargets: cfg.stopGradDifTargets, rng, adv: advs?.[p], inputs: inputs?.[p],
            });
          });
          for (let t = 1; t < 4; t++) parts.push(tf.keep(tf.addN(terms.map((r) => r[t])) as tf.Scalar));
          return tf.addN(terms.map((r) => r[0])) as tf.Scalar;
        },
      });
      const vals = parts.map((s) => s.dataSync()[0]);
      parts.forEach((s) => s.dispose());
      advs?.forEach((a) => { a.g1.dispose(); a.g2.dispose(); });
      inputs?.forEach((a) => { a.x1.dispose(); a.x2.dispose(); });
      sumSup += vals[0]; sumCot += vals[1]; sumDif += vals[2];
    }
    state.epochsDone++;
    if ((e + 1) % evalEvery === 0 || e === cfg.epochs - 1) {
      const ev = evaluateViews(views, data.testX, data.testY);
      const pr = probeViewDifference(views[0], views[1], probeX, cfg.eps, data.clip);
      const log: EpochLog = {
        epoch: state.epochsDone, lr, lambdaCot: lc, lambdaDif: ld,
        trainLsup: sumSup / iters / nPairs, trainLcot: sumCot / iters / nPairs, trainLdif: sumDif / iters / nPairs,
        viewAcc: ev.viewAcc, meanAcc: ev.meanAcc, ensembleAcc: ev.ensembleAcc, bothWrong: ev.bothWrong,
        independentBothWrong: ev.independentBothWrong, agreement: ev.agreement,
        probeLcot: pr.lcot, probeLdif: pr.ldif, transferRate: pr.transferRate, attackSuccess: pr.attackSuccess,
      };
      logs.push(log);
      onEpoch?.(log);
    }
  }
  probeX.dispose();
  return logs;
}
