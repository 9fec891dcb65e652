// One optimisation step: gradients of a loss closure w.r.t. chosen NamedVars, then the optimiser.
// Only the listed variables move, which is how layer-local updates, frozen backbones and
// alternating updates of several models are written.
import * as tf from '@tensorflow/tfjs';
import type { NamedVar } from '../nn/types';
import type { GradPair, Optimizer } from './optimizers';

export interface StepOptions {
  /** Returns the scalar loss; runs inside a gradient tape (tf.variableGrads). */
  loss: () => tf.Scalar;
  /** Variables to differentiate and update (those without a path to the loss are skipped). */
  vars: NamedVar[];
  optimizer: Optimizer;
  /** Learning rate for this step (schedules); default optimizer.lr. */
  lr?: number;
  /** Clip the global L2 norm of the gradients to this value (torch.nn.utils.clip_grad_norm_). */
  clipNorm?: number;
  /** Edit gradients before the update (e.g. add lambda*sign(gamma) for sparsity); runs inside tidy. */
  transformGrads?: (grads: GradPair[]) => GradPair[];
}

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping (only when clipNorm is set, else NaN). */
  gradNorm: number;
}

export function trainStep(o: StepOptions): StepResult {
  return trainStepGroups({ loss: o.loss, clipNorm: o.clipNorm, transformGrads: o.transformGrads, groups: [{ vars: o.vars, optimizer: o.optimizer, lr: o.lr }] });
}

export interface StepGroup { vars: NamedVar[]; optimizer: Optimizer; lr?: number }

/**
 * One backward pass, several optimisers: each group's variables are updated by its own optimiser
 * and lr (e.g. a lookup table at a different lr than the network, two models with their own SGD).
 * A variable may belong to one group only. Gradient clipping uses the global norm over all groups.
 */
export function trainStepGroups(o: Omit<StepOptions, 'vars' | 'optimizer' | 'lr'> & { groups: StepGroup[] }): StepResult {
  const all = o.groups.flatMap((g) => g.vars);
  if (all.length === 0) throw new Error('trainStep: no variables to update (vars is empty)');
  const groupOf = new Map<string, number>();
  o.groups.forEach((g, gi) => g.vars.forEach((nv) => {
    if (groupOf.has(nv.variable.name) && groupOf.get(nv.variable.name) !== gi) {
      throw new Error(`trainStepGroups: variable '${nv.path}' is in two groups`);
    }
    groupOf.set(nv.variable.name, gi);
  }));
  const byName = new Map(all.map((nv) => [nv.variable.name, nv]));
  const trainable = [...byName.values()].filter((nv) => nv.variable.trainable);
  if (trainable.length === 0) throw new Error(`trainStep: none of the ${all.length} variables is trainable (pass params, not state)`);
  let lossValue = NaN, gradNorm = NaN;
  tf.tidy(() => {
    let res: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      res = tf.variableGrads(o.loss, trainable.map((nv) => nv.variable));
    } catch (e) {
      const msg = (e as Error).message;
      if (/Cannot find a connection/.test(msg)) {
        throw new Error(`trainStep: the loss does not depend on any of the ${trainable.length} variables given (first: '${trainable[0].path}')`);
      }
      throw e;
    }
    if (res.value.rank !== 0) throw new Error(`trainStep: loss must be a scalar, got shape [${res.value.shape}]`);
    lossValue = res.value.dataSync()[0];
    let pairs: GradPair[] = [];
    for (const [name, g] of Object.entries(res.grads)) {
      const nv = byName.get(name);
      if (nv && g) pairs.push({ nv, grad: g });
    }
    if (!Number.isFinite(lossValue)) return; // the caller decides what a NaN means; no update
    if (o.clipNorm !== undefined) {
      const sq = pairs.map((p) => tf.sum(tf.square(p.grad)));
      gradNorm = Math.sqrt(tf.addN(sq).dataSync()[0]);
      const scale = Math.min(1, o.clipNorm / (gradNorm + 1e-6));
      if (scale < 1) pairs = pairs.map((p) => ({ nv: p.nv, grad: tf.mul(p.grad, scale) }));
    }
    if (o.transformGrads) pairs = o.transformGrads(pairs);
    o.groups.forEach((g, gi) => {
      const mine = pairs.filter((p) => groupOf.get(p.nv.variable.name) === gi);
      if (mine.length) g.optimizer.apply(mine, g.lr);
    });
  });
  return { loss: lossValue, gradNorm };
}

/**
 * A transformGrads that adds lambda * sign(p) to the gradients of the selected variables: the
 * sub-gradient of lambda * sum|p| (network slimming / neural rejuvenation sparsity on BN gammas).
 */
export function l1Penalty(lambda: number, select: (nv: NamedVar) => boolean): (grads: GradPair[]) => GradPair[] {
  return (grads) => grads.map((g) => (select(g.nv) ? { nv: g.nv, grad: tf.add(g.grad, tf.mul(tf.sign(g.nv.variable), lambda)) } : g));
}

/** Alias of trainStep. */
export const step = trainStep;
