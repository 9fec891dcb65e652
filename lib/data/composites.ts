// Many-class datasets built from real pixels (intra-model-collab spec 5.2 "FMNIST-Pairs-100" and
// "FMNIST-Triples-1000"; DCL spec 5.3 "Fashion-II"): each source item is 2x2-average-pooled to half
// size and pasted into a quadrant of a canvas of the source size: item 0 top-left, item 1
// top-right, item 2 bottom-left (rest blank). Label = sum_j part_j * m^(k-1-j), e.g. 10a + b.
// Train composites must be drawn from a train source and test composites from a test source.
import { Rng } from '../util/random';
import { avgPool2x2 } from './transforms';
import { indicesByClass } from './subset';
import { ImageSet, assertImageSet } from './types';

export interface CompositeOptions {
  /** Number of composite images. */
  n: number;
  /** Items per composite: 2 (m^2 classes) or 3 (m^3 classes). */
  items: 2 | 3;
  rng: Rng;
  /**
   * false (default, the spec's literal reading): items drawn uniformly from the source, so class
   * frequencies follow the source's; true: the label tuple is drawn uniformly first, then an
   * item of each class (exactly uniform classes even for an unbalanced source).
   */
  balanced?: boolean;
}

export interface CompositeSet extends ImageSet {
  /** [n, items] source indices of each composite's parts. */
  parts: Int32Array;
  /** [n, items] source labels of the parts (the per-position digits DCL's analysis needs). */
  partLabels: Int32Array;
}

export function makeQuadrantComposites(source: ImageSet, opts: CompositeOptions): CompositeSet {
  assertImageSet(source);
  const { n, items, rng } = opts;
  if (items !== 2 && items !== 3) throw new Error(`makeQuadrantComposites: items must be 2 or 3, got ${items}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`makeQuadrantComposites: n must be a positive integer, got ${n}`);
  const [N, H, W, C] = source.shape;
  const small = avgPool2x2(source); // throws on odd sizes
  const h = H / 2, w = W / 2;
  const m = source.classNames.length;
  const byClass = opts.balanced ? indicesByClass(source.labels, m) : [];
  if (opts.balanced) byClass.forEach((a, k) => { if (a.length === 0) throw new Error(`makeQuadrantComposites: class ${k} has no images to draw from`); });
  const images = new Uint8Array(n * H * W * C);
  const labels = new Int32Array(n);
  const parts = new Int32Array(n * items);
  const partLabels = new Int32Array(n * items);
  const corner = [[0, 0], [0, w], [h, 0]];
  for (let i = 0; i < n; i++) {
    let label = 0;
    for (let j = 0; j < items; j++) {
      let src: number;
      if (opts.balanced) { const pool = byClass[rng.int(m)]; src = pool[rng.int(pool.length)]; } else src = rng.int(N);
      const l = source.labels[src];
      parts[i * items + j] = src;
      partLabels[i * items + j] = l;
      label = label * m + l;
      const [oy, ox] = corner[j];
      for (let y = 0; y < h; y++) {
        const s = ((src * h + y) * w) * C;
        images.set(small.images.subarray(s, s + w * C), ((i * H + oy + y) * W + ox) * C);
      }
    }
    labels[i] = label;
  }
  const classNames: string[] = [];
  for (let k = 0; k < m ** items; k++) {
    const t: string[] = [];
    for (let j = items - 1, r = k; j >= 0; j--, r = Math.floor(r / m)) t[j] = source.classNames[r % m];
    classNames.push(t.join(' | '));
  }
  return { images, shape: [n, H, W, C], labels, classNames, maxValue: source.maxValue, source: `${source.source ?? 'set'}-quadrants${items}`, parts, partLabels };
}
