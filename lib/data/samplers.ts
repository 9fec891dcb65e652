// Index samplers the papers need: a class-balanced labelled subset (semi-supervised splits),
// a base/novel class split (few-shot), and N-way K-shot episodes. All seeded through an Rng,
// all returning index lists into the dataset they were given.
import * as fs from 'fs';
import { Rng } from '../util/random';
import { indicesByClass } from './subset';

export interface LabelledSplit {
  /** Indices whose labels are used. */
  labelled: Int32Array;
  /** The rest (labels hidden from the learner). */
  unlabelled: Int32Array;
}

/**
 * Pick `perClass` images of every class (or of `classes`) uniformly at random: the labelled set S;
 * everything else is U. Class-balanced, as Laine & Aila's split is reported to be [spec ch3 5.1].
 */
export function labelledSubset(labels: ArrayLike<number>, opts: { perClass: number; rng: Rng; classes?: number[]; numClasses?: number }): LabelledSplit {
  const { perClass, rng } = opts;
  if (!Number.isInteger(perClass) || perClass < 0) throw new Error(`labelledSubset: perClass must be a non-negative integer, got ${perClass}`);
  const byClass = indicesByClass(labels, opts.numClasses);
  const classes = opts.classes ?? byClass.map((_, k) => k);
  const chosen = new Uint8Array(labels.length);
  for (const k of classes) {
    const pool = byClass[k];
    if (!pool || pool.length < perClass) throw new Error(`labelledSubset: class ${k} has ${pool ? pool.length : 0} images, fewer than perClass = ${perClass}`);
    const p = rng.shuffle(Int32Array.from(pool)) as Int32Array;
    for (let i = 0; i < perClass; i++) chosen[p[i]] = 1;
  }
  const labelled: number[] = [], unlabelled: number[] = [];
  for (let i = 0; i < labels.length; i++) (chosen[i] ? labelled : unlabelled).push(i);
  return { labelled: Int32Array.from(labelled), unlabelled: Int32Array.from(unlabelled) };
}

/** A reproducible split file: `{seed, labelledIndices, unlabelledIndices}` (spec ch3 5.3). */
export interface SplitFile { seed: number; labelledIndices: number[]; unlabelledIndices: number[]; [extra: string]: unknown }

export function writeSplitFile(path: string, seed: number, split: LabelledSplit, extra: Record<string, unknown> = {}): void {
  const body: SplitFile = { ...extra, seed, labelledIndices: Array.from(split.labelled), unlabelledIndices: Array.from(split.unlabelled) };
  fs.writeFileSync(path, JSON.stringify(body));
}

export function readSplitFile(path: string): SplitFile & LabelledSplit {
  if (!fs.existsSync(path)) throw new Error(`readSplitFile: file not found: ${path}`);
  let j: SplitFile;
  try {
    j = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`readSplitFile: ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(j.labelledIndices) || !Array.isArray(j.unlabelledIndices)) {
    throw new Error(`readSplitFile: ${path} lacks labelledIndices / unlabelledIndices arrays`);
  }
  return { ...j, labelled: Int32Array.from(j.labelledIndices), unlabelled: Int32Array.from(j.unlabelledIndices) };
}

export interface ClassSplit {
  base: Int32Array;
  novel: Int32Array;
  baseClasses: number[];
  novelClasses: number[];
}

/** Split indices by class membership: base (C_large) vs novel (C_few) classes; other classes are dropped. */
export function classSplit(labels: ArrayLike<number>, opts: { base: number[]; novel: number[] }): ClassSplit {
  const overlap = opts.base.filter((c) => opts.novel.includes(c));
  if (overlap.length) throw new Error(`classSplit: classes [${overlap}] are both base and novel`);
  const isBase = new Set(opts.base), isNovel = new Set(opts.novel);
  const base: number[] = [], novel: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (isBase.has(labels[i])) base.push(i);
    else if (isNovel.has(labels[i])) novel.push(i);
  }
  return { base: Int32Array.from(base), novel: Int32Array.from(novel), baseClasses: [...opts.base], novelClasses: [...opts.novel] };
}

/** Relabel so that `classes[j]` becomes j (labels outside `classes` are an error). */
export function remapLabels(labels: ArrayLike<number>, classes: number[]): Int32Array {
  const map = new Map(classes.map((c, j) => [c, j]));
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const j = map.get(labels[i]);
    if (j === undefined) throw new Error(`remapLabels: label ${labels[i]} at ${i} is not in [${classes}]`);
    out[i] = j;
  }
  return out;
}

export interface Episode {
  /** The N classes of this episode (dataset labels); episode label j means classes[j]. */
  classes: number[];
  support: Int32Array;
  supportLabels: Int32Array;
  query: Int32Array;
  queryLabels: Int32Array;
}

export interface EpisodeOptions {
  /** Classes to draw from (default: all). */
  classes?: number[];
  nWay: number;
  kShot: number;
  /** Queries per class, or 'rest' = every remaining image of the class (the ch2 thesis protocol). */
  query: number | 'rest';
  /** Restrict to these dataset indices (e.g. a test split). */
  indices?: ArrayLike<number>;
}

/**
 * A sampler of few-shot episodes: N classes drawn uniformly without replacement, then per class
 * K support and Q query images drawn without replacement, so support and query never share an image.
 */
export function episodeSampler(labels: ArrayLike<number>, opts: EpisodeOptions): (rng: Rng) => Episode {
  const { nWay, kShot, query } = opts;
  if (!Number.isInteger(nWay) || nWay < 1) throw new Error(`episodeSampler: nWay must be a positive integer, got ${nWay}`);
  if (!Number.isInteger(kShot) || kShot < 1) throw new Error(`episodeSampler: kShot must be a positive integer, got ${kShot}`);
  if (query !== 'rest' && (!Number.isInteger(query) || query < 0)) throw new Error(`episodeSampler: query must be a non-negative integer or 'rest', got ${query}`);
  const pool = new Map<number, number[]>();
  const idx = opts.indices ?? Array.from({ length: labels.length }, (_, i) => i);
  for (let i = 0; i < idx.length; i++) {
    const l = labels[idx[i]];
    if (!pool.has(l)) pool.set(l, []);
    pool.get(l)!.push(idx[i]);
  }
  const classes = opts.classes ?? [...pool.keys()].sort((a, b) => a - b);
  if (classes.length < nWay) throw new Error(`episodeSampler: ${nWay}-way episodes need ${nWay} classes, only ${classes.length} available`);
  const need = kShot + (query === 'rest' ? 1 : query);
  for (const c of classes) {
    const have = pool.get(c)?.length ?? 0;
    if (have < need) throw new Error(`episodeSampler: class ${c} has ${have} images, an episode needs ${need} (${kShot} shot + ${query === 'rest' ? '>= 1' : query} query)`);
  }
  return (rng: Rng) => {
    const picked = (rng.shuffle([...classes]) as number[]).slice(0, nWay);
    const s: number[] = [], sl: number[] = [], q: number[] = [], ql: number[] = [];
    picked.forEach((c, j) => {
      const p = rng.shuffle([...pool.get(c)!]) as number[];
      const nq = query === 'rest' ? p.length - kShot : query;
      for (let i = 0; i < kShot; i++) { s.push(p[i]); sl.push(j); }
      for (let i = kShot; i < kShot + nq; i++) { q.push(p[i]); ql.push(j); }
    });
    return { classes: picked, support: Int32Array.from(s), supportLabels: Int32Array.from(sl), query: Int32Array.from(q), queryLabels: Int32Array.from(ql) };
  };
}

/** `count` episodes from one seeded stream (e.g. the 1000 evaluation tasks). */
export function* fewShotEpisodes(labels: ArrayLike<number>, opts: EpisodeOptions & { count: number; rng: Rng }): Generator<Episode> {
  const sample = episodeSampler(labels, opts);
  for (let t = 0; t < opts.count; t++) yield sample(opts.rng);
}
