// Softmax linear classifiers on frozen activations: the baselines that LEARN the FC rows.
//   Fine-Tuned (FT-FC)        : start from w^pt (C_large rows + bias), append novel rows, train all rows
//                               on D_large + the few shots ("fine-tune on the newly added images, plus
//                               D_large", thesis 2.4.1). FC-only: the analogue of fine-tuning the ResNet.
//   Learning like a Child     : same, but only the novel rows are trained (features fixed, no Baseline
//                               Probability Fixation).
//   Linear oracle (Table 2-II): trained from scratch on all training data of all classes.
//   Fine-tuned episode baseline (Table 2-III): logistic regression on the support set.
// The thesis gives no fine-tuning hyper-parameters [choice]: Adam, batches drawn uniformly from the
// union of the data (so the few shots are rarely seen: that is the invader/imbalance effect the thesis
// describes), novel rows initialised at zero.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../util/random';
import { adam } from '../../train/optimizers';
import { trainStep } from '../../train/step';
import type { NamedVar } from '../../nn/types';
import type { Features } from './features';
import { checkFeatures } from './features';

export interface LinearHead {
  classes: number[];
  /** [dim, C] kernel (tfjs orientation; row y of the thesis' W is column y). */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  dispose(): void;
}

export interface LinearTrainConfig {
  steps: number;
  batchSize?: number;
  lr?: number;
  seed: number;
  /** 'all' rows (FT) or only rows of classes not in `init` ('novel': Learning like a Child). */
  trainableRows?: 'all' | 'novel';
  /** Pre-trained head over a prefix of `classes` (w^pt, bias). */
  init?: { kernel: Float32Array; bias: Float32Array; numClasses: number };
}

export function linearScores(head: LinearHead, q: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(q, head.kernel), head.bias) as tf.Tensor2D);
}

/** Train a linear softmax head over `classes` (order = class positions) on `data`. */
export function trainLinearHead(data: Features, classes: number[], cfg: LinearTrainConfig): LinearHead & { wallTimeMs: number } {
  checkFeatures(data, 'trainLinearHead');
  const rows = cfg.trainableRows ?? 'all';
  if (rows !== 'all' && rows !== 'novel') throw new Error(`trainLinearHead: unknown trainableRows '${rows}' (use all | novel)`);
  if (rows === 'novel' && !cfg.init) throw new Error("trainLinearHead: trainableRows 'novel' needs a pre-trained init head");
  const d = data.dim; const C = classes.length;
  const pos = new Map(classes.map((c, i) => [c, i]));
  const y = new Int32Array(data.labels.length);
  for (let i = 0; i < y.length; i++) {
    const p = pos.get(data.labels[i]);
    if (p === undefined) throw new Error(`trainLinearHead: label ${data.labels[i]} not in classes [${classes}]`);
    y[i] = p;
  }
  const C0 = cfg.init ? cfg.init.numClasses : 0;
  if (cfg.init && (cfg.init.kernel.length !== d * C0 || cfg.init.bias.length !== C0 || C0 > C)) {
    throw new Error(`trainLinearHead: init head must be kernel [${d}, ${C0}] and bias [${C0}] with ${C0} <= ${C} classes`);
  }
  const rng = makeRng(cfg.seed);
  const t0 = Date.now();
  // Pre-trained columns and new columns are separate variables so 'novel' can freeze the former.
  const mk = (make: () => tf.Tensor, trainable: boolean) => tf.tidy(() => tf.variable(make(), trainable));
  const kOld = C0 > 0 ? mk(() => tf.tensor2d(cfg.init!.kernel, [d, C0]), rows === 'all') : null;
  const bOld = C0 > 0 ? mk(() => tf.tensor1d(cfg.init!.bias), rows === 'all') : null;
  const kNew = C > C0 ? mk(() => (C0 > 0 ? tf.zeros([d, C - C0]) : tf.randomNormal([d, C - C0], 0, 0.01, 'float32', rng.seed())), true) : null;
  const bNew = C > C0 ? mk(() => tf.zeros([C - C0]), true) : null;
  const trainVars = [rows === 'all' ? kOld : null, rows === 'all' ? bOld : null, kNew, bNew].filter((v): v is tf.Variable => v !== null);
  const kernelOf = () => tf.concat([kOld, kNew].filter((v): v is tf.Variable => v !== null), 1) as tf.Tensor2D;
  const biasOf = () => tf.concat([bOld, bNew].filter((v): v is tf.Variable => v !== null), 0) as tf.Tensor1D;
  const opt = adam({ lr: cfg.lr ?? 1e-3 });
  const named: NamedVar[] = trainVars.map((v, i) => ({ path: `head/${i}`, variable: v, decay: false }));
  const B = Math.min(cfg.batchSize ?? 128, y.length);
  const xb = new Float32Array(B * d); const yb = new Int32Array(B);
  for (let s = 0; s < cfg.steps && trainVars.length > 0; s++) {
    for (let i = 0; i < B; i++) {
      const r = rng.int(y.length);
      xb.set(data.x.subarray(r * d, (r + 1) * d), i * d);
      yb[i] = y[r];
    }
    const xt = tf.tensor2d(xb, [B, d]);
    const yt = tf.tidy(() => tf.oneHot(tf.tensor1d(yb, 'int32'), C));
    trainStep({ loss: () => tf.losses.softmaxCrossEntropy(yt, tf.add(tf.matMul(xt, kernelOf()), biasOf())) as tf.Scalar, vars: named, optimizer: opt });
    tf.dispose([xt, yt]);
  }
  opt.dispose();
  const kernel = tf.tidy(kernelOf); const bias = tf.tidy(biasOf);
  for (const v of [kOld, bOld, kNew, bNew]) v?.dispose();
  return { classes, kernel, bias, wallTimeMs: Date.now() - t0, dispose: () => { kernel.dispose(); bias.dispose(); } };
}
