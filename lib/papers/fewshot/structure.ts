// Figure 2-2 analogue: is the geometry of the class-mean activations abar_y like that of the trained FC
// rows w_y? Cosine matrix cos(abar_i, w_j), an RSA/Mantel-style correlation of the two pairwise-distance
// matrices, and a 2-D PCA embedding of each set (t-SNE is left to users; PCA is deterministic).
import { l2NormalizeVec } from './l2norm';

function rowsOf(m: Float32Array, n: number): Float32Array[] {
  if (m.length % n !== 0) throw new Error(`structure: ${m.length} values is not a multiple of dim ${n}`);
  return Array.from({ length: m.length / n }, (_, i) => m.subarray(i * n, (i + 1) * n));
}

/** cos(a_i, b_j) as a row-major [A, B] matrix. */
export function cosineMatrix(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const ra = rowsOf(a, n).map(l2NormalizeVec); const rb = rowsOf(b, n).map(l2NormalizeVec);
  const out = new Float32Array(ra.length * rb.length);
  ra.forEach((x, i) => rb.forEach((y, j) => { let s = 0; for (let k = 0; k < n; k++) s += x[k] * y[k]; out[i * rb.length + j] = s; }));
  return out;
}

function pairwise(rows: Float32Array[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) {
    let s = 0; for (let k = 0; k < rows[i].length; k++) s += (rows[i][k] - rows[j][k]) ** 2;
    out.push(Math.sqrt(s));
  }
  return out;
}

export function pearson(x: number[], y: number[]): number {
  const n = x.length;
  if (n !== y.length || n < 2) throw new Error(`pearson: need two equal-length series of >= 2 values (got ${x.length}, ${y.length})`);
  const mx = x.reduce((a, b) => a + b, 0) / n; const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0; let sxx = 0; let syy = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; }
  return sxy / Math.sqrt(Math.max(sxx * syy, 1e-30));
}

/** Pearson correlation of the upper triangles of the two (L2-normalised rows) distance matrices. */
export function distanceCorrelation(a: Float32Array, b: Float32Array, n: number): number {
  return pearson(pairwise(rowsOf(a, n).map(l2NormalizeVec)), pairwise(rowsOf(b, n).map(l2NormalizeVec)));
}

/** 2-D PCA of rows [R, n] (power iteration with deflation on the covariance). */
export function pca2d(m: Float32Array, n: number, iters = 200): Float32Array {
  const rows = rowsOf(m, n);
  const R = rows.length;
  const mean = new Float64Array(n);
  rows.forEach((r) => r.forEach((v, j) => { mean[j] += v / R; }));
  const X = rows.map((r) => Float64Array.from(r, (v, j) => v - mean[j]));
  const cov = new Float64Array(n * n);
  for (const x of X) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cov[i * n + j] += (x[i] * x[j]) / R;
  const comps: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: n }, (_, i) => 1 / Math.sqrt(n) + (i === c ? 0.1 : 0));
    for (let it = 0; it < iters; it++) {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += cov[i * n + j] * v[j]; w[i] = s; }
      for (const p of comps) { let d = 0; for (let i = 0; i < n; i++) d += w[i] * p[i]; for (let i = 0; i < n; i++) w[i] -= d * p[i]; }
      const norm = Math.sqrt(w.reduce((a, b) => a + b * b, 0)) || 1;
      v = w.map((x) => x / norm);
    }
    comps.push(v);
  }
  const out = new Float32Array(R * 2);
  X.forEach((x, r) => comps.forEach((p, c) => { let s = 0; for (let i = 0; i < n; i++) s += x[i] * p[i]; out[r * 2 + c] = s; }));
  return out;
}
