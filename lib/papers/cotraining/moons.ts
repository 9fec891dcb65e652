// Two-moons toy set (sklearn make_moons style) for the 2-D illustration of DCT [spec §5.2 choice].
import { makeRng } from '../../util/random';

export interface PointSet {
  /** [n, 2] row-major. */
  x: Float32Array;
  labels: Int32Array;
  n: number;
}

/**
 * n points, half on the outer moon (cos t, sin t) = class 0, half on the inner moon
 * (1 - cos t, 0.5 - sin t) = class 1, t ~ U[0, pi], plus N(0, noise^2); optionally standardised
 * per coordinate (zero mean, unit variance).
 */
export function makeMoons(n: number, o: { noise?: number; seed: number; standardize?: boolean }): PointSet {
  if (!Number.isInteger(n) || n < 2) throw new Error(`makeMoons: n must be an integer >= 2, got ${n}`);
  const noise = o.noise ?? 0.1;
  const rng = makeRng(o.seed);
  const x = new Float32Array(2 * n), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i < Math.ceil(n / 2) ? 0 : 1, t = Math.PI * rng.next();
    const px = c === 0 ? Math.cos(t) : 1 - Math.cos(t), py = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    x[2 * i] = px + noise * rng.normal();
    x[2 * i + 1] = py + noise * rng.normal();
    labels[i] = c;
  }
  if (o.standardize ?? true) standardize(x, 2);
  return { x, labels, n };
}

/** In-place zero-mean unit-variance per column. Returns the statistics used. */
export function standardize(x: Float32Array, d: number): { mean: number[]; std: number[] } {
  const n = x.length / d, mean: number[] = [], std: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { s += x[i * d + j]; s2 += x[i * d + j] ** 2; }
    const m = s / n, sd = Math.sqrt(Math.max(s2 / n - m * m, 1e-12));
    for (let i = 0; i < n; i++) x[i * d + j] = (x[i * d + j] - m) / sd;
    mean.push(m); std.push(sd);
  }
  return { mean, std };
}
