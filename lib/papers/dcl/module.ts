// The Deep Collaborative Learning module (paper §3.1, §3.5), as a Layer of lib/nn/types.ts.
//
//   stage 1 (branch construction): y(t) = act(conv_u(X; θ(t)) + bθ(t))        [N,H2,W2,M(t)]
//          same kernel size u, stride and padding as the layer it replaces
//   stage 2 (concept fusion), per position p:
//          v(t) = relu(y(t) · W(t) + bW(t))                                    [N,H2,W2,K2]
//          z    = (prod_t v(t) + ε)^(1/n),  ε = 10^-n, n = number of fused branches
//
// ε sits INSIDE the root (spec §9.1): it bounds the root's gradient at 0 and gives the
// T-independent floor z >= ε^(1/n) = 0.1.
// Stochastic training (§3.5): each call in training mode (= one iteration / mini-batch) fuses a
// random subset of S = 2 of the T branches and does not compute the others, so the inactive
// branches receive no gradient at all (tf.variableGrads omits them; the optimiser leaves them
// bit-identical). Inference averages the fused z over all C(T,S) subsets (the expectation).
// Weight decay: lib/train's optimisers decay only parameters that received a gradient, so inactive
// branches are not decayed either — the paper's "only the active branches are trained". Do not add
// the decay as a loss penalty over all DCL weights (that would touch inactive branches, spec §4.1).
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer, NamedVar } from '../../nn/types';
import type { Rng } from '../../util/random';
import { initVariable } from '../../nn/init';

/** Kernel initialisation (not stated by the paper, spec §9.4): glorot-uniform (tfjs default, ~Caffe xavier) or He-normal. */
export type KernelInit = 'glorot' | 'he';

export type DclMode = 'deterministic' | 'stochastic';
/**
 * ε rule. 'per-fused' (default): ε = 10^-n with n the number of branches fused in this output
 * (10^-T deterministic, 10^-2 for a stochastic pair — our reading, spec §9.5).
 * 'per-branches': always 10^-T (the alternative reading). A number: a fixed ε.
 */
export type EpsilonRule = 'per-fused' | 'per-branches' | number;

export interface DclConfig {
  /** 'dense' replaces a fully-connected layer ([N,D] input); 'conv2d' a convolution (NHWC input). */
  kind: 'dense' | 'conv2d';
  /** D (flattened input size) for dense, K1 (input channels) for conv2d. */
  inputChannels: number;
  /** K2: outputs of the replaced layer. */
  units: number;
  /** T: number of branches (the paper uses 2 or 3). */
  branches: number;
  /** M(t): filters per branch, one number for all branches or an array of length T. */
  filtersPerBranch: number | number[];
  /** conv2d only: kernel u, stride and padding of the replaced layer. */
  kernelSize?: number;
  strides?: number;
  padding?: 'valid' | 'same';
  /** σ on y. The paper's §3.1 writes y linear, §3.2 uses ReLU; default 'relu' (spec §9.2). */
  branchActivation?: 'relu' | 'linear';
  /** σ on v: always 'relu' in the paper. 'linear' exists for the algebraic unit tests only. */
  fusionActivation?: 'relu' | 'linear';
  epsilon?: EpsilonRule;
  mode?: DclMode;
  /** S: branches fused per training iteration in stochastic mode (paper: 2). */
  activeBranches?: number;
  /** Biases in both stages (not mentioned by the paper; Caffe default). Default true. */
  useBias?: boolean;
  /** Initial value of the stage-2 biases (our choice; default 0, keep it <= 0.1, spec §9.4). */
  fusionBiasInit?: number;
  kernelInit?: KernelInit;
  name?: string;
}

export type ResolvedDclConfig = Required<Omit<DclConfig, 'filtersPerBranch'>> & { filtersPerBranch: number[] };

export interface DclDetail {
  /** Indices (0-based) of the branches that were computed, in order; y and v align with it. */
  active: number[];
  y: tf.Tensor[];
  v: tf.Tensor[];
  z: tf.Tensor;
}

export interface DclLayer extends Layer {
  config: ResolvedDclConfig;
  /** Forward pass that also returns the intermediates (Figure 5 analysis, tests). `active` forces
   *  a branch subset: all of them are fused (with ε by the rule for that many branches). */
  forwardDetailed(x: tf.Tensor, opts: { training: boolean; rng?: Rng; active?: number[] }): DclDetail;
  /** Variables of branch t (0-based): for active-only weight decay and update checks. */
  branchParams(t: number): NamedVar[];
  /** The subset fused in the most recent call (all branches outside stochastic training). */
  lastActive: number[] | null;
  /** A plain JSON config that `dcl(config, rng)` rebuilds the same architecture from. */
  getConfig(): DclConfig;
}

function isPosInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

export function resolveDclConfig(c: DclConfig): ResolvedDclConfig {
  if (c.kind !== 'dense' && c.kind !== 'conv2d') throw new Error(`DCL: unknown kind '${String(c.kind)}' (expected 'dense' or 'conv2d')`);
  if (!isPosInt(c.inputChannels)) throw new Error(`DCL: inputChannels must be a positive integer, got ${c.inputChannels}`);
  if (!isPosInt(c.units)) throw new Error(`DCL: units (K2) must be a positive integer, got ${c.units}`);
  if (!isPosInt(c.branches)) throw new Error(`DCL: branches (T) must be a positive integer, got ${c.branches}`);
  const T = c.branches;
  const Ms = Array.isArray(c.filtersPerBranch) ? c.filtersPerBranch.slice() : new Array(T).fill(c.filtersPerBranch);
  if (Ms.length !== T) throw new Error(`DCL: filtersPerBranch has ${Ms.length} entries but branches = ${T}`);
  Ms.forEach((m) => { if (!isPosInt(m)) throw new Error(`DCL: filtersPerBranch must be positive integers, got ${m}`); });
  const mode = c.mode ?? 'deterministic';
  if (mode !== 'deterministic' && mode !== 'stochastic') throw new Error(`DCL: unknown mode '${String(mode)}' (expected 'deterministic' or 'stochastic')`);
  const S = c.activeBranches ?? 2;
  if (!isPosInt(S)) throw new Error(`DCL: activeBranches must be a positive integer, got ${S}`);
  if (mode === 'stochastic' && S > T) throw new Error(`DCL: stochastic mode fuses activeBranches = ${S} of branches = ${T}; need activeBranches <= branches`);
  const kernelSize = c.kernelSize ?? 1;
  const strides = c.strides ?? 1;
  if (!isPosInt(kernelSize)) throw new Error(`DCL: kernelSize must be a positive integer, got ${kernelSize}`);
  if (!isPosInt(strides)) throw new Error(`DCL: strides must be a positive integer, got ${strides}`);
  const padding = c.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') throw new Error(`DCL: padding must be 'valid' or 'same', got '${String(padding)}'`);
  const branchActivation = c.branchActivation ?? 'relu';
  const fusionActivation = c.fusionActivation ?? 'relu';
  for (const [k, a] of [['branchActivation', branchActivation], ['fusionActivation', fusionActivation]] as const) {
    if (a !== 'relu' && a !== 'linear') throw new Error(`DCL: ${k} must be 'relu' or 'linear', got '${String(a)}'`);
  }
  const epsilon = c.epsilon ?? 'per-fused';
  if (!(epsilon === 'per-fused' || epsilon === 'per-branches' || (typeof epsilon === 'number' && epsilon >= 0 && Number.isFinite(epsilon)))) {
    throw new Error(`DCL: epsilon must be 'per-fused', 'per-branches' or a non-negative number, got ${String(epsilon)}`);
  }
  const kernelInit = c.kernelInit ?? 'glorot';
  if (kernelInit !== 'glorot' && kernelInit !== 'he') throw new Error(`DCL: unknown kernelInit '${String(kernelInit)}'`);
  return {
    kind: c.kind, inputChannels: c.inputChannels, units: c.units, branches: T, filtersPerBranch: Ms,
    kernelSize: c.kind === 'dense' ? 1 : kernelSize, strides: c.kind === 'dense' ? 1 : strides,
    padding: c.kind === 'dense' ? 'valid' : padding, branchActivation, fusionActivation, epsilon, mode,
    activeBranches: S, useBias: c.useBias ?? true, fusionBiasInit: c.fusionBiasInit ?? 0, kernelInit,
    name: c.name ?? 'dcl',
  };
}

/** All k-subsets of 0..n-1 in lexicographic order. */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, cur: number[]) => {
    if (cur.length === k) { out.push(cur.slice()); return; }
    for (let i = start; i < n; i++) { cur.push(i); rec(i + 1, cur); cur.pop(); }
  };
  rec(0, []);
  return out;
}

/** ε for n fused branches out of T under a rule. */
export function epsilonFor(rule: EpsilonRule, nFused: number, T: number): number {
  if (typeof rule === 'number') return rule;
  return Math.pow(10, -(rule === 'per-fused' ? nFused : T));
}

/** z = (prod v + ε)^(1/n): chained tf.mul (spec §9.20), sqrt for n = 2. */
export function fuse(vs: tf.Tensor[], eps: number): tf.Tensor {
  return tf.tidy(() => {
    if (vs.length === 0) throw new Error('DCL: fuse needs at least one branch');
    let p = vs[0];
    for (let i = 1; i < vs.length; i++) p = tf.mul(p, vs[i]);
    const base = tf.add(p, eps);
    const n = vs.length;
    return n === 1 ? base : n === 2 ? tf.sqrt(base) : tf.pow(base, 1 / n);
  });
}

/** Build a DCL module replacing a dense or conv layer. `rng` seeds the initialisation. */
export function dcl(config: DclConfig, rng: Rng): DclLayer {
  const cfg = resolveDclConfig(config);
  const { kind, inputChannels: K1, units: K2, branches: T, filtersPerBranch: Ms, kernelSize: u } = cfg;
  const params: NamedVar[] = [];
  const branchVars: NamedVar[][] = [];
  const theta: tf.Variable[] = [], thetaB: (tf.Variable | null)[] = [], W: tf.Variable[] = [], WB: (tf.Variable | null)[] = [];
  for (let t = 0; t < T; t++) {
    const M = Ms[t];
    const r = rng.fork(`branch${t}`);
    const shape = kind === 'dense' ? [K1, M] : [u, u, K1, M];
    const kind0 = cfg.kernelInit === 'glorot' ? 'glorotUniform' : 'heNormalFanIn';
    const th = initVariable(shape, kind0, r);
    const w = initVariable([M, K2], kind0, r);
    const mine: NamedVar[] = [{ path: `branch${t + 1}/theta/kernel`, variable: th, decay: true }];
    theta.push(th); W.push(w);
    let thb: tf.Variable | null = null, wb: tf.Variable | null = null;
    if (cfg.useBias) {
      thb = initVariable([M], 'zeros', r);
      mine.push({ path: `branch${t + 1}/theta/bias`, variable: thb, decay: false });
    }
    mine.push({ path: `branch${t + 1}/fuse/kernel`, variable: w, decay: true });
    if (cfg.useBias) {
      wb = initVariable([K2], { constant: cfg.fusionBiasInit }, r);
      mine.push({ path: `branch${t + 1}/fuse/bias`, variable: wb, decay: false });
    }
    thetaB.push(thb); WB.push(wb);
    branchVars.push(mine);
    params.push(...mine);
  }

  const checkInput = (x: tf.Tensor) => {
    if (kind === 'dense') {
      if (x.rank !== 2 || x.shape[1] !== K1) throw new Error(`DCL '${cfg.name}': dense input must be [N, ${K1}], got [${x.shape}]`);
    } else if (x.rank !== 4 || x.shape[3] !== K1) {
      throw new Error(`DCL '${cfg.name}': conv2d input must be [N, H, W, ${K1}] (NHWC), got [${x.shape}]`);
    }
  };

  const branchY = (t: number, x: tf.Tensor): tf.Tensor => {
    let y = kind === 'dense'
      ? tf.matMul(x as tf.Tensor2D, theta[t] as tf.Tensor as tf.Tensor2D)
      : tf.conv2d(x as tf.Tensor4D, theta[t] as tf.Tensor as tf.Tensor4D, cfg.strides, cfg.padding);
    if (thetaB[t]) y = tf.add(y, thetaB[t]!);
    return cfg.branchActivation === 'relu' ? tf.relu(y) : y;
  };
  const branchV = (t: number, y: tf.Tensor): tf.Tensor => {
    const M = Ms[t];
    const flat = y.rank === 2 ? y : y.reshape([-1, M]);
    let v: tf.Tensor = tf.matMul(flat as tf.Tensor2D, W[t] as tf.Tensor as tf.Tensor2D);
    if (WB[t]) v = tf.add(v, WB[t]!);
    if (cfg.fusionActivation === 'relu') v = tf.relu(v);
    return y.rank === 2 ? v : v.reshape([...y.shape.slice(0, 3), K2]);
  };

  const allBranches = Array.from({ length: T }, (_, i) => i);
  const pickSubset = (rngCall: Rng | undefined): number[] => {
    if (!rngCall) throw new Error(`DCL '${cfg.name}': stochastic mode in training needs ctx.rng (a seeded Rng) to choose the active branches`);
    const all = subsets(T, cfg.activeBranches);
    return all[rngCall.int(all.length)];
  };

  const layer: DclLayer = {
    name: cfg.name,
    params,
    state: [],
    children: [],
    config: cfg,
    lastActive: null,
    branchParams: (t) => {
      if (!(t >= 0 && t < T)) throw new Error(`DCL: branch index ${t} out of range 0..${T - 1}`);
      return branchVars[t];
    },
    getConfig: () => ({ ...cfg, filtersPerBranch: cfg.filtersPerBranch.slice() }),
    forwardDetailed(x, opts) {
      checkInput(x);
      let active: number[];
      let forced = false;
      if (opts.active) {
        active = opts.active.slice();
        if (active.length === 0 || active.some((a) => !(Number.isInteger(a) && a >= 0 && a < T)) || new Set(active).size !== active.length) {
          throw new Error(`DCL '${cfg.name}': active must be distinct branch indices in 0..${T - 1}, got [${opts.active}]`);
        }
        forced = true;
      } else if (cfg.mode === 'stochastic' && opts.training) {
        active = pickSubset(opts.rng);
      } else {
        active = allBranches;
      }
      layer.lastActive = active;
      const y = active.map((t) => branchY(t, x));
      const v = active.map((t, i) => branchV(t, y[i]));
      let z: tf.Tensor;
      if (cfg.mode === 'stochastic' && !opts.training && !forced && cfg.activeBranches < T) {
        // Expectation over the random choice: mean of the fused z over all C(T,S) subsets.
        const subs = subsets(T, cfg.activeBranches);
        const eps = epsilonFor(cfg.epsilon, cfg.activeBranches, T);
        z = tf.tidy(() => {
          let acc: tf.Tensor | null = null;
          for (const s of subs) {
            const zi = fuse(s.map((t) => v[t]), eps);
            acc = acc ? tf.add(acc, zi) : zi;
          }
          return tf.div(acc!, subs.length);
        });
      } else {
        z = fuse(v, epsilonFor(cfg.epsilon, active.length, T));
      }
      return { active, y, v, z };
    },
    apply(x: tf.Tensor, ctx: Ctx) {
      return tf.tidy(() => layer.forwardDetailed(x, { training: ctx.training, rng: ctx.rng }).z);
    },
  };
  return layer;
}

/** DCL replacing a fully-connected layer: [N, D] -> [N, K2]. */
export function dclDense(c: Omit<DclConfig, 'kind' | 'kernelSize' | 'strides' | 'padding'>, rng: Rng): DclLayer {
  return dcl({ ...c, kind: 'dense' }, rng);
}

/** DCL replacing a convolution: [N, H1, W1, K1] -> [N, H2, W2, K2] with the conv's geometry. */
export function dclConv2d(c: Omit<DclConfig, 'kind'>, rng: Rng): DclLayer {
  return dcl({ ...c, kind: 'conv2d' }, rng);
}

/** Copy weights between two DCL layers built from the same config (by parameter path). */
export function copyDclWeights(from: DclLayer, to: DclLayer): void {
  const src = new Map(from.params.map((p) => [p.path, p.variable]));
  for (const p of to.params) {
    const s = src.get(p.path);
    if (!s) throw new Error(`copyDclWeights: source has no parameter '${p.path}'`);
    if (s.shape.join(',') !== p.variable.shape.join(',')) throw new Error(`copyDclWeights: shape mismatch at '${p.path}': [${s.shape}] vs [${p.variable.shape}]`);
    p.variable.assign(s);
  }
}
