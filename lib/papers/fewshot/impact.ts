// Activation impacts (thesis 2.4.1.5, Figure 2-5): for a matrix M [out, in] (rows = outputs / classes,
// columns = activation channels), I_j(M) = sum_i |M_ij|. Eq. 2.7: OS(A, B, k) = |topk(I_A) ∩ topk(I_B)| / k.
// Pass thesis-orientation matrices: phi1Matrix() gives Phi [out, in]; a tfjs Dense kernel [n, C] must be
// transposed to [C, n] first (spec pitfall 10), see kernelToRows().
import type { Rng } from '../../util/random';

/** I_j = sum over rows of |M_ij|, M row-major [rows, cols]. */
export function channelImpacts(m: Float32Array, rows: number, cols: number): Float32Array {
  if (m.length !== rows * cols) throw new Error(`channelImpacts: matrix has ${m.length} values, expected ${rows} x ${cols}`);
  const out = new Float32Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += Math.abs(m[i * cols + j]);
  return out;
}

/** tfjs Dense kernel [n, C] (row-major) -> class rows [C, n]. */
export function kernelToRows(kernel: Float32Array, n: number, C: number): Float32Array {
  if (kernel.length !== n * C) throw new Error(`kernelToRows: kernel has ${kernel.length} values, expected ${n} x ${C}`);
  const out = new Float32Array(n * C);
  for (let j = 0; j < n; j++) for (let c = 0; c < C; c++) out[c * n + j] = kernel[j * C + c];
  return out;
}

/** Indices of the k largest entries (ties broken by index, stable). */
export function topKIndices(v: ArrayLike<number>, k: number): number[] {
  if (!Number.isInteger(k) || k < 1 || k > v.length) throw new Error(`topKIndices: k must be in [1, ${v.length}], got ${k}`);
  return Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[b] - v[a] || a - b).slice(0, k);
}

/** Eq. 2.7. */
export function orderSimilarity(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  if (a.length !== b.length) throw new Error(`orderSimilarity: impact vectors differ in length (${a.length} vs ${b.length})`);
  const ta = new Set(topKIndices(a, k));
  let inter = 0;
  for (const j of topKIndices(b, k)) if (ta.has(j)) inter++;
  return inter / k;
}

/** OS for k = 1..n. */
export function orderSimilarityCurve(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const n = a.length;
  const ra = topKIndices(a, n); const rb = topKIndices(b, n);
  const inA = new Uint8Array(n); const inB = new Uint8Array(n);
  const out: number[] = [];
  let inter = 0;
  for (let k = 1; k <= n; k++) {
    const x = ra[k - 1]; const y = rb[k - 1];
    inA[x] = 1; if (inB[x]) inter++;
    inB[y] = 1; if (inA[y]) inter++;
    out.push(inter / k);
  }
  return out;
}

/**
 * The identity's impacts all tie, so its order is random: average OS over `draws` random channel
 * orders (expected value k/n).
 */
export function randomOrderCurve(b: ArrayLike<number>, draws: number, rng: Rng): number[] {
  const n = b.length;
  const acc = new Float64Array(n);
  for (let d = 0; d < draws; d++) {
    const perm = rng.permutation(n);
    const score = new Float32Array(n);
    for (let i = 0; i < n; i++) score[perm[i]] = n - i;
    orderSimilarityCurve(score, b).forEach((v, i) => { acc[i] += v / draws; });
  }
  return Array.from(acc);
}

export function normalizeL2(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const d = Math.sqrt(Math.max(s, 1e-24));
  return Float32Array.from(v, (x) => x / d);
}

/** mean and population std over entries (how the thesis reports the w^pt impacts). */
export function impactStats(v: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0; let mn = Infinity; let mx = -Infinity;
  for (let i = 0; i < v.length; i++) { s += v[i]; mn = Math.min(mn, v[i]); mx = Math.max(mx, v[i]); }
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(q / v.length), min: mn, max: mx };
}

/** Diagonal of a square row-major matrix. */
export function diagonal(m: Float32Array, n: number): Float32Array {
  if (m.length !== n * n) throw new Error(`diagonal: expected ${n} x ${n} matrix, got ${m.length} values`);
  return Float32Array.from({ length: n }, (_, i) => m[i * n + i]);
}
