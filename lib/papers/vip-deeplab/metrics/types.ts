// Configuration and result types of the (D)VPQ evaluation (spec §2.1, §2.6; R: the authors'
// cityscapes-dvps/eval_dvpq.py and semkitti-dvps/eval_dvpq.py). Panoptic maps are flat Int32Array
// [H*W] with ids `category * labelDivisor + instance` (instance 0 = stuff; there is no crowd handling
// in the official evaluation, so none here).

/**
 * What to do with a class that has TP = FP = FN = 0 over the whole evaluation (absent from both GT
 * and prediction) when averaging PQ over classes (spec pitfall 10):
 * - 'skip' (default, panopticapi): leave it out of the mean; `n` reports how many classes were averaged.
 * - 'zero' (the SemKITTI-DVPS script, epsilon 1e-10): count it as PQ = SQ = RQ = 0 in the mean.
 * The Cityscapes-DVPS script (epsilon 0) would produce NaN for such a class; we do not reproduce that.
 */
export type AbsentClassPolicy = 'skip' | 'zero';

export interface PanopticEvalConfig {
  /** Classes 0..numClasses-1 are scored and averaged (official: 19). */
  numClasses: number;
  /** `max_ins` of the official scripts: id = category * labelDivisor + instance. */
  labelDivisor: number;
  /** GT category treated as void (Cityscapes-DVPS 32, SemKITTI-DVPS 255). */
  ignoreId: number;
  /** Thing categories; every other category in 0..numClasses-1 is stuff. */
  thingIds: readonly number[];
  /** Default 'skip'. */
  absentClassPolicy?: AbsentClassPolicy;
  /** Optional names for per-class tables. */
  classNames?: readonly string[];
}

/** Per-class sums over segments/windows: IoU sum of TPs, and TP/FP/FN counts (length numClasses). */
export interface PqStats {
  iou: Float64Array;
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
}

export interface ClassPq {
  classId: number;
  name?: string;
  isThing: boolean;
  /** TP + FP + FN > 0. */
  present: boolean;
  pq: number;
  sq: number;
  rq: number;
  tp: number;
  fp: number;
  fn: number;
  iouSum: number;
}

/** Class-averaged PQ (in [0, 1], not x100). A group with no averaged class gives NaN and n = 0. */
export interface PqSummary {
  pq: number;
  sq: number;
  rq: number;
  pqThing: number;
  pqStuff: number;
  /** Number of classes in each mean (depends on absentClassPolicy). */
  n: number;
  nThing: number;
  nStuff: number;
  policy: AbsentClassPolicy;
  perClass: ClassPq[];
}

/**
 * One video sequence for VPQ/DVPQ: T frames of prediction and GT panoptic maps (same H*W each).
 * Depths (metres or any unit, the ratio is scale-free; 0 = invalid GT) are needed only for lambda > 0.
 */
export interface EvalSequence {
  pred: Int32Array[];
  gt: Int32Array[];
  predDepth?: ArrayLike<number>[];
  gtDepth?: ArrayLike<number>[];
}

export interface VpqResult extends PqSummary {
  k: number;
  /** Depth threshold lambda; 0 = no depth filtering (plain VPQ). */
  lambda: number;
  /** Number of k-frame windows evaluated (sum over sequences of T - k + 1). */
  windows: number;
  stats: PqStats;
}

export interface DvpqCell {
  k: number;
  lambda: number;
  all: number;
  thing: number;
  stuff: number;
  result: VpqResult;
}

export interface DvpqResult {
  ks: number[];
  lambdas: number[];
  cells: DvpqCell[];
  /** Mean over all (k, lambda) cells: the final DVPQ (spec §2.6). */
  mean: { all: number; thing: number; stuff: number };
  /** Row/column means as in Table 7-I's "Average" row and column. */
  meanByK: { k: number; all: number; thing: number; stuff: number }[];
  meanByLambda: { lambda: number; all: number; thing: number; stuff: number }[];
}

/** Cityscapes-DVPS official evaluation: 19 train ids, stuff 0-10, things 11-18, void 32, max_ins 1000. */
export const CITYSCAPES_DVPS_EVAL: PanopticEvalConfig = {
  numClasses: 19, labelDivisor: 1000, ignoreId: 32,
  thingIds: [11, 12, 13, 14, 15, 16, 17, 18],
};

/** SemKITTI-DVPS official evaluation: things 0-7, stuff 8-18, void 255, max_ins 2^20, absent -> 0. */
export const SEMKITTI_DVPS_EVAL: PanopticEvalConfig = {
  numClasses: 19, labelDivisor: 2 ** 20, ignoreId: 255,
  thingIds: [0, 1, 2, 3, 4, 5, 6, 7], absentClassPolicy: 'zero',
};
