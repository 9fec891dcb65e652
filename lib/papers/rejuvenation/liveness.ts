// Liveness of neurons from batch-norm scales (thesis 5.3.1.1, spec 2.3).
// A neuron is dead if |gamma| < 0.01 * max|gamma| of its own BN layer. The thesis writes
// `gamma < 0.01 gamma_max`; the reference code judges absolute values, which we follow.
// Reference-code rule [code]: if max|gamma| < 1e-3 the whole layer is dead.

export const DEAD_RATIO = 0.01;
export const DEAD_LAYER_MAX = 1e-3;

/** 1 = live, 0 = dead, per neuron (output channel) of one BN layer. */
export function liveMask(gammas: ArrayLike<number>, o: { ratio?: number; layerMax?: number } = {}): Uint8Array {
  const ratio = o.ratio ?? DEAD_RATIO, layerMax = o.layerMax ?? DEAD_LAYER_MAX;
  const n = gammas.length;
  const out = new Uint8Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const g = gammas[i];
    if (!Number.isFinite(g)) throw new Error(`liveMask: gamma[${i}] is ${g} (training diverged?)`);
    max = Math.max(max, Math.abs(g));
  }
  if (max < layerMax) return out; // whole layer dead
  const thr = ratio * max;
  for (let i = 0; i < n; i++) out[i] = Math.abs(gammas[i]) < thr ? 0 : 1;
  return out;
}

/** Dead flags (the complement of liveMask), convenient for tests and plots. */
export function deadMask(gammas: ArrayLike<number>, o: { ratio?: number; layerMax?: number } = {}): boolean[] {
  return Array.from(liveMask(gammas, o), (v) => v === 0);
}

export function countLive(m: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i] ? 1 : 0;
  return s;
}

/** |gamma| / max|gamma| per neuron (plot of spec 7.4 #4). */
export function relativeGammas(gammas: ArrayLike<number>): number[] {
  let max = 0;
  for (let i = 0; i < gammas.length; i++) max = Math.max(max, Math.abs(gammas[i]));
  return Array.from(gammas, (g) => (max > 0 ? Math.abs(g) / max : 0));
}
