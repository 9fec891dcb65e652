// A backbone (list of units) + the 3-FC dropout classifier + the training-only auxiliary modules of
// the four intra-model collaborations (spec 2.1-2.5, 3.3-3.5, 3.7). One forward computes every
// enabled loss with the gradient scopes of the spec's table (2.5):
//   L_out      full back-propagation (replaces the plain CE as the main loss);
//   L_mid^(i)  and L_pp^(i) reach only unit i (recomputed on a stop-gradient input) + a_i / g_i;
//   L_kernel   is a function of one conv kernel only.
// inference() drops every auxiliary module: the deployed network equals the baseline.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer } from '../../nn/types';
import { conv2d, dense, withFrozenBatchStats, type DenseLayer } from '../../nn/layers';
import { collectParams, countParams } from '../../nn/tree';
import { applyTail, buildUnits, featureDim, type ArchSpec, type Unit } from './arch';
import {
  featureRep, hardCE, kernelDecorrLoss, linearSchedule, midLoss, outLoss, pullPushLoss, similarityMatrix, stopGradient,
  type MidOptions, type PpNorm, type SoftTargetOptions,
} from './losses';

export interface OutConfig extends SoftTargetOptions { K?: number }
export interface MidConfig extends MidOptions { units?: number[] }
export interface PullPushConfig {
  /** alpha_pull rises linearly from pull[0] (first hooked unit) to pull[1] (last); spec default [0.01, 0.05]. */
  pull?: [number, number];
  /** alpha_push falls linearly from push[0] to push[1]; spec default [0.01, 0]. */
  push?: [number, number];
  norm?: PpNorm;
  center?: 'sample' | 'batch';
  units?: number[];
}
export interface KernelConfig { lambda?: number; groups?: number[]; std?: 'population' | 'unbiased' }

/** Which collaborations are on (true = the paper's single-use settings). */
export interface CollabConfig {
  out?: boolean | OutConfig;
  mid?: boolean | MidConfig;
  pullPush?: boolean | PullPushConfig;
  kernel?: boolean | KernelConfig;
  /** false: local losses back-propagate fully (deep supervision ablation). Default true. */
  localBackprop?: boolean;
  /** Classifier dropout rate (paper 0.5). */
  dropRate?: number;
}

export interface ResolvedCollab {
  out: Required<Pick<OutConfig, 'K' | 'alpha' | 'T' | 'stopGradTarget'>> | null;
  mid: (MidOptions & { units: number[] }) | null;
  pullPush: { pull: [number, number]; push: [number, number]; norm: PpNorm; center: 'sample' | 'batch'; units: number[] } | null;
  kernel: { lambda: number; groups: number[]; std: 'population' | 'unbiased' } | null;
  localBackprop: boolean;
  dropRate: number;
}

const KNOWN = new Set(['out', 'mid', 'pullPush', 'kernel', 'localBackprop', 'dropRate']);

function checkUnits(what: string, units: number[], n: number): number[] {
  for (const u of units) if (!Number.isInteger(u) || u < 0 || u >= n) throw new Error(`intra-collab: ${what} unit index ${u} is outside [0, ${n})`);
  return [...new Set(units)].sort((a, b) => a - b);
}

/** Fill in the paper's / spec's defaults and validate. */
export function resolveCollab(spec: ArchSpec, c: CollabConfig = {}): ResolvedCollab {
  for (const k of Object.keys(c)) if (!KNOWN.has(k)) throw new Error(`intra-collab: unknown option '${k}' (${[...KNOWN].join(', ')})`);
  const n = spec.units.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const obj = <T>(v: boolean | T | undefined): T | null => (v === undefined || v === false ? null : v === true ? ({} as T) : v);
  const o = obj<OutConfig>(c.out), m = obj<MidConfig>(c.mid), p = obj<PullPushConfig>(c.pullPush), k = obj<KernelConfig>(c.kernel);
  const dropRate = c.dropRate ?? 0.5;
  if (!(dropRate >= 0 && dropRate < 1)) throw new Error(`intra-collab: dropRate must be in [0, 1), got ${dropRate}`);
  let out: ResolvedCollab['out'] = null;
  if (o) {
    const K = o.K ?? 2;
    // two dropout layers in the classifier: K^2 predictions
    if (!Number.isInteger(K) || K * K < 2) throw new Error(`intra-collab: out needs K^n >= 2 predictions (K = ${K}, n = 2)`);
    out = { K, alpha: o.alpha ?? 0.5, T: o.T ?? 2, stopGradTarget: o.stopGradTarget ?? true };
  }
  const kernelGroups = k?.groups ?? spec.kernelGroups;
  if (k && !spec.units.some((u) => kernelGroups.includes(u.group))) throw new Error(`intra-collab: kernel groups [${kernelGroups}] select no unit of ${spec.name}`);
  return {
    out,
    mid: m ? { ...m, units: checkUnits('mid', m.units ?? all, n) } : null,
    pullPush: p ? { pull: p.pull ?? [0.01, 0.05], push: p.push ?? [0.01, 0], norm: p.norm ?? 'fro', center: p.center ?? 'sample', units: checkUnits('pullPush', p.units ?? all, n) } : null,
    kernel: k ? { lambda: k.lambda ?? 1, groups: kernelGroups, std: k.std ?? 'population' } : null,
    localBackprop: c.localBackprop ?? true,
    dropRate,
  };
}

export interface IntraNet {
  spec: ArchSpec;
  collab: ResolvedCollab;
  units: Unit[];
  fc: [DenseLayer, DenseLayer, DenseLayer];
  /** a_i per unit (null where L_mid is off). */
  locals: (Layer | null)[];
  /** g_i per unit (null where pull-push is off). */
  projections: (Layer | null)[];
  /** The whole training-time tree (for collectParams / checkpoints / disposal). */
  root: Layer;
}

/** Local classifier a_i (spec 3.4): maxPool to <= 4x4 -> conv3x3 (C_i -> min(C_i, 128)) + ReLU -> FC. */
function localClassifier(name: string, c: number, size: number, m: number, rng: Rng): Layer {
  const k = Math.max(1, Math.ceil(size / 4));
  const s = Math.floor(size / k);
  const caux = Math.min(c, 128);
  const conv = conv2d({ name: 'conv', inChannels: c, filters: caux, kernelSize: 3, bias: true }, rng);
  const fc = dense({ name: 'fc', inFeatures: s * s * caux, units: m }, rng);
  return {
    name, params: [], state: [], children: [conv, fc],
    apply: (x, ctx) => tf.tidy(() => {
      const p = k > 1 ? tf.maxPool(x as tf.Tensor4D, k, k, 'valid') : x;
      const h = tf.relu(conv.apply(p, ctx));
      return fc.apply(tf.reshape(h, [h.shape[0], -1]), ctx);
    }),
  };
}

function group(name: string, children: Layer[]): Layer {
  return { name, params: [], state: [], children, apply: () => { throw new Error(`${name} is a container`); } };
}

/** Build the model. The backbone and classifier draw from their own rng forks, so the baseline and every collaboration start from identical weights. */
export function buildIntraNet(spec: ArchSpec, collab: CollabConfig, rng: Rng): IntraNet {
  const r = resolveCollab(spec, collab);
  const units = buildUnits(spec, rng.fork('body'));
  const d = featureDim(spec), h = spec.hidden, m = spec.numClasses;
  const rc = rng.fork('classifier');
  const fc: IntraNet['fc'] = [
    dense({ name: 'fc1', inFeatures: d, units: h }, rc), dense({ name: 'fc2', inFeatures: h, units: h }, rc), dense({ name: 'fc3', inFeatures: h, units: m }, rc),
  ];
  const ra = rng.fork('aux');
  const locals = units.map((u, i) => (r.mid?.units.includes(i) ? localClassifier(`local${i + 1}`, u.channels, u.size, m, ra.fork(`local${i}`)) : null));
  const projections = units.map((u, i) => (r.pullPush?.units.includes(i)
    ? conv2d({ name: `proj${i + 1}`, inChannels: u.channels, filters: u.channels, kernelSize: 3, bias: false }, ra.fork(`proj${i}`)) : null));
  const aux = [...locals, ...projections].filter((l): l is Layer => l !== null);
  const root = group(spec.name, [group('body', units.map((u) => u.layer)), group('classifier', fc), group('aux', aux)]);
  return { spec, collab: r, units, fc, locals, projections, root };
}

function dropoutMask(x: tf.Tensor, rate: number, ctx: Ctx): tf.Tensor {
  if (!ctx.training || rate === 0) return x;
  if (!ctx.rng) throw new Error('intra-collab: training needs ctx.rng (dropout masks)');
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', ctx.rng.seed()), rate), 'float32');
  return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
}

/**
 * The classifier as a hierarchical-dropout tree (spec 2.1): at each of its two dropout layers the
 * incoming batch is tiled K times and each copy gets its own mask. Returns [K^2, B, m] in training,
 * [1, B, m] in eval (no dropout). K = 1 is the ordinary dropout classifier.
 */
export function classifierBranches(fc: IntraNet['fc'], f: tf.Tensor, ctx: Ctx, o: { K: number; rate: number }): tf.Tensor3D {
  return tf.tidy(() => {
    const B = f.shape[0];
    const K = ctx.training ? o.K : 1;
    let a = f;
    for (const layer of [fc[0], fc[1]]) {
      if (K > 1) a = tf.tile(a, [K, 1]);
      a = tf.relu(layer.apply(dropoutMask(a, o.rate, ctx), ctx));
    }
    const z = fc[2].apply(a, ctx);
    return tf.reshape(z, [z.shape[0] / B, B, z.shape[1] as number]) as tf.Tensor3D;
  });
}

export interface CollabLoss {
  loss: tf.Scalar;
  /** Components (already weighted): main, mid, pull-push, kernel (0 when off). */
  parts: { main: tf.Scalar; mid: tf.Scalar; pp: tf.Scalar; kernel: tf.Scalar };
  /** Mean of the branch logits [B, m] (training mode). */
  logits: tf.Tensor2D;
}

/** Pass `only` to compute a subset of the loss terms (gradient-norm diagnostics, tests). */
export type LossTerm = 'main' | 'mid' | 'pp' | 'kernel';

/**
 * The total training loss (spec 2.5) for one batch: x [B,H,W,C], y int32 labels [B] (the noisy
 * labels in the noise experiment). Call inside a gradient tape (trainStep / tf.variableGrads).
 */
export function collabLoss(net: IntraNet, x: tf.Tensor, y: tf.Tensor, ctx: Ctx, only?: LossTerm[]): CollabLoss {
  const r = net.collab, m = net.spec.numClasses;
  const want = (t: LossTerm) => !only || only.includes(t);
  return tf.tidy(() => {
    const yh = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, m).toFloat() as tf.Tensor2D;
    let h = x;
    const hloc: (tf.Tensor | null)[] = [];
    net.units.forEach((u, i) => {
      const hin = h;
      h = u.layer.apply(hin, ctx);
      const hooked = (net.locals[i] && want('mid')) || (net.projections[i] && want('pp'));
      if (!hooked) { hloc.push(null); return; }
      // local back-propagation (spec 2.0): recompute the unit on a detached input; its BN uses the
      // batch statistics but must not update the running ones a second time.
      hloc.push(r.localBackprop && ctx.training ? withFrozenBatchStats(() => u.layer.apply(stopGradient(hin), ctx)) : h);
    });
    const f = applyTail(net.spec, h);
    const branches = classifierBranches(net.fc, f, ctx, { K: r.out ? r.out.K : 1, rate: r.dropRate });
    const logits = tf.mean(branches, 0) as tf.Tensor2D;
    const zero = tf.scalar(0);
    let main: tf.Scalar = zero;
    if (want('main')) main = r.out ? outLoss(branches, yh, r.out) : hardCE(yh, tf.squeeze(branches, [0]), 1);
    let mid: tf.Scalar = zero;
    if (r.mid && want('mid')) {
      const idx = r.mid.units;
      const zs = idx.map((i) => (net.locals[i] as Layer).apply(hloc[i] as tf.Tensor, ctx));
      mid = tf.addN(midLoss(zs, logits, yh, r.mid)) as tf.Scalar;
    }
    let pp: tf.Scalar = zero;
    if (r.pullPush && want('pp')) {
      const p = r.pullPush, idx = p.units;
      const Sy = similarityMatrix(yh, { center: p.center });
      const Sx = similarityMatrix(featureRep(x), { center: p.center });
      const aPull = linearSchedule(idx.length, p.pull[0], p.pull[1]);
      const aPush = linearSchedule(idx.length, p.push[0], p.push[1]);
      pp = tf.addN(idx.map((i, k) => {
        const P = similarityMatrix(featureRep((net.projections[i] as Layer).apply(hloc[i] as tf.Tensor, ctx)), { center: p.center });
        return pullPushLoss(P, Sy, Sx, aPull[k], aPush[k], p.norm);
      })) as tf.Scalar;
    }
    let kernel: tf.Scalar = zero;
    if (r.kernel && want('kernel')) {
      const ks = kernelVariables(net);
      kernel = tf.mul(tf.addN(ks.map((w) => kernelDecorrLoss(w, { std: r.kernel!.std }))), r.kernel.lambda) as tf.Scalar;
    }
    const loss = tf.addN([main, mid, pp, kernel]) as tf.Scalar;
    return { loss, parts: { main, mid, pp, kernel }, logits };
  });
}

/** The conv kernels L_kernel acts on (the selected groups; shortcut 1x1 convs excluded). */
export function kernelVariables(net: IntraNet, groups?: number[]): tf.Variable[] {
  const g = groups ?? net.collab.kernel?.groups ?? net.spec.kernelGroups;
  return net.units.filter((u) => g.includes(u.group)).flatMap((u) => u.kernels);
}

/** Eval-mode logits [B, m] of the deployed network (no dropout, no auxiliary module). */
export function predict(net: IntraNet, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const ctx: Ctx = { training: false };
    let h = x;
    for (const u of net.units) h = u.layer.apply(h, ctx);
    return tf.squeeze(classifierBranches(net.fc, applyTail(net.spec, h), ctx, { K: 1, rate: 0 }), [0]) as tf.Tensor2D;
  });
}

/** Eval-mode outputs of every unit (probe plots). */
export function unitOutputs(net: IntraNet, x: tf.Tensor): tf.Tensor[] {
  const ctx: Ctx = { training: false };
  const out: tf.Tensor[] = [];
  let h = x;
  for (const u of net.units) { h = tf.tidy(() => u.layer.apply(h, ctx)); out.push(h); }
  return out;
}

/** Eval-mode local-classifier logits per hooked unit (null where none). */
export function localLogits(net: IntraNet, x: tf.Tensor): (tf.Tensor2D | null)[] {
  const hs = unitOutputs(net, x);
  const out = hs.map((h, i) => (net.locals[i] ? tf.tidy(() => (net.locals[i] as Layer).apply(h, { training: false }) as tf.Tensor2D) : null));
  hs.forEach((h) => h.dispose());
  return out;
}

/**
 * The deployed network (spec 3.7): backbone + classifier only, sharing the trained variables.
 * Its parameter count equals the baseline's whatever collaborations were used in training.
 */
export function inference(net: IntraNet): Layer {
  const body = group('body', net.units.map((u) => u.layer));
  const cls = group('classifier', net.fc);
  return { name: net.spec.name, params: [], state: [], children: [body, cls], apply: (x) => predict(net, x) };
}

/** Parameters used only in training (a_i, g_i). */
export function auxParamCount(net: IntraNet): number {
  return countParams(collectParams(net.root)) - countParams(inference(net));
}
