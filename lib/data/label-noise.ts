// Symmetric label noise, as intra-model-collab spec 4.2 reads Song & Chai / the paper:
// "Noisy labels are corrupted with a uniform distribution over the whole labels. The portion
// of noisy labels are fixed in a single run, but noisy labels are randomly generated every epoch."
//   1. pick exactly round(p * N) indices uniformly without replacement ('exact'), or each index
//      independently with probability p ('bernoulli');
//   2. give each picked index a label uniform over ALL m classes (may equal the true one, so the
//      wrong-label rate is p*(m-1)/m) -- or, with excludeTrue, uniform over the m-1 OTHER classes
//      (the "flip" definition common elsewhere; then exactly round(p*N) labels are wrong);
//   3. mode 'per-epoch' draws a fresh corruption every epoch from (seed, epoch); 'fixed' draws one
//      for the whole run (epoch ignored).
// Defaults follow that spec: excludeTrue false, selection 'exact', mode 'per-epoch'.
import { makeRng } from '../util/random';

export interface LabelNoiseOptions {
  numClasses: number;
  /** Noise level p in [0, 1]. */
  fraction: number;
  seed: number;
  epoch?: number;
  mode?: 'per-epoch' | 'fixed';
  excludeTrue?: boolean;
  selection?: 'exact' | 'bernoulli';
}

export interface NoisyLabels {
  labels: Int32Array;
  /** Indices whose label was re-drawn (sorted). */
  corrupted: Int32Array;
  /** How many labels now differ from the truth. */
  numWrong: number;
}

export function corruptLabels(trueLabels: ArrayLike<number>, opts: LabelNoiseOptions): NoisyLabels {
  const { numClasses: m, fraction: p } = opts;
  const mode = opts.mode ?? 'per-epoch';
  const selection = opts.selection ?? 'exact';
  if (!(p >= 0 && p <= 1)) throw new Error(`corruptLabels: fraction must be in [0, 1], got ${p}`);
  if (!Number.isInteger(m) || m < 2) throw new Error(`corruptLabels: numClasses must be an integer >= 2, got ${m}`);
  if (mode !== 'per-epoch' && mode !== 'fixed') throw new Error(`corruptLabels: unknown mode '${mode}' (use 'per-epoch' or 'fixed')`);
  if (selection !== 'exact' && selection !== 'bernoulli') throw new Error(`corruptLabels: unknown selection '${selection}' (use 'exact' or 'bernoulli')`);
  if (mode === 'per-epoch' && opts.epoch === undefined) throw new Error(`corruptLabels: mode 'per-epoch' needs the epoch number`);
  const n = trueLabels.length;
  const rng = makeRng(opts.seed).fork(mode === 'fixed' ? 'fixed' : `epoch-${opts.epoch}`);
  const labels = Int32Array.from(trueLabels);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0 || labels[i] >= m) throw new Error(`corruptLabels: label ${labels[i]} at ${i} is outside [0, ${m})`);
  }
  let picked: Int32Array;
  if (selection === 'exact') {
    picked = rng.permutation(n).slice(0, Math.round(p * n)).sort();
  } else {
    const a: number[] = [];
    for (let i = 0; i < n; i++) if (rng.next() < p) a.push(i);
    picked = Int32Array.from(a);
  }
  let numWrong = 0;
  for (const i of picked) {
    const t = labels[i];
    const r = opts.excludeTrue ? rng.int(m - 1) : rng.int(m);
    labels[i] = opts.excludeTrue && r >= t ? r + 1 : r; // skip the true class when excluding it
    if (labels[i] !== t) numWrong++;
  }
  return { labels, corrupted: picked, numWrong };
}
