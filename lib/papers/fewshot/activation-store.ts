// Per-class activation sets A_y and their means abar_y, with the statistic sampler of Eq. 2.2:
// s_y = abar_y with probability pMean, else one activation drawn uniformly from A_y.
// abar_y is the mean of the RAW activations over all of the class's rows (spec pitfall 8).
import type { Rng } from '../../util/random';
import { Features, checkFeatures, selectRows } from './features';

export interface ActivationStore {
  dim: number;
  /** Dataset labels of the classes, in store order (position = training label of phi). */
  classes: number[];
  /** Row indices into `features` per class position. */
  rowsOf: Int32Array[];
  features: Features;
  /** [classes.length, dim] raw class means. */
  means: Float32Array;
}

export function makeActivationStore(features: Features, classes?: number[]): ActivationStore {
  checkFeatures(features, 'makeActivationStore');
  const cls = classes ?? Array.from(new Set(Array.from(features.labels))).sort((a, b) => a - b);
  if (cls.length === 0) throw new Error('makeActivationStore: no classes');
  if (new Set(cls).size !== cls.length) throw new Error(`makeActivationStore: duplicate classes in [${cls}]`);
  const pos = new Map(cls.map((c, i) => [c, i]));
  const lists: number[][] = cls.map(() => []);
  for (let i = 0; i < features.labels.length; i++) {
    const p = pos.get(features.labels[i]);
    if (p !== undefined) lists[p].push(i);
  }
  const d = features.dim;
  const means = new Float32Array(cls.length * d);
  lists.forEach((rows, c) => {
    if (rows.length === 0) throw new Error(`makeActivationStore: class ${cls[c]} has no activations`);
    const acc = new Float64Array(d);
    for (const r of rows) for (let j = 0; j < d; j++) acc[j] += features.x[r * d + j];
    for (let j = 0; j < d; j++) means[c * d + j] = acc[j] / rows.length;
  });
  return { dim: d, classes: cls, rowsOf: lists.map((l) => Int32Array.from(l)), features, means };
}

/** abar_y of class position c. */
export function classMean(store: ActivationStore, c: number): Float32Array {
  return store.means.subarray(c * store.dim, (c + 1) * store.dim);
}

/** One activation of class position c, uniformly. */
export function sampleIndividual(store: ActivationStore, c: number, rng: Rng): Float32Array {
  const rows = store.rowsOf[c];
  const r = rows[rng.int(rows.length)];
  return store.features.x.subarray(r * store.dim, (r + 1) * store.dim);
}

/** s_y: the mean with probability pMean, else an individual activation (Eq. 2.2 sampling). */
export function sampleStatistic(store: ActivationStore, c: number, pMean: number, rng: Rng): { value: Float32Array; isMean: boolean } {
  if (!(pMean >= 0 && pMean <= 1)) throw new Error(`sampleStatistic: pMean must be in [0, 1], got ${pMean}`);
  if (rng.next() < pMean) return { value: classMean(store, c), isMean: true };
  return { value: sampleIndividual(store, c, rng), isMean: false };
}

/** The statistic set S: one statistic per class, [C, dim] class-major. */
export function sampleStatisticSet(store: ActivationStore, pMean: number, rng: Rng): Float32Array {
  const out = new Float32Array(store.classes.length * store.dim);
  for (let c = 0; c < store.classes.length; c++) out.set(sampleStatistic(store, c, pMean, rng).value, c * store.dim);
  return out;
}

/** The training activation set T: m activations per class, class-major [C*m, dim]; labels floor(r/m). */
export function sampleTrainingSet(store: ActivationStore, m: number, rng: Rng): { x: Float32Array; labels: Int32Array } {
  if (!Number.isInteger(m) || m < 1) throw new Error(`sampleTrainingSet: trainPerClass must be a positive integer, got ${m}`);
  const C = store.classes.length;
  const x = new Float32Array(C * m * store.dim);
  const labels = new Int32Array(C * m);
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < m; k++) {
      x.set(sampleIndividual(store, c, rng), (c * m + k) * store.dim);
      labels[c * m + k] = c;
    }
  }
  return { x, labels };
}

/** A random fraction of each class's rows (at least one), for the 100% / 10% / 1% gallery experiments. */
export function subsetFeatures(f: Features, fraction: number, rng: Rng): Features {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`subsetFeatures: fraction must be in (0, 1], got ${fraction}`);
  const by = new Map<number, number[]>();
  for (let i = 0; i < f.labels.length; i++) {
    const l = f.labels[i];
    if (!by.has(l)) by.set(l, []);
    by.get(l)!.push(i);
  }
  const keep: number[] = [];
  for (const [, rows] of [...by.entries()].sort((a, b) => a[0] - b[0])) {
    const k = Math.max(1, Math.round(rows.length * fraction));
    rng.shuffle(rows);
    keep.push(...rows.slice(0, k));
  }
  keep.sort((a, b) => a - b);
  return selectRows(f, keep);
}
