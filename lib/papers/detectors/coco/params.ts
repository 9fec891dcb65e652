// Default COCOeval parameters, with the exact floating-point values numpy produces.
import type { AreaRanges } from './types';

/** numpy.linspace(start, stop, num) for num >= 2: start + i*step, last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (!Number.isInteger(num) || num < 2) throw new Error(`linspace: num must be an integer >= 2, got ${num}`);
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(start + i * step);
  out[num - 1] = stop;
  return out;
}

/** pycocotools: np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True). */
export function defaultIouThrs(): number[] { return linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1); }

/** pycocotools: np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True). */
export function defaultRecThrs(): number[] { return linspace(0, 1, Math.round((1 - 0) / 0.01) + 1); }

export const COCO_AREA_RANGES: AreaRanges = {
  all: [0, 1e10],
  small: [0, 32 ** 2],
  medium: [32 ** 2, 96 ** 2],
  large: [96 ** 2, 1e10],
};

export const DEFAULT_MAX_DETS = [1, 10, 100];

/** Area ranges with custom small/large limits given as side lengths (e.g. 12 and 24 for 64x64 scenes). */
export function areaRangesFromSides(smallSide: number, largeSide: number): AreaRanges {
  if (!(smallSide > 0 && largeSide > smallSide)) throw new Error(`areaRangesFromSides: need 0 < small (${smallSide}) < large (${largeSide})`);
  return { all: [0, 1e10], small: [0, smallSide ** 2], medium: [smallSide ** 2, largeSide ** 2], large: [largeSide ** 2, 1e10] };
}
