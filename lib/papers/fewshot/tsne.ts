// Exact t-SNE (van der Maaten & Hinton 2008) for the Figure 2-2 analogue (spec Embedding2D, optional):
// the thesis shows t-SNE maps of abar_y and w_y. O(C^2) per iteration, fine for C <= a few hundred
// class vectors; seeded, deterministic. Choices where the method leaves freedom (the reference
// implementation's defaults): Gaussian conditionals by binary search on the perplexity, symmetrised
// P, early exaggeration 12 for the first 100 iterations (scaled down for short runs), momentum 0.5 ->
// 0.8 at iteration 250, delta-bar-delta gains, initial Y ~ N(0, 1e-4 I).
import { makeRng } from '../../util/random';

export interface TsneOptions {
  /** Effective number of neighbours (default min(30, (C - 1) / 3), at least 2). */
  perplexity?: number;
  iterations?: number;
  learningRate?: number;
  seed?: number;
  /** Compare rows by cosine (L2-normalise first; the thesis' vectors are compared by direction). Default false. */
  normalize?: boolean;
}

function sqDistances(m: Float32Array, C: number, n: number, normalize: boolean): Float64Array {
  const X = Float64Array.from(m);
  if (normalize) for (let i = 0; i < C; i++) {
    let s = 0; for (let k = 0; k < n; k++) s += X[i * n + k] ** 2;
    const r = 1 / Math.max(Math.sqrt(s), 1e-12); for (let k = 0; k < n; k++) X[i * n + k] *= r;
  }
  const D = new Float64Array(C * C);
  for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) {
    let s = 0; for (let k = 0; k < n; k++) { const d = X[i * n + k] - X[j * n + k]; s += d * d; }
    D[i * C + j] = D[j * C + i] = s;
  }
  return D;
}

/** Joint probabilities P (symmetric, sums to 1) with each row's conditional at the given perplexity. */
export function tsneAffinities(D: Float64Array, C: number, perplexity: number): Float64Array {
  const P = new Float64Array(C * C);
  const target = Math.log(perplexity);
  for (let i = 0; i < C; i++) {
    let lo = 0, hi = Infinity, beta = 1;
    const row = new Float64Array(C);
    for (let it = 0; it < 100; it++) {
      // Subtract the smallest distance for numerical stability (does not change the normalised row).
      let dmin = Infinity; for (let j = 0; j < C; j++) if (j !== i && D[i * C + j] < dmin) dmin = D[i * C + j];
      let sum = 0, sumDP = 0;
      for (let j = 0; j < C; j++) {
        if (j === i) { row[j] = 0; continue; }
        row[j] = Math.exp(-beta * (D[i * C + j] - dmin)); sum += row[j]; sumDP += (D[i * C + j] - dmin) * row[j];
      }
      const H = Math.log(sum) + (beta * sumDP) / sum; // entropy in nats
      for (let j = 0; j < C; j++) row[j] /= sum;
      if (Math.abs(H - target) < 1e-5) break;
      if (H > target) { lo = beta; beta = hi === Infinity ? beta * 2 : (beta + hi) / 2; } else { hi = beta; beta = (beta + lo) / 2; }
    }
    for (let j = 0; j < C; j++) P[i * C + j] = row[j];
  }
  for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) {
    const v = Math.max((P[i * C + j] + P[j * C + i]) / (2 * C), 1e-12);
    P[i * C + j] = P[j * C + i] = v;
  }
  return P;
}

/** Exact t-SNE of C rows of dimension n (row-major) to [C, 2] (row-major Float32Array). */
export function tsne2d(m: Float32Array, n: number, o: TsneOptions = {}): Float32Array {
  if (!Number.isInteger(n) || n <= 0 || m.length % n !== 0) throw new Error(`tsne2d: ${m.length} values is not a whole number of rows of dim ${n}`);
  const C = m.length / n;
  if (C < 3) throw new Error(`tsne2d: need at least 3 rows, got ${C}`);
  const perplexity = o.perplexity ?? Math.max(2, Math.min(30, (C - 1) / 3));
  if (!(perplexity > 0) || perplexity >= C) throw new Error(`tsne2d: perplexity must be in (0, ${C}) for ${C} rows, got ${perplexity}`);
  const iters = o.iterations ?? 1000, eta = o.learningRate ?? Math.max(10, C / 12);
  const P = tsneAffinities(sqDistances(m, C, n, o.normalize ?? false), C, perplexity);
  const rng = makeRng(o.seed ?? 0).fork('tsne');
  const Y = Float64Array.from({ length: C * 2 }, () => 1e-2 * rng.normal());
  const vel = new Float64Array(C * 2), gains = new Float64Array(C * 2).fill(1);
  const exagIters = Math.min(100, Math.floor(iters / 4));
  const num = new Float64Array(C * C), grad = new Float64Array(C * 2);
  for (let t = 0; t < iters; t++) {
    const exag = t < exagIters ? 12 : 1, mom = t < 250 ? 0.5 : 0.8;
    let Z = 0;
    for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) {
      const dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
      const q = 1 / (1 + dx * dx + dy * dy);
      num[i * C + j] = num[j * C + i] = q; Z += 2 * q;
    }
    grad.fill(0);
    for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) {
      if (i === j) continue;
      const w = (exag * P[i * C + j] - num[i * C + j] / Z) * num[i * C + j];
      grad[2 * i] += 4 * w * (Y[2 * i] - Y[2 * j]); grad[2 * i + 1] += 4 * w * (Y[2 * i + 1] - Y[2 * j + 1]);
    }
    for (let k = 0; k < C * 2; k++) {
      gains[k] = Math.sign(grad[k]) !== Math.sign(vel[k]) ? gains[k] + 0.2 : Math.max(0.01, gains[k] * 0.8);
      vel[k] = mom * vel[k] - eta * gains[k] * grad[k];
      Y[k] += vel[k];
    }
    // Re-centre (the objective is translation invariant).
    let mx = 0, my = 0; for (let i = 0; i < C; i++) { mx += Y[2 * i] / C; my += Y[2 * i + 1] / C; }
    for (let i = 0; i < C; i++) { Y[2 * i] -= mx; Y[2 * i + 1] -= my; }
  }
  return Float32Array.from(Y);
}

/** KL(P || Q) of an embedding (the t-SNE objective), for tests and diagnostics. */
export function tsneKL(m: Float32Array, n: number, Y: Float32Array, perplexity: number, normalize = false): number {
  const C = m.length / n;
  const P = tsneAffinities(sqDistances(m, C, n, normalize), C, perplexity);
  let Z = 0; const q = new Float64Array(C * C);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) if (i !== j) {
    q[i * C + j] = 1 / (1 + (Y[2 * i] - Y[2 * j]) ** 2 + (Y[2 * i + 1] - Y[2 * j + 1]) ** 2); Z += q[i * C + j];
  }
  let kl = 0;
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) if (i !== j) kl += P[i * C + j] * Math.log(P[i * C + j] / Math.max(q[i * C + j] / Z, 1e-300));
  return kl;
}
