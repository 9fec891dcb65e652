// Training phi on the frozen backbone's activations of C_large (thesis 2.2.3). Each iteration:
// statistic set S (one s_y per class, pMean rule), training set T (m activations per class),
// loss = CE(T · phi(S)^T, class positions), SGD + momentum + weight decay on phi only.
// Thesis: lr 1e-3, wd 5e-4, momentum 0.9, 300 epochs x 250 batches, pMean 0.9, m = 1.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../util/random';
import type { ActivationStore } from './activation-store';
import { sampleStatisticSet, sampleTrainingSet } from './activation-store';
import { ParamPredictor, PhiConfig, paramPredictor, phiParams } from './param-predictor';
import { phiBatchLoss, predictedLogits } from './phi-loss';
import { sgd } from '../../train/optimizers';
import { trainStep } from '../../train/step';

export interface PhiTrainConfig {
  /** Probability of the class mean as the statistic (thesis 0.9; [code] MiniImageNet 0.3; 1 = Eq. 2.1). */
  pMean: number;
  iterations: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  /** Training activations per class per batch (thesis 1; >1 is a documented deviation for tiny |C_large|). */
  trainPerClass?: number;
  seed: number;
  /** Average loss/accuracy over this many iterations per logged point. */
  logEvery?: number;
  /**
   * Multiplies the logits T · phi(S)^T during training (default 1 = thesis/[code]: raw a(x)). The raw
   * activation norm is the softmax temperature; a small backbone's GAP activations (norm ~1) make the
   * softmax over C_large nearly uniform, so a constant >1 restores the regime of ResNet-50 features.
   * A positive constant does not change any prediction (spec 2.5), only the training signal.
   */
  logitScale?: number;
}

export interface PhiCurvePoint { iteration: number; loss: number; accuracy: number }

export interface PhiTrainResult {
  phi: ParamPredictor;
  curve: PhiCurvePoint[];
  wallTimeMs: number;
  config: Required<PhiTrainConfig>;
}

export function resolvePhiTrainConfig(c: PhiTrainConfig): Required<PhiTrainConfig> {
  const r = {
    pMean: c.pMean, iterations: c.iterations, lr: c.lr ?? 1e-3, momentum: c.momentum ?? 0.9,
    weightDecay: c.weightDecay ?? 5e-4, trainPerClass: c.trainPerClass ?? 1, seed: c.seed,
    logEvery: c.logEvery ?? Math.max(1, Math.floor(c.iterations / 50)),
    logitScale: c.logitScale ?? 1,
  };
  if (!(r.logitScale > 0)) throw new Error(`trainPhi: logitScale must be > 0, got ${r.logitScale}`);
  if (!(r.pMean >= 0 && r.pMean <= 1)) throw new Error(`trainPhi: pMean must be in [0, 1], got ${r.pMean}`);
  if (!Number.isInteger(r.iterations) || r.iterations < 0) throw new Error(`trainPhi: iterations must be a non-negative integer, got ${r.iterations}`);
  if (!(r.lr > 0)) throw new Error(`trainPhi: lr must be > 0, got ${r.lr}`);
  return r;
}

/** Train phi (a fresh one from `phiConfig`, or the given predictor in place). */
export function trainPhi(store: ActivationStore, phiOrConfig: ParamPredictor | Omit<PhiConfig, 'dim'>, cfg: PhiTrainConfig): PhiTrainResult {
  const c = resolvePhiTrainConfig(cfg);
  if (store.classes.length < 2) throw new Error(`trainPhi: need at least 2 large classes, got ${store.classes.length}`);
  const rng = makeRng(c.seed);
  const phi = 'apply' in phiOrConfig
    ? phiOrConfig
    : paramPredictor({ ...phiOrConfig, dim: store.dim, rng: phiOrConfig.rng ?? rng.fork('phi-init') });
  if (phi.config.dim !== store.dim) throw new Error(`trainPhi: phi dim ${phi.config.dim} != activation dim ${store.dim}`);
  const vars = phiParams(phi);
  // decayAll: Torch optim.sgd decays every parameter of phi, biases included (spec pitfall 9).
  const opt = sgd({ lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay, decayAll: true });
  const sampler = rng.fork('batches');
  const curve: PhiCurvePoint[] = [];
  const C = store.classes.length;
  let accLoss = 0; let accAcc = 0; let accN = 0;
  const t0 = Date.now();
  for (let it = 1; it <= c.iterations; it++) {
    const S = sampleStatisticSet(store, c.pMean, sampler);
    const T = sampleTrainingSet(store, c.trainPerClass, sampler);
    const s = tf.tensor2d(S, [C, store.dim]);
    const t = tf.tidy(() => tf.mul(tf.tensor2d(T.x, [T.labels.length, store.dim]), c.logitScale) as tf.Tensor2D);
    const y = tf.tensor1d(T.labels, 'int32');
    // Training accuracy of the batch under the pre-update phi (what the loss saw).
    const accV = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(predictedLogits(phi, s, t), 1), y), 'float32')).dataSync()[0]);
    const lossV = trainStep({ loss: () => phiBatchLoss(phi, s, t, y), vars, optimizer: opt }).loss;
    tf.dispose([s, t, y]);
    accLoss += lossV; accAcc += accV; accN++;
    if (it % c.logEvery === 0 || it === c.iterations) {
      curve.push({ iteration: it, loss: accLoss / accN, accuracy: accAcc / accN });
      accLoss = 0; accAcc = 0; accN = 0;
    }
  }
  opt.dispose();
  return { phi, curve, wallTimeMs: Date.now() - t0, config: c };
}
