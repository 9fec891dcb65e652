// Seeded, stratified train/val/test splits as index lists. Per-class sizes use largest-remainder
// rounding so the totals are exactly what was asked (e.g. sklearn digits 1437 / 360).
import { Rng } from '../util/random';
import { indicesByClass } from './subset';

export interface SplitIndices {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** A fraction in (0, 1) or an absolute count. */
export type SplitSize = number;

function toCount(fn: string, name: string, size: SplitSize | undefined, n: number): number {
  if (size === undefined) return 0;
  if (!(size >= 0) || !Number.isFinite(size)) throw new Error(`${fn}: ${name} must be a fraction in [0, 1) or a count, got ${size}`);
  const c = size < 1 ? Math.round(size * n) : size;
  if (!Number.isInteger(c)) throw new Error(`${fn}: ${name} count must be an integer, got ${size}`);
  return c;
}

/** Split `total` over classes proportionally to `counts`, exactly, by largest remainder. */
export function apportion(total: number, counts: ArrayLike<number>): Int32Array {
  const n = Array.from(counts).reduce((a, b) => a + b, 0);
  const out = new Int32Array(counts.length);
  if (n === 0) return out;
  const rem: [number, number][] = [];
  let given = 0;
  for (let k = 0; k < counts.length; k++) {
    const exact = (total * counts[k]) / n;
    out[k] = Math.floor(exact);
    given += out[k];
    rem.push([exact - out[k], k]);
  }
  rem.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; given < total; i++, given++) out[rem[i % rem.length][1]]++;
  return out;
}

/**
 * Stratified split of `labels` into train / val / test, each class in proportion to its size.
 * `test` and `val` are fractions (< 1) or counts; train gets the rest. Indices come out sorted.
 */
export function stratifiedSplit(labels: ArrayLike<number>, opts: { test?: SplitSize; val?: SplitSize; rng: Rng; numClasses?: number }): SplitIndices {
  const n = labels.length;
  const nTest = toCount('stratifiedSplit', 'test', opts.test, n);
  const nVal = toCount('stratifiedSplit', 'val', opts.val, n);
  if (nTest + nVal > n) throw new Error(`stratifiedSplit: test (${nTest}) + val (${nVal}) exceed the ${n} samples`);
  const byClass = indicesByClass(labels, opts.numClasses);
  const sizes = byClass.map((a) => a.length);
  const testPer = apportion(nTest, sizes);
  const valPer = apportion(nVal, sizes.map((s, k) => s - testPer[k]));
  const train: number[] = [], val: number[] = [], test: number[] = [];
  byClass.forEach((idx, k) => {
    const p = opts.rng.shuffle(Int32Array.from(idx)) as Int32Array;
    for (let i = 0; i < p.length; i++) (i < testPer[k] ? test : i < testPer[k] + valPer[k] ? val : train).push(p[i]);
  });
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(train), val: sorted(val), test: sorted(test) };
}

/** Unstratified seeded split (for unlabelled or regression data). */
export function randomSplit(n: number, opts: { test?: SplitSize; val?: SplitSize; rng: Rng }): SplitIndices {
  const nTest = toCount('randomSplit', 'test', opts.test, n);
  const nVal = toCount('randomSplit', 'val', opts.val, n);
  if (nTest + nVal > n) throw new Error(`randomSplit: test (${nTest}) + val (${nVal}) exceed the ${n} samples`);
  const p = opts.rng.permutation(n);
  return {
    test: p.slice(0, nTest).sort(),
    val: p.slice(nTest, nTest + nVal).sort(),
    train: p.slice(nTest + nVal).sort(),
  };
}
