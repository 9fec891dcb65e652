// Resource reallocation (thesis 5.3.2.1, spec 2.6a): widen every layer's survivors by ONE shared
// rate alpha, w''_i = alpha * w'_i, so that the cost returns to the budget. The thesis gives no
// formula for alpha. Two choices, both reported:
//   'sqrt'      reference code [code]: alpha = sqrt(c / U), widths floor(alpha * w')
//               (costs are ~bilinear in widths; undershoots because the image channels are fixed)
//   'bisection' ours [derived, recommended by the spec]: the largest alpha >= 1 with
//               cost(w''(alpha)) <= target, w''_i = max(w'_i, floor(alpha * w'_i + 0.5)).
// If the target is below the survivors' cost (compression targets), alpha = 1 (pure pruning).
import type { Resource } from './utilization';

export interface ChainLayerGeom {
  k: number;
  /** Output spatial size (FLOPs mode). */
  hw: [number, number];
}

export interface ChainCostOptions {
  inChannels: number;
  resource?: Resource;
  /** Add the classifier (||M_in|| * numClasses) to the cost; default false (reference: convs only). */
  countClassifier?: boolean;
  numClasses?: number;
}

/** Cost of a plain conv chain with output widths `w` (1 group, no bias). */
export function chainCost(w: number[], geom: ChainLayerGeom[], o: ChainCostOptions): number {
  if (w.length !== geom.length) throw new Error(`chainCost: ${w.length} widths for ${geom.length} layers`);
  let c = 0, cin = o.inChannels;
  for (let i = 0; i < w.length; i++) {
    const area = (o.resource ?? 'params') === 'flops' ? geom[i].hw[0] * geom[i].hw[1] : 1;
    c += cin * w[i] * geom[i].k * geom[i].k * area;
    cin = w[i];
  }
  if (o.countClassifier) {
    if (!o.numClasses) throw new Error('chainCost: countClassifier needs numClasses');
    c += cin * o.numClasses;
  }
  return c;
}

export interface AlphaChoice {
  method: 'bisection' | 'sqrt';
  alpha: number;
  widths: number[];
  cost: number;
}

export interface ReallocResult {
  survivors: number[];
  survivorsCost: number;
  target: number;
  chosen: AlphaChoice;
  bisection: AlphaChoice;
  sqrt: AlphaChoice;
}

/**
 * alpha and the new widths for `survivors` (w'_i) under `target`. `fullCost` (c(A)) is only used by the
 * closed form sqrt(c/U) of the reference code; give the original budget C for later rounds.
 */
export function chooseAlpha(
  survivors: number[], geom: ChainLayerGeom[], target: number, fullCost: number,
  o: ChainCostOptions & { method?: 'bisection' | 'sqrt'; minNew?: number } = { inChannels: 1 },
): ReallocResult {
  if (survivors.some((s) => !(Number.isInteger(s) && s >= 1))) throw new Error(`chooseAlpha: every layer needs >= 1 survivor, got [${survivors}]`);
  if (!(target > 0)) throw new Error(`chooseAlpha: target must be > 0, got ${target}`);
  const cost = (w: number[]) => chainCost(w, geom, o);
  const U = cost(survivors);
  // minNew [derived]: once alpha > 1, every layer gets at least this many new neurons (a disconnected
  // R path would be useless), and the bisection accounts for them so the target still holds
  const minNew = o.minNew ?? 0;
  const round = (a: number) => survivors.map((s) => Math.max(a > 1 ? s + minNew : s, Math.floor(a * s + 0.5)));
  let bis: AlphaChoice;
  if (U >= target) bis = { method: 'bisection', alpha: 1, widths: survivors.slice(), cost: U };
  else {
    let lo = 1, hi = 2;
    while (cost(round(hi)) <= target) { lo = hi; hi *= 2; if (hi > 1e6) throw new Error('chooseAlpha: target unreachable (cost does not grow with alpha?)'); }
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (cost(round(mid)) <= target) lo = mid; else hi = mid;
    }
    const widths = round(lo);
    bis = { method: 'bisection', alpha: lo, widths, cost: cost(widths) };
  }
  // closed form of the reference code: sqrt(c(A) / U), floor; clamped at 1 for targets below U
  const aSqrt = Math.max(1, Math.sqrt((fullCost * (target / fullCost)) / U));
  const wSqrt = survivors.map((s) => Math.floor(aSqrt * s));
  const sq: AlphaChoice = { method: 'sqrt', alpha: aSqrt, widths: wSqrt, cost: cost(wSqrt) };
  const chosen = (o.method ?? 'bisection') === 'sqrt' ? sq : bis;
  return { survivors: survivors.slice(), survivorsCost: U, target, chosen, bisection: bis, sqrt: sq };
}
