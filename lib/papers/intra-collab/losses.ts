// The losses of intra-model collaborative learning (Fang & Lin 2021) and of its baseline,
// collaborative learning with several heads (Song & Chai 2018). Pure tensor functions; every
// value is checked against float64 numbers in test/intra-losses.test.ts (spec section 8).
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../../backend/conv';

export { stopGradient };

/** softmax(z / T) over the last axis (psi(z; T) in the paper). */
export function softmaxT(z: tf.Tensor, T: number): tf.Tensor {
  if (!(T > 0)) throw new Error(`softmaxT: temperature must be > 0, got ${T}`);
  return tf.tidy(() => tf.softmax(tf.div(z, T)));
}

function checkPair(fn: string, p: tf.Tensor, z: tf.Tensor): void {
  if (p.rank !== 2 || z.rank !== 2 || p.shape[0] !== z.shape[0] || p.shape[1] !== z.shape[1]) {
    throw new Error(`${fn}: targets [${p.shape}] and logits [${z.shape}] must both be [B, m] of the same shape`);
  }
}

/** Cross-entropy of a target distribution p against logits z at temperature T, mean over the batch. */
export function softCE(p: tf.Tensor, z: tf.Tensor, T = 1): tf.Scalar {
  checkPair('softCE', p, z);
  if (!(T > 0)) throw new Error(`softCE: temperature must be > 0, got ${T}`);
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(p, tf.logSoftmax(tf.div(z, T))), 1))) as tf.Scalar);
}

/** J_hard of eq. 1 (T = 1) or eq. 5 (T = 2): cross-entropy of one-hot labels y [B, m]. */
export function hardCE(yOneHot: tf.Tensor, z: tf.Tensor, T = 1): tf.Scalar {
  checkPair('hardCE', yOneHot, z);
  return softCE(yOneHot, z, T);
}

/** Song and Chai's I(x): identity forward, gradient multiplied by s backward (1/b at a split into b). */
export function gradScale<T extends tf.Tensor>(x: T, s: number): T {
  const f = tf.customGrad((xi) => ({
    value: (xi as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, s),
  }));
  return f(x) as T;
}

export interface SoftTargetOptions {
  /** Weight of the hard term; the soft term gets 1 - alpha. Default 0.5. */
  alpha?: number;
  /** Temperature of the soft term (both target and student). Default 2. */
  T?: number;
  /** Treat the consensus targets q as constants (default true; see spec 1.2). */
  stopGradTarget?: boolean;
  /** Multiply the soft term by T^2 (Hinton's convention). Not in either paper; default false. */
  tSquared?: boolean;
}

/**
 * Per-member losses alpha * J_hard(y, z_i) + (1 - alpha) * J_soft(q_i, z_i) where q_i is the
 * softmax_T of the mean of the OTHER members' logits. zs: [H, B, m]. Returns the [H] loss vector.
 */
function consensusLosses(zs: tf.Tensor3D, y: tf.Tensor, o: SoftTargetOptions, fn: string): tf.Tensor1D {
  const alpha = o.alpha ?? 0.5, T = o.T ?? 2;
  const [H, B, m] = zs.shape;
  if (H < 2) throw new Error(`${fn}: needs at least 2 predictions to form soft targets, got ${H}`);
  if (y.rank !== 2 || y.shape[0] !== B || y.shape[1] !== m) throw new Error(`${fn}: labels must be one-hot [${B}, ${m}], got [${y.shape}]`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`${fn}: alpha must be in [0, 1], got ${alpha}`);
  return tf.tidy(() => {
    const total = tf.sum(zs, 0, true);
    let qLogits = tf.div(tf.sub(total, zs), H - 1);
    if (o.stopGradTarget ?? true) qLogits = stopGradient(qLogits);
    const q = tf.softmax(tf.div(qLogits, T));
    const hard = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(zs)), 2), 1));
    let soft = tf.neg(tf.mean(tf.sum(tf.mul(q, tf.logSoftmax(tf.div(zs, T))), 2), 1));
    if (o.tSquared) soft = tf.mul(soft, T * T);
    return tf.add(tf.mul(hard, alpha), tf.mul(soft, 1 - alpha)) as tf.Tensor1D;
  });
}

/**
 * Song and Chai's objective (eqs. 1-3) over H heads. reduce 'sum' (default) is their original
 * form, used together with gradScale(1/b) at the split points; 'mean' is eq. 3 of Fang & Lin.
 */
export function songChaiLoss(heads: tf.Tensor[], y: tf.Tensor, o: SoftTargetOptions & { reduce?: 'sum' | 'mean' } = {}): tf.Scalar {
  const reduce = o.reduce ?? 'sum';
  if (reduce !== 'sum' && reduce !== 'mean') throw new Error(`songChaiLoss: unknown reduce '${reduce}' (use 'sum' or 'mean')`);
  return tf.tidy(() => {
    const per = consensusLosses(tf.stack(heads) as tf.Tensor3D, y, o, 'songChaiLoss');
    return (reduce === 'sum' ? tf.sum(per) : tf.mean(per)) as tf.Scalar;
  });
}

/** Per-head losses of Song and Chai (for logging). */
export function songChaiHeadLosses(heads: tf.Tensor[], y: tf.Tensor, o: SoftTargetOptions = {}): tf.Tensor1D {
  return tf.tidy(() => consensusLosses(tf.stack(heads) as tf.Tensor3D, y, o, 'songChaiHeadLosses'));
}

/** L_out (eq. 4): the K^n hierarchical-dropout predictions [K^n, B, m]; 1/K^n over the whole bracket. */
export function outLoss(branches: tf.Tensor, y: tf.Tensor, o: SoftTargetOptions = {}): tf.Scalar {
  if (branches.rank !== 3) throw new Error(`outLoss: branches must be [K^n, B, m], got [${branches.shape}]`);
  return tf.tidy(() => tf.mean(consensusLosses(branches as tf.Tensor3D, y, o, 'outLoss')) as tf.Scalar);
}

export interface MidOptions {
  alpha?: number;   // weight of J_hard_mid, paper 0.05
  beta?: number;    // weight of J_soft_mid, paper 0.05
  T?: number;       // paper 2
  /** Temperature inside J_hard_mid; eq. 5 literally uses T (default 2). */
  tHard?: number;
  /** 'higher' (default): q_i from the mean of layers j > i; 'literal': eq. 6 as printed. */
  targetMode?: 'higher' | 'literal';
}

/**
 * L_mid^(i) (eqs. 5-7) for local logits z_1..z_L (shallow to deep) and the final logits z_N.
 * All targets are stop-gradient: each L_mid^(i) may only reach its own layer and classifier.
 */
export function midLoss(local: tf.Tensor[], finalLogits: tf.Tensor, y: tf.Tensor, o: MidOptions = {}): tf.Scalar[] {
  const alpha = o.alpha ?? 0.05, beta = o.beta ?? 0.05, T = o.T ?? 2, tHard = o.tHard ?? T;
  const mode = o.targetMode ?? 'higher';
  if (mode !== 'higher' && mode !== 'literal') throw new Error(`midLoss: unknown targetMode '${mode}' (use 'higher' or 'literal')`);
  if (local.length === 0) throw new Error('midLoss: no local logits given');
  return midTargets(local, finalLogits, T, mode).map((q, i) => tf.tidy(() => {
    const l = tf.add(tf.mul(hardCE(y, local[i], tHard), alpha), tf.mul(softCE(q, local[i], T), beta)) as tf.Scalar;
    q.dispose();
    return l;
  }));
}

/** The soft targets q^(i) of eq. 6 (constants). Exported for the tests and plots. */
export function midTargets(local: tf.Tensor[], finalLogits: tf.Tensor, T: number, mode: 'higher' | 'literal'): tf.Tensor[] {
  return tf.tidy(() => {
    const zs = [...local, finalLogits].map((z) => stopGradient(z));
    const N = zs.length; // paper's N: the final logits are z^(N)
    return local.map((_, i0) => {
      const i = i0 + 1;
      if (mode === 'higher') return softmaxT(tf.div(tf.addN(zs.slice(i)), N - i), T);
      // eq. 6 as printed: sum_{j=i}^{N} z^(j) / (N - i)
      return softmaxT(tf.div(tf.addN(zs.slice(i0)), N - i), T);
    });
  });
}

export interface RepOptions { rule?: 'auto' | 'std' | 'flatten'; eps?: number }

/**
 * rep(d) of spec 2.3: per-channel spatial std for 4-D maps with C > 3 (Nøkland & Eidnes), a flatten
 * for images with C <= 3 or 1x1 maps, identity for 2-D inputs. eps inside the sqrt keeps dead
 * (constant) channels differentiable.
 */
export function featureRep(d: tf.Tensor, o: RepOptions = {}): tf.Tensor2D {
  const rule = o.rule ?? 'auto', eps = o.eps ?? 1e-8;
  if (d.rank === 2) return d.clone() as tf.Tensor2D;
  if (d.rank !== 4) throw new Error(`featureRep: expected [n, H, W, C] or [n, F], got [${d.shape}]`);
  const [n, h, w, c] = d.shape;
  const useStd = rule === 'std' || (rule === 'auto' && c > 3 && h * w > 1);
  if (rule !== 'auto' && rule !== 'std' && rule !== 'flatten') throw new Error(`featureRep: unknown rule '${rule}'`);
  return tf.tidy(() => {
    if (!useStd) return tf.reshape(d, [n, h * w * c]) as tf.Tensor2D;
    const mean = tf.mean(d, [1, 2], true);
    const v = tf.mean(tf.square(tf.sub(d, mean)), [1, 2]);
    return tf.sqrt(tf.add(v, eps)) as tf.Tensor2D;
  });
}

export interface SimilarityOptions { center?: 'sample' | 'batch'; eps?: number; clamp?: boolean }

/** S(d) of eq. 8: cosine similarity of mean-centred rows; [n, F] -> [n, n]. */
export function similarityMatrix(z: tf.Tensor, o: SimilarityOptions = {}): tf.Tensor2D {
  if (z.rank !== 2) throw new Error(`similarityMatrix: expected [n, F], got [${z.shape}] (apply featureRep first)`);
  const center = o.center ?? 'sample', eps = o.eps ?? 1e-8;
  if (center !== 'sample' && center !== 'batch') throw new Error(`similarityMatrix: unknown center '${center}' (use 'sample' or 'batch')`);
  return tf.tidy(() => {
    const zc = tf.sub(z, tf.mean(z, center === 'sample' ? 1 : 0, true));
    // tiny term inside the sqrt: the gradient of ||0|| would be NaN
    const norm = tf.add(tf.sqrt(tf.add(tf.sum(tf.square(zc), 1, true), 1e-20)), eps);
    const zn = tf.div(zc, norm) as tf.Tensor2D;
    const s = tf.matMul(zn, zn, false, true);
    return (o.clamp ? tf.clipByValue(s, -1, 1) : s) as tf.Tensor2D;
  });
}

/** Frobenius norm with eps inside the sqrt (finite gradient at 0). */
export function frobenius(a: tf.Tensor, eps = 1e-12): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.add(tf.sum(tf.square(a)), eps)) as tf.Scalar);
}

export type PpNorm = 'fro' | 'fro2' | 'mse';

function matDist(a: tf.Tensor, norm: PpNorm): tf.Scalar {
  return tf.tidy(() => {
    if (norm === 'fro') return frobenius(a);
    if (norm === 'fro2') return tf.sum(tf.square(a)) as tf.Scalar;
    if (norm === 'mse') return tf.mean(tf.square(a)) as tf.Scalar;
    throw new Error(`pullPushLoss: unknown norm '${String(norm)}' (use 'fro', 'fro2' or 'mse')`);
  });
}

/** L_pp^(i) (eq. 9): aPull * ||P - S(y)|| - aPush * ||P - S(x)||, S(x) and S(y) constants. */
export function pullPushLoss(P: tf.Tensor, Sy: tf.Tensor, Sx: tf.Tensor, aPull: number, aPush: number, norm: PpNorm = 'fro'): tf.Scalar {
  if (!tf.util.arraysEqual(P.shape, Sy.shape) || !tf.util.arraysEqual(P.shape, Sx.shape) || P.rank !== 2) {
    throw new Error(`pullPushLoss: P [${P.shape}], S(y) [${Sy.shape}] and S(x) [${Sx.shape}] must all be [n, n]`);
  }
  return tf.tidy(() => {
    const pull = matDist(tf.sub(P, stopGradient(Sy)), norm);
    const push = matDist(tf.sub(P, stopGradient(Sx)), norm);
    return tf.sub(tf.mul(pull, aPull), tf.mul(push, aPush)) as tf.Scalar;
  });
}

/** Kernel [kh, kw, C, F] (tfjs) -> filter rows [F, kh*kw*C]; rank-2 input is taken as rows already. */
export function filterRows(W: tf.Tensor): tf.Tensor2D {
  if (W.rank === 2) return W.clone() as tf.Tensor2D;
  if (W.rank !== 4) throw new Error(`filterRows: expected a conv kernel [kh, kw, C, F] or rows [F, G], got [${W.shape}]`);
  const [kh, kw, c, f] = W.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(W, [3, 0, 1, 2]), [f, kh * kw * c]) as tf.Tensor2D);
}

/** The F x F Pearson correlation matrix C of the filters (eq. 10). */
export function filterCorrelation(W: tf.Tensor, o: { std?: 'population' | 'unbiased'; eps?: number } = {}): tf.Tensor2D {
  const std = o.std ?? 'population', eps = o.eps ?? 1e-8;
  if (std !== 'population' && std !== 'unbiased') throw new Error(`filterCorrelation: unknown std '${std}'`);
  return tf.tidy(() => {
    const rows = filterRows(W);
    const G = rows.shape[1];
    if (G < 2) throw new Error(`filterCorrelation: filters need at least 2 weights, got ${G}`);
    const c = tf.sub(rows, tf.mean(rows, 1, true));
    const ss = tf.sum(tf.square(c), 1, true);
    const sd = tf.sqrt(tf.add(tf.div(ss, std === 'population' ? G : G - 1), 1e-20));
    const wn = tf.div(c, tf.add(sd, eps)) as tf.Tensor2D;
    return tf.div(tf.matMul(wn, wn, false, true), G) as tf.Tensor2D;
  });
}

/** L_kernel (eq. 10): ||C - diag(C)||_F of the filter correlation matrix. */
export function kernelDecorrLoss(W: tf.Tensor, o: { std?: 'population' | 'unbiased'; eps?: number } = {}): tf.Scalar {
  return tf.tidy(() => {
    const C = filterCorrelation(W, o);
    const f = C.shape[0];
    const off = tf.mul(C, tf.sub(1, tf.eye(f)));
    return frobenius(off);
  });
}

/** Linear weights over L hooked layers: lo at the first, hi at the last (t_i = (i-1)/(L-1)). */
export function linearSchedule(L: number, lo: number, hi: number): number[] {
  if (!Number.isInteger(L) || L < 1) throw new Error(`linearSchedule: L must be a positive integer, got ${L}`);
  return Array.from({ length: L }, (_, i) => (L === 1 ? lo : lo + (hi - lo) * (i / (L - 1))));
}
