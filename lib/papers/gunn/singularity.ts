// Overlap singularities (thesis §4.4): the linear toy of Eqs. 4.7-4.9 and the collapsed-pair
// constructions of spec 2.5, plus a linear partition unit for closed-form tests of the GUNN layer.
//
//   plain     (4.7)  h_i = sum_j W_ij x_j
//   residual  (4.8)  h_i = x_i + sum_j W_ij x_j
//   gunn      (4.9)  h_i = x_i + sum_{j<i} W_ij h_j + sum_{j>=i} W_ij x_j      (|c_i| = 1)
//
// A pair (p, q) has collapsed when h_p = h_q for every input. Plain and residual collapsed pairs get
// identical gradients and stay collapsed forever; in GUNN, h_q depends on h_p through W_qp, the
// symmetry is broken and the first gradient step separates them.
import * as tf from '@tensorflow/tfjs';
import type { Ctx } from '../../nn/types';
import type { Rng } from '../../util/random';
import type { PartitionUnit, UnitFactory } from './unit';
import { partitionOf } from './unit';

export type ToyKind = 'plain' | 'residual' | 'gunn';
export const TOY_KINDS: ToyKind[] = ['plain', 'residual', 'gunn'];

/** h for inputs x [B, n] and weights W [n, n] (row i computes h_i). Differentiable. */
export function toyForward(kind: ToyKind, W: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  const n = W.shape[0];
  if (W.shape[1] !== n || x.shape[1] !== n) {
    throw new Error(`toyForward: expected W [n, n] and x [B, n] with the same n, got W [${W.shape}] and x [${x.shape}]`);
  }
  return tf.tidy(() => {
    if (kind === 'plain') return tf.matMul(x, W, false, true);
    if (kind === 'residual') return tf.add(x, tf.matMul(x, W, false, true));
    if (kind !== 'gunn') throw new Error(`toyForward: unknown kind '${String(kind)}' (use ${TOY_KINDS.join(', ')})`);
    const cols = [...tf.split(x, n, 1)];
    for (let i = 0; i < n; i++) {
      const state = tf.concat(cols, 1);
      const wi = tf.slice(W, [i, 0], [1, n]);
      cols[i] = tf.add(cols[i], tf.matMul(state, wi, false, true));
    }
    return tf.concat(cols, 1) as tf.Tensor2D;
  });
}

/** Closed form of linear GUNN (spec 2.5.4): y = (I - Wl)^{-1} (I + Wu) x, Wl strictly lower. Float64. */
export function linearGunnClosedForm(W: number[][], x: number[]): number[] {
  const n = W.length;
  const b = x.map((xi, i) => xi + W[i].reduce((a, w, j) => (j >= i ? a + w * x[j] : a), 0));
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) { // forward substitution: y_i = b_i + sum_{j<i} W_ij y_j
    let s = b[i];
    for (let j = 0; j < i; j++) s += W[i][j] * y[j];
    y[i] = s;
  }
  return y;
}

/** Whether the residual collapse conditions of Eq. 4.8 hold (within tol). */
export function residualCollapseConditions(W: number[][], p: number, q: number, tol = 1e-9): boolean {
  const n = W.length;
  if (Math.abs(W[p][p] + 1 - W[q][p]) > tol || Math.abs(W[q][q] + 1 - W[p][q]) > tol) return false;
  for (let j = 0; j < n; j++) if (j !== p && j !== q && Math.abs(W[p][j] - W[q][j]) > tol) return false;
  return true;
}

/**
 * Collapse units p and q (spec 2.5, demonstration 1): edits copies of W [n x n] and the output head
 * V [k x n] (column q := column p) so that h_p = h_q for every input. GUNN requires q = p + 1.
 */
export function makeCollapsed(kind: ToyKind, W: number[][], V: number[][], p: number, q: number): { W: number[][]; V: number[][] } {
  const n = W.length;
  if (!(p >= 0 && q < n && p < q)) throw new Error(`makeCollapsed: need 0 <= p < q < n=${n}, got p=${p}, q=${q}`);
  const w = W.map((r) => r.slice());
  const v = V.map((r) => r.slice());
  for (const r of v) r[q] = r[p];
  if (kind === 'plain') {
    w[q] = w[p].slice();
  } else if (kind === 'residual') {
    w[q] = w[p].slice();
    w[q][p] = w[p][p] + 1;
    w[p][q] = w[q][q] + 1;
  } else if (kind === 'gunn') {
    if (q !== p + 1) throw new Error(`makeCollapsed('gunn'): the construction needs q = p + 1, got p=${p}, q=${q}`);
    w[q] = new Array<number>(n).fill(0);
    w[q][p] = 1;
    w[q][q] = -1; // h_q = x_q + h_p - x_q = h_p
  } else {
    throw new Error(`makeCollapsed: unknown kind '${String(kind)}'`);
  }
  return { W: w, V: v };
}

/** sqrt(mean_x (h_p - h_q)^2). */
export function collapseGap(h: tf.Tensor2D, p: number, q: number): number {
  return tf.tidy(() => {
    const [b] = h.shape;
    const d = tf.sub(tf.slice(h, [0, p], [b, 1]), tf.slice(h, [0, q], [b, 1]));
    return Math.sqrt(tf.mean(tf.square(d)).dataSync()[0]);
  });
}

export interface ToyTrainOptions {
  kind: ToyKind;
  W: number[][];
  V: number[][];
  x: tf.Tensor2D;
  target: tf.Tensor2D;
  p: number;
  q: number;
  lr: number;
  steps: number;
}

/**
 * Full-batch gradient descent on MSE(V h(x), t) over W and V; returns the gap before step 0 and
 * after every step (steps + 1 values).
 */
export function trainToy(o: ToyTrainOptions): number[] {
  const W = tf.variable(tf.tensor2d(o.W));
  const V = tf.variable(tf.tensor2d(o.V));
  const gaps: number[] = [];
  const gapNow = () => tf.tidy(() => collapseGap(toyForward(o.kind, W, o.x), o.p, o.q));
  try {
    gaps.push(gapNow());
    for (let s = 0; s < o.steps; s++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const out = tf.matMul(toyForward(o.kind, W, o.x), V, false, true);
          return tf.mean(tf.square(tf.sub(out, o.target))) as tf.Scalar;
        }, [W, V]);
        W.assign(tf.sub(W, tf.mul(grads[W.name], o.lr)));
        V.assign(tf.sub(V, tf.mul(grads[V.name], o.lr)));
      });
      gaps.push(gapNow());
    }
  } finally {
    W.dispose();
    V.dispose();
  }
  return gaps;
}

/** Gaussian matrix [r x c] with standard deviation `std`, from the seeded Rng. */
export function gaussianMatrix(r: number, c: number, std: number, rng: Rng): number[][] {
  return Array.from({ length: r }, () => Array.from({ length: c }, () => rng.normal() * std));
}

/**
 * Linear partition units for a GunnLayer (no BN, no nonlinearity): F_{c}(s) = s_c + s W_c^T, i.e. a
 * 1x1 conv whose kernel holds rows c of W [N x N]. The layer then equals Eq. 4.8 (SUNN) / 4.9 with
 * blocks (GUNN). Test oracle for the update order.
 */
export function linearUnits(W: number[][], residual = true): UnitFactory {
  const N = W.length;
  return (spec): PartitionUnit => {
    if (spec.N !== N) throw new Error(`linearUnits: W is ${N}x${N} but the layer has N=${spec.N}`);
    const k = new Float32Array(N * spec.n);
    for (let j = 0; j < N; j++) for (let r = 0; r < spec.n; r++) k[j * spec.n + r] = W[spec.lo + r][j];
    const kernel = tf.variable(tf.tensor4d(k, [1, 1, N, spec.n]));
    const branch = (s: tf.Tensor) => tf.conv2d(s as tf.Tensor4D, kernel as unknown as tf.Tensor4D, 1, 'valid');
    return {
      name: `unit${spec.index}`, params: [{ path: 'kernel', variable: kernel, decay: true }], state: [], children: [],
      N, lo: spec.lo, n: spec.n, residual,
      apply: (s: tf.Tensor, _ctx: Ctx) => tf.tidy(() => (residual ? tf.add(partitionOf(s, spec.lo, spec.n), branch(s)) : branch(s))),
      branch: (s: tf.Tensor, _ctx: Ctx) => tf.tidy(() => branch(s)),
    };
  };
}
