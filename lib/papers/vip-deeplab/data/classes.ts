// Label space of the synthetic street videos (spec §5.3): 3 stuff + 2 thing classes, void 255,
// panoptic id = class * 1000 + instance (Cityscapes-DVPS's divisor).
import type { PanopticEvalConfig } from '../metrics/types';

export const SYNTH_CLASS_NAMES = ['road', 'building', 'sky', 'car', 'person'] as const;
export const SYNTH_NUM_CLASSES = 5;
export const SYNTH_ROAD = 0;
export const SYNTH_BUILDING = 1;
export const SYNTH_SKY = 2;
export const SYNTH_CAR = 3;
export const SYNTH_PERSON = 4;
export const SYNTH_STUFF_IDS: readonly number[] = [0, 1, 2];
export const SYNTH_THING_IDS: readonly number[] = [3, 4];
/** Void / unlabelled semantic id (border band, sparse mode). */
export const SYNTH_VOID = 255;
export const SYNTH_LABEL_DIVISOR = 1000;
/** Depth head range for the synthetic scenes (spec §4: MaxDepth 40 m; scene range 3-35 m). */
export const SYNTH_MAX_DEPTH = 40;

/** Evaluation config for the synthetic data (same rules as the Cityscapes-DVPS script). */
export const SYNTH_DVPS_EVAL: PanopticEvalConfig = {
  numClasses: SYNTH_NUM_CLASSES,
  labelDivisor: SYNTH_LABEL_DIVISOR,
  ignoreId: SYNTH_VOID,
  thingIds: SYNTH_THING_IDS,
  classNames: SYNTH_CLASS_NAMES,
};

/** RGB colours for drawing label maps (void black). */
export const SYNTH_CLASS_COLORS: readonly [number, number, number][] = [
  [128, 64, 128], [70, 70, 70], [70, 130, 180], [0, 0, 142], [220, 20, 60],
];
