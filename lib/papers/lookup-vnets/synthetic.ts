// ColorBandShapes [ours, spec 5.3]: a seeded colour data set in which the colour code matters.
// The class is a shape, but each pixel's colour is drawn per channel from "signal" intensity bands
// on the shape and from "distractor" bands elsewhere. The two groups have equal mean intensity
// (Thue-Morse split), so only a non-monotone code of the intensity reveals the shape: a learned
// lookup table can represent it in one layer, a fixed linear input cannot. Bins of a CMP-rate c
// that divides the band width w never mix the groups; c = 2w mixes every bin (designed threshold c = w).
import { makeRng, Rng } from '../../util/random';
import type { ImageSet } from '../../data/types';

export type BandPattern = 'thueMorse' | 'parity';
export type BandLabel = 'shape' | 'quadrant';

export interface ColorBandOptions {
  n: number;
  /** Image side S (default 16). */
  size?: number;
  /** Band width w, must divide 256 (default 64). */
  bandWidth?: number;
  pattern?: BandPattern;
  /** 'shape' (10 classes, default) or 'quadrant' (4 classes: quadrant of the shape's centre), the auxiliary task. */
  labelBy?: BandLabel;
  seed: number;
}


export const SHAPE_NAMES = ['hbar', 'vbar', 'diag\\', 'diag/', 'outline', 'filled', 'plus', 'X', 'two bars', 'L'];

function popcount(b: number): number {
  let n = 0;
  for (; b; b >>= 1) n += b & 1;
  return n;
}

/** Signal bands S and distractor bands D for band width w. */
export function bandGroups(bandWidth: number, pattern: BandPattern = 'thueMorse'): { signal: number[]; distractor: number[] } {
  if (!Number.isInteger(bandWidth) || bandWidth < 1 || 256 % bandWidth !== 0 || bandWidth > 128) {
    throw new Error(`bandGroups: bandWidth must divide 256 and be at most 128, got ${bandWidth}`);
  }
  if (pattern !== 'thueMorse' && pattern !== 'parity') throw new Error(`bandGroups: unknown pattern '${pattern as string}', use 'thueMorse' or 'parity'`);
  const nb = 256 / bandWidth;
  const signal: number[] = [];
  const distractor: number[] = [];
  for (let b = 0; b < nb; b++) {
    const inS = pattern === 'thueMorse' ? popcount(b) % 2 === 0 : b % 2 === 0;
    (inS ? signal : distractor).push(b);
  }
  return { signal, distractor };
}

/** Draw the binary mask of shape class `cls` with box side L at (r0, c0) into `m` (S x S). */
export function drawShape(m: Uint8Array, S: number, cls: number, L: number, r0: number, c0: number): void {
  const set = (r: number, c: number) => {
    if (r >= 0 && r < L && c >= 0 && c < L) m[(r0 + r) * S + (c0 + c)] = 1;
  };
  const mid = Math.floor(L / 2);
  for (let i = 0; i < L; i++) {
    switch (cls) {
      case 0: set(mid - 1, i); set(mid, i); break; // horizontal bar, 2 px
      case 1: set(i, mid - 1); set(i, mid); break; // vertical bar, 2 px
      case 2: set(i, i); set(i, i + 1); break; // "\" 2 px
      case 3: set(i, L - 1 - i); set(i, L - 2 - i); break; // "/" 2 px
      case 4: set(0, i); set(L - 1, i); set(i, 0); set(i, L - 1); break; // outline
      case 5: for (let j = 0; j < L; j++) set(i, j); break; // filled square
      case 6: set(mid, i); set(i, mid); break; // plus
      case 7: set(i, i); set(i, L - 1 - i); break; // X
      case 8: { const q = Math.floor(L / 4); set(q, i); set(L - 1 - q, i); break; } // two bars
      case 9: set(i, 0); set(L - 1, i); break; // L-shape
      default: throw new Error(`drawShape: shape class must be 0..9, got ${cls}`);
    }
  }
}

/** Paint a binary mask with the band code: per pixel and channel a band from S (fg) or D (bg), then a uniform intensity in it. */
export function paintBands(mask: Uint8Array, out: Uint8Array, offset: number, C: number, w: number, groups: { signal: number[]; distractor: number[] }, rng: Rng): void {
  for (let p = 0; p < mask.length; p++) {
    const g = mask[p] ? groups.signal : groups.distractor;
    for (let ch = 0; ch < C; ch++) out[offset + p * C + ch] = g[rng.int(g.length)] * w + rng.int(w);
  }
}

/** Seeded ColorBandShapes; classes balanced (each class n/classes times, shuffled). */
export function makeColorBandShapes(opts: ColorBandOptions): ImageSet {
  const { n, seed } = opts;
  const S = opts.size ?? 16;
  const w = opts.bandWidth ?? 64;
  const labelBy = opts.labelBy ?? 'shape';
  if (!Number.isInteger(n) || n < 1) throw new Error(`makeColorBandShapes: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(S) || S < 12) throw new Error(`makeColorBandShapes: size must be an integer >= 12, got ${S}`);
  if (labelBy !== 'shape' && labelBy !== 'quadrant') throw new Error(`makeColorBandShapes: unknown labelBy '${labelBy as string}'`);
  const groups = bandGroups(w, opts.pattern ?? 'thueMorse');
  const rng = makeRng(seed);
  const numClasses = labelBy === 'shape' ? 10 : 4;
  const x = new Uint8Array(n * S * S * 3);
  const y = new Int32Array(n);
  const order = rng.permutation(n);
  // box side L uniform in {6..10} at S = 16, scaled with S [ours]
  const lMin = Math.round((6 * S) / 16);
  const lMax = Math.min(S, Math.round((10 * S) / 16));
  const mask = new Uint8Array(S * S);
  for (let i = 0; i < n; i++) {
    const balanced = order[i] % numClasses;
    const L = lMin + rng.int(lMax - lMin + 1);
    const r0 = rng.int(S - L + 1);
    const c0 = rng.int(S - L + 1);
    mask.fill(0);
    const shape = labelBy === 'shape' ? balanced : rng.int(10);
    drawShape(mask, S, shape, L, r0, c0);
    const cy = r0 + (L - 1) / 2;
    const cx = c0 + (L - 1) / 2;
    y[i] = labelBy === 'shape' ? shape : (cy < (S - 1) / 2 ? 0 : 2) + (cx < (S - 1) / 2 ? 0 : 1);
    paintBands(mask, x, i * S * S * 3, 3, w, groups, rng);
  }
  return {
    images: x, labels: y, shape: [n, S, S, 3], maxValue: 255,
    classNames: labelBy === 'shape' ? SHAPE_NAMES.slice() : ['top-left', 'top-right', 'bottom-left', 'bottom-right'],
    source: `ColorBandShapes(n=${n}, size=${S}, w=${w}, ${opts.pattern ?? 'thueMorse'}, ${labelBy}, seed=${seed})`,
  };
}

/**
 * BandColorize [spec 5.3]: paint binary masks (e.g. thresholded digits) with the same band code, so a
 * second task shares the optimal colour code (cross-task experiment, CIFAR-100-style extra classes).
 */
export function bandColorize(masks: Uint8Array, labels: Int32Array, shape: [number, number, number], classNames: string[],
  opts: { bandWidth?: number; pattern?: BandPattern; seed: number }): ImageSet {
  const [n, H, W] = shape;
  if (masks.length !== n * H * W) throw new Error(`bandColorize: masks have ${masks.length} values, expected N*H*W = ${n * H * W}`);
  if (labels.length !== n) throw new Error(`bandColorize: ${labels.length} labels for ${n} masks`);
  const w = opts.bandWidth ?? 64;
  const groups = bandGroups(w, opts.pattern ?? 'thueMorse');
  const rng = makeRng(opts.seed);
  const x = new Uint8Array(n * H * W * 3);
  for (let i = 0; i < n; i++) paintBands(masks.subarray(i * H * W, (i + 1) * H * W), x, i * H * W * 3, 3, w, groups, rng);
  return { images: x, labels: Int32Array.from(labels), shape: [n, H, W, 3], classNames, maxValue: 255, source: `bandColorize(seed=${opts.seed})` };
}
