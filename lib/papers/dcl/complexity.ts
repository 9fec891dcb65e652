// Parameter and multiply-add counts of a layer and of its DCL replacement (paper §3.4, Figure 1):
//
//   original layer  params = u²·K1·K2                    MACs = W2·H2·u²·K1·K2
//   DCL module      params = u²·K1·ΣM + K2·ΣM            MACs = W2·H2·(u²·K1·ΣM + K2·ΣM)
//   (+ biases: K2 for the layer; ΣM + T·K2 for DCL — our addition, the paper counts weights only)
//
// DCL is no larger than the layer iff ΣM <= u²K1K2 / (u²K1 + K2). The element-wise product and
// root cost O(T·W2·H2·K2) multiplies; they are reported separately (`fusionOps`) because the
// paper's O(.) drops them.

export interface LayerGeometry {
  /** Kernel size u (u = input width for a fully-connected layer). */
  u: number;
  K1: number;
  K2: number;
  /** Output grid (1 x 1 for a fully-connected layer). */
  H2?: number;
  W2?: number;
}

export interface Counts {
  weights: number;
  biases: number;
  /** weights + biases. */
  params: number;
  /** Multiply-adds of the learned linear maps. */
  macs: number;
}

function checkGeometry(g: LayerGeometry, what: string): void {
  for (const k of ['u', 'K1', 'K2'] as const) {
    if (!(Number.isInteger(g[k]) && g[k] > 0)) throw new Error(`${what}: ${k} must be a positive integer, got ${g[k]}`);
  }
  for (const k of ['H2', 'W2'] as const) {
    const v = g[k];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new Error(`${what}: ${k} must be a positive integer, got ${v}`);
  }
}

function checkMs(Ms: number[], what: string): void {
  if (!Array.isArray(Ms) || Ms.length === 0) throw new Error(`${what}: filtersPerBranch must be a non-empty array`);
  Ms.forEach((m) => { if (!(Number.isInteger(m) && m > 0)) throw new Error(`${what}: filters per branch must be positive integers, got ${m}`); });
}

/** Counts of the original conv / FC layer. */
export function layerCounts(g: LayerGeometry): Counts {
  checkGeometry(g, 'layerCounts');
  const P = (g.H2 ?? 1) * (g.W2 ?? 1);
  const weights = g.u * g.u * g.K1 * g.K2;
  return { weights, biases: g.K2, params: weights + g.K2, macs: P * weights };
}

export interface DclCounts extends Counts {
  /** u²·K1·ΣM (branch construction). */
  stage1Weights: number;
  /** K2·ΣM (concept fusion). */
  stage2Weights: number;
  /** prod_t M(t): the compositional vocabulary (§3.2). */
  compositionalFilters: number;
  /** Multiplies of the product + root, per image: T·W2·H2·K2 (negligible; not in the paper's O). */
  fusionOps: number;
}

/** Counts of the DCL module replacing that layer, with M(t) filters in branch t. */
export function dclCounts(g: LayerGeometry, Ms: number[]): DclCounts {
  checkGeometry(g, 'dclCounts');
  checkMs(Ms, 'dclCounts');
  const P = (g.H2 ?? 1) * (g.W2 ?? 1);
  const sumM = Ms.reduce((a, b) => a + b, 0);
  const stage1Weights = g.u * g.u * g.K1 * sumM;
  const stage2Weights = g.K2 * sumM;
  const weights = stage1Weights + stage2Weights;
  const biases = sumM + Ms.length * g.K2;
  return {
    weights, biases, params: weights + biases, macs: P * weights, stage1Weights, stage2Weights,
    compositionalFilters: Ms.reduce((a, b) => a * b, 1), fusionOps: Ms.length * P * g.K2,
  };
}

/** Largest ΣM for which DCL is no larger (in weights and MACs) than the layer: u²K1K2/(u²K1+K2). */
export function maxTotalFilters(u: number, K1: number, K2: number): number {
  checkGeometry({ u, K1, K2 }, 'maxTotalFilters');
  return (u * u * K1 * K2) / (u * u * K1 + K2);
}

/** Whether a DCL with filters Ms is no larger than the u x u, K1 -> K2 layer it replaces. */
export function isCheaper(u: number, K1: number, K2: number, Ms: number[]): boolean {
  checkMs(Ms, 'isCheaper');
  return dclCounts({ u, K1, K2 }, Ms).weights <= layerCounts({ u, K1, K2 }).weights;
}

/** "x% fewer": 100·saved/total, rounded to `digits` decimals (16.82 for AlexNet, 11.41 for BigNet). */
export function percentFewer(saved: number, total: number, digits = 2): number {
  if (!(total > 0)) throw new Error(`percentFewer: total must be > 0, got ${total}`);
  const f = Math.pow(10, digits);
  return Math.round((100 * saved / total) * f) / f;
}
