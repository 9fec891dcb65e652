// COCO data model (instances JSON, results JSON, RLE) and the evaluation result types.
// Field names follow the COCO JSON files exactly (snake_case) so objects round-trip through
// JSON.stringify and can be fed to pycocotools offline.

/** COCO box: [x, y, w, h] in continuous pixel coordinates (top-left corner, width, height). */
export type BoxXYWH = [number, number, number, number];

/** COCO run-length encoding. `size` is [height, width]; `counts` is the compressed string
 *  (pycocotools' form) or the uncompressed list of run lengths (column-major, starting with 0s). */
export interface RleObj {
  size: [number, number];
  counts: string | number[];
}

/** A polygon as a flat list [x0, y0, x1, y1, ...] (COCO). */
export type Polygon = number[];

/** COCO `segmentation`: a list of polygons, or an RLE (uncompressed counts for iscrowd=1 in raw files). */
export type Segmentation = Polygon[] | RleObj;

/** In-memory uncompressed RLE (what pycocotools' C `RLE` struct holds): h, w and run lengths,
 *  column-major (Fortran order), runs alternate 0s,1s,0s,... starting with a (possibly empty) 0-run. */
export interface Rle {
  h: number;
  w: number;
  counts: Uint32Array;
}

export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name?: string;
  [extra: string]: unknown;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: BoxXYWH;
  /** Segmentation area for real COCO (used for the small/medium/large split even in bbox mode). */
  area: number;
  iscrowd: 0 | 1;
  segmentation?: Segmentation;
  /** Synthetic scenes only: fraction of the object's full (unoccluded) area that is hidden, 0..1. */
  occlusion?: number;
  [extra: string]: unknown;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

/** A COCO instances file (`instances_{split}.json`). */
export interface CocoDataset {
  info?: Record<string, unknown>;
  licenses?: unknown[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** One entry of a COCO results file (detections). `segmentation` only for segm results. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: BoxXYWH;
  score: number;
  segmentation?: RleObj;
}

/** Named area ranges [min, max] in px^2 (pycocotools: all/small/medium/large). */
export interface AreaRanges {
  all: [number, number];
  small: [number, number];
  medium: [number, number];
  large: [number, number];
}

export interface EvalOptions {
  /** 'bbox' (default) or 'segm' (needs `segmentation` on GTs and detections). */
  iouType?: 'bbox' | 'segm';
  /** IoU thresholds; default linspace(0.5, 0.95, 10) exactly as numpy computes it. */
  iouThrs?: number[];
  /** Recall thresholds; default linspace(0, 1, 101). */
  recThrs?: number[];
  /** Default [1, 10, 100]; the last one is used for AP and ARs/m/l (as in pycocotools summarize). */
  maxDets?: number[];
  /** Default COCO: all [0, 1e10], small [0, 32^2], medium [32^2, 96^2], large [96^2, 1e10]. */
  areaRng?: AreaRanges;
  /** Restrict to these image ids (default: all images of the GT file; duplicates removed, as pycocotools). */
  imgIds?: number[];
  /** Restrict to these category ids (default: all categories of the GT file). */
  catIds?: number[];
  /** pycocotools `useCats` (default true); false pools all categories into one. */
  useCats?: boolean;
}

/** The resolved parameters used by an evaluation (pycocotools `Params`). */
export interface EvalParams {
  iouType: 'bbox' | 'segm';
  iouThrs: number[];
  recThrs: number[];
  maxDets: number[];
  areaRng: [number, number][];
  areaRngLbl: string[];
  imgIds: number[];
  catIds: number[];
  useCats: boolean;
}

/** pycocotools `evalImgs` entry: matches of one (image, category, area range) at maxDets[-1]. */
export interface EvalImg {
  imageId: number;
  categoryId: number;
  aRng: [number, number];
  maxDet: number;
  /** Detection scores, sorted descending (stable). */
  dtScores: number[];
  /** [T][D]: matched GT id (0 = unmatched). */
  dtMatches: number[][];
  /** [T][D]: detection ignored (matched an ignored GT, or unmatched and outside the area range). */
  dtIgnore: boolean[][];
  /** [G] after sorting non-ignored GTs first. */
  gtIgnore: boolean[];
  gtIds: number[];
}

/**
 * Per-image evaluation, computed once by `prepareEval`; `accumulateEval` turns any multiset of
 * image indices into the COCO numbers (cheap paired bootstrap over images).
 */
export interface EvalState {
  params: EvalParams;
  /** evalImgs[k][a][i] for category index k, area index a, image index i (null = no gt and no det). */
  evalImgs: (EvalImg | null)[][][];
}

/** Precision/recall arrays as pycocotools `eval['precision']` [T,R,K,A,M] and `eval['recall']` [T,K,A,M],
 *  stored flat row-major; -1 where a category has no (non-ignored) GT. */
export interface EvalArrays {
  dims: { T: number; R: number; K: number; A: number; M: number };
  precision: Float64Array;
  recall: Float64Array;
  /** Score at each recall threshold, same shape as precision. */
  scores: Float64Array;
}

export interface BoxEvalResult {
  AP: number; AP50: number; AP75: number; APs: number; APm: number; APl: number;
  AR1: number; AR10: number; AR100: number; ARs: number; ARm: number; ARl: number;
  /** The 12 numbers in pycocotools `stats` order: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
  stats: number[];
  /** Per category (area all, maxDets[-1]): AP over IoU thresholds, AP50, AP75; -1 when it has no GT. */
  perCategory: { categoryId: number; name?: string; AP: number; AP50: number; AP75: number }[];
  /** AP (area all, maxDets[-1]) at each IoU threshold, averaged over categories: "per-IoU" curve. */
  perIoU: { iouThr: number; AP: number }[];
  arrays: EvalArrays;
  params: EvalParams;
}
